/**
 * Imported first by `mod.ts` for its side effect: when `mod.ts` is the program being run (the
 * CLI, not a library import), listen for signals before the rest of nimi is even evaluated.
 * ES modules evaluate their imports in order, so this runs about 40 ms before `mod.ts`'s main
 * block would; a signal sent to a PID 1 before any listener exists is dropped by the kernel.
 *
 * @module
 */
import { installSignalListeners } from "./signals.ts";
import { guardUsr1 } from "./usr1_guard.ts";
import { BASIC_SIGNALS, HANDLED_SIGNALS } from "./signal_table.ts";

if (Deno.mainModule === new URL("../../mod.ts", import.meta.url).href) {
  // Under a Deno CLI that opens an inspector on SIGUSR1, this re-executes nimi once with
  // SIGUSR1 blocked (and then reads it from a signalfd): see usr1_guard.ts.
  guardUsr1();
  // Arguments are not parsed yet. Only `run` and init mode (`nimi -- PROGRAM`) attach a handler
  // later, so only then is a first stop request kept for it, and only they handle every
  // signal; every other command ends on the first Ctrl-C (a stray "run" argument at worst makes
  // such a command need a second one).
  const handles = Deno.args.includes("run") || Deno.args.includes("--");
  installSignalListeners({
    holdStops: handles,
    signals: handles ? HANDLED_SIGNALS : BASIC_SIGNALS,
  });
}
