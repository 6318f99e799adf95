/**
 * `nimi run` (placeholder until the supervisor lands).
 *
 * @module
 */
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Runs the services.
 *
 * @param _args Parsed command line.
 * @param _io Where to write.
 * @returns The exit code.
 */
export function runCommand(_args: CliArgs, _io: Output): Promise<number> {
  return Promise.reject(new UsageError("nimi run is not available in this build yet"));
}
