/**
 * The config contract: loading, validation and normalisation. The JSON Schema export is in
 * json_schema.ts, loaded only by `nimi schema`.
 *
 * @module
 */
export { loadConfig, validateConfig } from "./validate.ts";
export type { ValidateOptions } from "./validate.ts";
export { parseConfigText, readConfigFile } from "./load.ts";
export { ConfigError, formatDiagnostic } from "./diagnostics.ts";
export type { Diagnostic, Severity } from "./diagnostics.ts";
export { DEPENDENCY_CONDITIONS, PROBE_TYPES, RESTART_MODES } from "./schema.ts";
export { cleanRelativePath, NAME_SEPARATOR } from "./normalize.ts";
export { findCycle, startLayers, stopLayers } from "./graph.ts";
export type { GraphNode } from "./graph.ts";
export { isSignal, normalizeSignal, SIGNAL_NUMBERS, signalNumber, toSignal } from "./signals.ts";
export type { Signal } from "./signals.ts";
export type * from "./types.ts";
