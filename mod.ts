/**
 * nimi: a process manager for NixOS modular services. This module is the public API, and,
 * run as a program, the CLI (`deno run -A mod.ts --config FILE validate`).
 *
 * @example
 * ```ts
 * import { loadConfig } from "./mod.ts";
 * const config = await loadConfig("examples/demo.json");
 * console.log(config.services.map((s) => s.name));
 * ```
 *
 * @module
 */
// First, for its side effect: when mod.ts is the program, listen for signals before the rest
// is evaluated (a signal to a PID 1 with no listener is dropped or, later, kills it).
import "./src/pid1/early.ts";
export {
  cleanRelativePath,
  ConfigError,
  findCycle,
  formatDiagnostic,
  loadConfig,
  normalizeSignal,
  parseConfigText,
  readConfigFile,
  signalNumber,
  startLayers,
  stopLayers,
  validateConfig,
} from "./src/config/mod.ts";
export type {
  ConfigDataFile,
  Credential,
  Dependency,
  DependencyCondition,
  Diagnostic,
  GraphNode,
  NimiConfig,
  NimiSettings,
  ProbeValue,
  RestartMode,
  RestartPolicy,
  ServiceSpec,
  Severity,
  ValidateOptions,
} from "./src/config/mod.ts";
export type {
  RenderedFile,
  RenderOptions,
  RenderResult,
  RenderWarning,
  Target,
} from "./src/render/mod.ts";
export { planRun, resolveIdentities, Supervisor } from "./src/supervisor/mod.ts";
export type {
  Child,
  PidRegistry,
  RunPlan,
  ServiceEnd,
  Spawner,
  SupervisorOptions,
  UnitPlan,
  UnitState,
} from "./src/supervisor/mod.ts";
export { LogSink } from "./src/logs/mod.ts";
export type { LogSinkOptions } from "./src/logs/mod.ts";
export { startReaper } from "./src/pid1/mod.ts";
export type { Reaper, ReaperOptions } from "./src/pid1/mod.ts";
export { startupService } from "./src/config/startup.ts";
export { main } from "./src/cli/main.ts";
export { VERSION } from "./src/version.ts";

if (import.meta.main) {
  const { main } = await import("./src/cli/main.ts");
  Deno.exit(await main(Deno.args));
}
