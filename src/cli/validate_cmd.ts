/**
 * `nimi validate`: checks a config and prints a short summary.
 *
 * @module
 */
import { loadConfig } from "../config/mod.ts";
import type { CliArgs } from "./args.ts";
import type { Output } from "./output.ts";
import { printWarnings, requireConfig } from "./common.ts";

/**
 * Validates the config named by `--config` and prints the number and names of its services.
 *
 * @param args Parsed command line.
 * @param io Where to write.
 * @returns Exit code 0.
 * @throws {ConfigError} When the config is invalid.
 */
export async function validateCommand(args: CliArgs, io: Output): Promise<number> {
  const file = requireConfig(args);
  const config = await loadConfig(file, { strict: args.strict });
  printWarnings(config.file, config.warnings, io);
  const names = config.services.map((s) => s.name);
  const count = `${names.length} service${names.length === 1 ? "" : "s"}`;
  io.out(`${file}: valid: ${count}${names.length ? `: ${names.join(", ")}` : ""}\n`);
  return 0;
}
