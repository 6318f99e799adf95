/**
 * Init mode's signal table, written from dumb-init's and tini's documented behaviour: every
 * catchable signal sent to nimi reaches the program (its process group by default, the
 * program alone with `-c`), as PID 1 of a PID namespace and as a subreaper; job-control
 * signals reach it and then stop nimi (not as PID 1) until SIGCONT; `--rewrite` changes or
 * drops signals. The four modes run side by side; every wait is keyed on an observed event.
 */
import assert from "node:assert/strict";
import {
  HANDLED_SIGNAL_NUMBERS,
  HANDLED_SIGNALS,
  isJobControl,
} from "../../src/pid1/signal_table.ts";
import { findDescendant } from "../pid1/helpers.ts";
import { countLines, type Init, PRINT_SIGNALS, startInit, stateOf, until } from "./helpers.ts";

const PYTHON = "/usr/bin/python3";

interface Mode {
  name: string;
  pid1: boolean;
  options: string[];
  /** Whether the program has its own session (job-control signals become SIGSTOP). */
  setsid: boolean;
}

const MODES: Mode[] = [
  { name: "PID 1, process group", pid1: true, options: [], setsid: true },
  { name: "PID 1, program alone (-c)", pid1: true, options: ["-c"], setsid: false },
  { name: "subreaper, process group", pid1: false, options: [], setsid: true },
  { name: "subreaper, program alone (-c)", pid1: false, options: ["-c"], setsid: false },
];

/** Waits until the program has printed `n` exactly `count` times. */
function printed(init: Init, n: number, count: number): Promise<unknown> {
  return init.waitFor((out) => countLines(out, String(n)) >= count, 10_000);
}

async function table(mode: Mode): Promise<void> {
  const init = await startInit([PYTHON, PRINT_SIGNALS], { pid1: mode.pid1, options: mode.options });
  try {
    await init.waitFor(/^ready \d+$/m);
    const program = await findDescendant(init.pid, "python3");
    const seen = new Map<number, number>();
    const expect = (n: number) => {
      seen.set(n, (seen.get(n) ?? 0) + 1);
      return printed(init, n, seen.get(n)!);
    };
    for (const signal of HANDLED_SIGNALS) {
      const n = HANDLED_SIGNAL_NUMBERS[signal];
      Deno.kill(init.pid, signal);
      if (isJobControl(signal)) {
        if (mode.setsid) {
          // Its own session: the program gets SIGSTOP, which it cannot print.
          await until(`${signal}: program stopped`, () => stateOf(program) === "T");
        } else {
          await expect(n);
        }
        if (!mode.pid1) await until(`${signal}: nimi stopped`, () => stateOf(init.pid) === "T");
        Deno.kill(init.pid, "SIGCONT");
        await expect(18);
        await until(`${signal}: program running again`, () => stateOf(program) !== "T");
        await until(`${signal}: nimi running again`, () => stateOf(init.pid) !== "T");
      } else {
        await expect(n);
      }
      assert.notEqual(stateOf(init.pid), null, `nimi ended after ${signal}`);
    }
    // Nothing arrived twice: with -c the program is in nimi's group and gets only what nimi
    // sends it.
    for (const [n, count] of seen) assert.equal(countLines(init.stdout(), String(n)), count);
  } finally {
    // Not a SIGKILL to nimi first: outside a PID namespace its program would be reparented
    // away from it before kill() could find it, and hold the output pipe open (a hung run).
    await init.kill();
  }
}

Deno.test("init mode passes every catchable signal on, in each mode", async () => {
  const results = await Promise.allSettled(MODES.map(table));
  const failed = results.flatMap((r, i) =>
    r.status === "rejected" ? [`${MODES[i]!.name}: ${r.reason}`] : []
  );
  assert.deepEqual(failed, []);
});

Deno.test("--rewrite changes a signal, and 0 drops it (dumb-init's -r)", async () => {
  const init = await startInit([PYTHON, PRINT_SIGNALS], {
    options: ["--rewrite", "TERM:QUIT", "-r", "2:0", "-r", "SIGWINCH:0", "-r", "1:31"],
  });
  try {
    await init.waitFor(/^ready \d+$/m);
    Deno.kill(init.pid, "SIGTERM");
    Deno.kill(init.pid, "SIGINT");
    await printed(init, 3, 1);
    Deno.kill(init.pid, "SIGWINCH");
    Deno.kill(init.pid, "SIGHUP");
    await printed(init, 31, 1);
    Deno.kill(init.pid, "SIGUSR1");
    await printed(init, 10, 1);
    const lines = init.stdout().trim().split("\n").slice(1);
    assert.deepEqual(lines, ["3", "31", "10"]);
  } finally {
    await init.kill();
  }
});

Deno.test("a rewritten job-control signal is sent as rewritten and still stops nimi", async () => {
  const init = await startInit([PYTHON, PRINT_SIGNALS], { options: ["-r", "TSTP:HUP"] });
  try {
    await init.waitFor(/^ready \d+$/m);
    Deno.kill(init.pid, "SIGTSTP");
    await printed(init, 1, 1);
    await until("nimi stopped", () => stateOf(init.pid) === "T");
    Deno.kill(init.pid, "SIGCONT");
    await printed(init, 18, 1);
  } finally {
    await init.kill();
  }
});
