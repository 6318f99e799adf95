/**
 * Init mode, `nimi [OPTIONS] -- PROGRAM [ARGS...]`: the command-line side of src/pid1/init.ts.
 *
 * @module
 */
import { runInit } from "../pid1/init.ts";
import { INIT_HELP, parseInitArgs } from "./init_args.ts";
import type { Output } from "./output.ts";

/**
 * Runs one program as its init.
 *
 * @param argv Arguments after the program name.
 * @param separator The index of `--` in them.
 * @param io Where nimi's own lines go (standard error only; the program has the terminal).
 * @returns The program's exit code (128 + N for signal N), or 2 for a bad command line.
 * @throws {UsageError} On a bad command line.
 */
export async function initCommand(
  argv: readonly string[],
  separator: number,
  io: Output,
): Promise<number> {
  const args = parseInitArgs(argv, separator, Deno.env.toObject());
  if (args.help) {
    io.out(INIT_HELP);
    return 0;
  }
  let placement: "session" | "group" | "inherit" = "session";
  if (args.singleChild) placement = args.processGroup ? "group" : "inherit";
  return await runInit({
    argv: args.argv,
    placement,
    rewrite: args.rewrite,
    remapExit: args.remapExit,
    parentDeathSignal: args.parentDeathSignal,
    subreaper: args.subreaper,
    warnReaping: args.warnReaping,
    verbose: args.verbose,
    log: (line) => io.err(`nimi: ${line}\n`),
  });
}
