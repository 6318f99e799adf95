/**
 * Signal storms, in each way nimi runs here (PID 1 of a PID namespace, and as a subreaper):
 * 1,000 SIGHUP and 1,000 SIGUSR1 in a burst, 50 SIGTERMs, SIGTERM during the startup hook and
 * during a restart delay, SIGINT twice against a service that ignores it. nimi survives what it
 * should, stops when asked (never 134 or 139, the marks of abort() and SIGSEGV), promptly
 * (the delays and timeouts here are 30 s: an exit before them is the stop, not a timeout), and
 * leaves no process behind.
 */
import assert from "node:assert/strict";
import {
  exited,
  type Mode,
  note,
  processesWith,
  setup,
  startNimi,
  writeConfig,
} from "../pid1/nimi_helpers.ts";

function marker(): string {
  return `${1000 + Math.floor(Math.random() * 1e6) / 1e3}`;
}

/** A shell service that reports each HUP and USR1 it gets and stops on TERM. */
function counter(mark: string): unknown {
  return {
    process: {
      argv: [
        "/bin/sh",
        "-c",
        `trap 'echo got HUP' HUP; trap 'echo got USR1' USR1; trap 'exit 0' TERM; echo up; ` +
        `while :; do sleep ${mark} & wait $!; done`,
      ],
    },
  };
}

function assertClean(status: Deno.CommandStatus, mark: string, what: string, out: string): void {
  assert.notEqual(status.code, 134, `${what}: abort()\n${out}`);
  assert.notEqual(status.code, 139, `${what}: SIGSEGV\n${out}`);
  assert.deepEqual(processesWith(mark), [], `${what}: processes left`);
}

async function storm(mode: Mode, dir: string): Promise<void> {
  const mark = marker();
  const nimi = await startNimi(
    mode,
    await writeConfig(dir, "storm.json", { services: { c: counter(mark) } }),
  );
  try {
    await nimi.waitFor(/^c +\| up$/m);
    for (let i = 0; i < 1000; i++) {
      Deno.kill(nimi.pid, "SIGHUP");
      Deno.kill(nimi.pid, "SIGUSR1");
    }
    // Signals coalesce: the service gets at least one of each, and nimi is still there.
    await nimi.waitFor(/^c +\| got HUP$/m);
    await nimi.waitFor(/^c +\| got USR1$/m);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(nimi.stdout(), /exiting with code/, "nimi stopped on HUP or USR1");
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assertClean(status, mark, "after 2,000 signals", nimi.stdout());
    assert.equal(status.code, 0, nimi.stdout());
    const hups = (nimi.stdout().match(/got HUP/g) ?? []).length;
    note(`  ${mode.name}: 1,000 HUP + 1,000 USR1: service saw ${hups} HUP, exit ${status.code}`);
  } finally {
    await nimi.kill();
  }
}

async function terms(mode: Mode, dir: string): Promise<void> {
  const mark = marker();
  const nimi = await startNimi(
    mode,
    await writeConfig(dir, "terms.json", { services: { c: counter(mark) } }),
  );
  try {
    await nimi.waitFor(/^c +\| up$/m);
    for (let i = 0; i < 50; i++) Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assertClean(status, mark, "50 SIGTERMs", nimi.stdout());
  } finally {
    await nimi.kill();
  }
}

async function duringHook(mode: Mode, dir: string): Promise<void> {
  const mark = marker();
  const nimi = await startNimi(
    mode,
    await writeConfig(dir, "hook.json", {
      services: { c: counter(mark) },
      settings: { startup: { runOnStartup: `${dir}/hook.sh` } },
    }),
  );
  try {
    await nimi.waitFor(/^startup +\| hook running$/m);
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assertClean(status, mark, "SIGTERM during the startup hook", nimi.stdout());
    assert.doesNotMatch(nimi.stdout(), /^c +\| up$/m, "a service started after the stop");
  } finally {
    await nimi.kill();
  }
}

async function duringDelay(mode: Mode, dir: string): Promise<void> {
  const mark = marker();
  const nimi = await startNimi(
    mode,
    await writeConfig(dir, "delay.json", {
      services: {
        c: counter(mark),
        crash: {
          process: { argv: ["/bin/sh", "-c", `echo crashing ${mark}; exit 1`] },
          nimi: { restart: { mode: "always", time: 30_000 } },
        },
      },
    }),
  );
  try {
    await nimi.waitFor(/^crash +\| crashing/m);
    await nimi.waitFor(/restart/m);
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi, 15_000);
    assertClean(status, mark, "SIGTERM during a restart delay", nimi.stdout());
    assert.equal((nimi.stdout().match(/crashing/g) ?? []).length, 1, "restarted after the stop");
  } finally {
    await nimi.kill();
  }
}

async function doubleInt(mode: Mode, dir: string): Promise<void> {
  const mark = marker();
  const nimi = await startNimi(
    mode,
    await writeConfig(dir, "deaf.json", {
      services: {
        deaf: {
          process: {
            argv: ["/bin/sh", "-c", `trap '' INT TERM; echo deaf; while :; do sleep ${mark}; done`],
          },
          nimi: { stopTimeout: 30_000 },
        },
      },
    }),
  );
  try {
    await nimi.waitFor(/^deaf +\| deaf$/m);
    Deno.kill(nimi.pid, "SIGINT");
    await new Promise((r) => setTimeout(r, 300));
    Deno.kill(nimi.pid, "SIGINT");
    const status = await exited(nimi, 15_000);
    assertClean(status, mark, "SIGINT twice", nimi.stdout());
  } finally {
    await nimi.kill();
  }
}

Deno.test("signal storms: nimi survives bursts, stops when asked, never 134/139, leaves nothing", async (t) => {
  const { modes, dir, cleanup } = await setup();
  try {
    await Deno.writeTextFile(`${dir}/hook.sh`, "#!/bin/sh\necho hook running\nexec sleep 30\n");
    await Deno.chmod(`${dir}/hook.sh`, 0o755);
    // The root modes: the runs as nobody are the pid1 tests' business (tests/pid1).
    for (const mode of modes.filter((m) => !m.name.startsWith("nobody"))) {
      await t.step(`${mode.name}: 1,000 SIGHUP and SIGUSR1`, () => storm(mode, dir));
      await t.step(`${mode.name}: 50 SIGTERMs`, () => terms(mode, dir));
      await t.step(`${mode.name}: SIGTERM during the startup hook`, () => duringHook(mode, dir));
      await t.step(`${mode.name}: SIGTERM during a restart delay`, () => duringDelay(mode, dir));
      await t.step(`${mode.name}: SIGINT twice`, () => doubleInt(mode, dir));
    }
  } finally {
    await cleanup();
  }
});
