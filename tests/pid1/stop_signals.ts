/**
 * Acceptance 1 of the PID 1 issue, shared by the PID 1 and the subreaper test files: SIGTERM or
 * SIGINT at a given moment after nimi was spawned gives a graceful stop and exit code 0
 * (docs/container.md), never 139, and leaves no service process behind.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  catches,
  exited,
  type Mode,
  note,
  processesWith,
  startNimi,
  untilSinceSpawn,
  writeConfig,
} from "./nimi_helpers.ts";

/** When the signal is sent. */
export type Moment = "first" | "500ms" | "2s";

/** SIGWINCH: the last listener nimi adds (src/pid1/signal_table.ts, HANDLED_SIGNALS). */
const LAST_LISTENER = 28;

/**
 * Starts nimi, sends one stop signal at a moment, and checks the stop.
 *
 * @param mode How nimi runs.
 * @param dir Scratch directory.
 * @param signal SIGTERM or SIGINT.
 * @param moment `first`: as soon as nimi's listeners are all in place, seen as the kernel
 *   catching SIGWINCH, the last one added (before that, the kernel drops the signal for a PID 1
 *   and kills an ordinary process; during the few microseconds while Deno records the first
 *   three, docs/container.md "The first microseconds", Deno itself may crash a PID 1);
 *   `500ms`: about when Deno installs its own handlers (or once the listeners are in place, if
 *   later); `2s`: with every service running.
 */
export async function stopAt(
  mode: Mode,
  dir: string,
  signal: "SIGTERM" | "SIGINT",
  moment: Moment,
): Promise<void> {
  const mark = `${1000 + Math.floor(Math.random() * 1e6) / 1e3}`;
  const config = await writeConfig(dir, `stop-${signal}-${moment}.json`, {
    services: {
      a: {
        process: {
          argv: [
            "/bin/sh",
            "-c",
            `trap 'echo a got TERM; exit 0' TERM; echo a ready; ` +
            `while :; do sleep ${mark} & wait $!; done`,
          ],
        },
      },
      b: { process: { argv: ["sleep", mark] } },
    },
  });
  const nimi = await startNimi(mode, config);
  try {
    if (moment === "first") {
      while (!catches(nimi.pid, LAST_LISTENER)) await new Promise((r) => setTimeout(r, 1));
    } else if (moment === "500ms") {
      await untilSinceSpawn(nimi, 500);
      // On a loaded machine the listeners may come later than 500 ms: before them no program
      // can handle a signal (see `first`), so wait for them too.
      while (!catches(nimi.pid, LAST_LISTENER)) await new Promise((r) => setTimeout(r, 1));
    } else {
      await nimi.waitFor(/^a +\| a ready$/m);
      await untilSinceSpawn(nimi, 2000);
    }
    const sentAt = performance.now() - nimi.spawnedAt;
    Deno.kill(nimi.pid, signal);
    const status = await exited(nimi);
    note(`  ${mode.name}: ${signal} sent ${sentAt.toFixed(0)} ms after spawn: exit ${status.code}`);
    assert.notEqual(status.code, 139, "nimi died of SIGSEGV");
    assert.equal(status.code, 0, `exit code\n${nimi.stdout()}\n${nimi.stderr()}`);
    assert.match(nimi.stdout(), /^nimi +\| exiting with code 0$/m);
    assert.doesNotMatch(nimi.stdout(), /SIGKILL/, "a graceful stop needs no SIGKILL");
    if (/^a +\| a ready$/m.test(nimi.stdout())) {
      assert.match(nimi.stdout(), /^a +\| a got TERM$/m, "a started, so it must get SIGTERM");
    }
    assert.deepEqual(processesWith(mark), [], "service processes left after nimi exited");
  } finally {
    await nimi.kill();
  }
}
