/**
 * `nimi completions SHELL` and `nimi man`: print what is generated from the command table.
 *
 * @module
 */
import type { CliArgs } from "./args.ts";
import { completionScript } from "./completions.ts";
import { manPage } from "./man_page.ts";
import type { Output } from "./output.ts";

/**
 * Prints the completion script of the shell named by the first argument.
 *
 * @param args Parsed command line (the parser checked the shell's name).
 * @param io Where to write.
 * @returns Exit code 0.
 */
export function completionsCommand(args: CliArgs, io: Output): number {
  io.out(completionScript(args.args[0] ?? ""));
  return 0;
}

/**
 * Prints the manual page.
 *
 * @param _args Parsed command line.
 * @param io Where to write.
 * @returns Exit code 0.
 */
export function manCommand(_args: CliArgs, io: Output): number {
  io.out(manPage());
  return 0;
}
