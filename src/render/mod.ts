/**
 * `nimi render`: pure renderers from the normalised config to files for other service managers,
 * and the small I/O edge that writes them.
 *
 * @module
 */
export { findTarget, TARGETS } from "./targets.ts";
export { renderWithSettings, STARTUP_SERVICE, withStartupService } from "./settings.ts";
export { defaultStateDir, servicePaths } from "./layout.ts";
export type { ServicePaths, StateDirContext } from "./layout.ts";
export { formatWarning, formatWarnings } from "./warnings.ts";
export { RenderError } from "./render_error.ts";
export { createStateDirs, writeRendered } from "./write.ts";
export type { RenderedFile, RenderOptions, RenderResult, RenderWarning, Target } from "./types.ts";
