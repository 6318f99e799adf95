/**
 * The signal table of `nimi run` (docs/container.md, "Signals"), as a table test: every
 * catchable signal sent to nimi, as PID 1 of a PID namespace and as an ordinary child (a
 * subreaper), has its documented outcome, and no signal ever leaves a service without nimi.
 * Two services print every signal they get (tests/init/fixtures/print_signals.py): `all`
 * lists every forwardable signal in `nimi.forwardSignals`, `plain` keeps the default list.
 * Each wait is keyed on an observed event (a printed line, a process state).
 */
import assert from "node:assert/strict";
import {
  HANDLED_SIGNAL_NUMBERS,
  HANDLED_SIGNALS,
  signalAction,
} from "../../src/pid1/signal_table.ts";
import { readStat } from "../../src/pid1/proc.ts";
import { countLines, PRINT_SIGNALS, stateOf, until } from "../init/helpers.ts";
import { descendants } from "./helpers.ts";
import { exited, type Mode, type Nimi, setup, startNimi, writeConfig } from "./nimi_helpers.ts";
import { rootTest } from "../helpers/root.ts";

const FORWARDED = HANDLED_SIGNALS.filter((s) => signalAction(s, 0) === "forward");
const DEFAULT_FORWARD = ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"];

function service(name: string, nimi: Record<string, unknown>) {
  return { process: { argv: ["/usr/bin/python3", PRINT_SIGNALS, name] }, nimi };
}

const CONFIG = {
  services: {
    all: service("all", { forwardSignals: FORWARDED, stopTimeout: 300 }),
    plain: service("plain", { stopTimeout: 300 }),
  },
  settings: { logging: { enable: false }, restart: { mode: "never" } },
};

/** The pid (seen from here) of the service whose program got `name` as its argument. */
function servicePid(nimi: number, name: string): number {
  const found = descendants(nimi).find((p) =>
    p.comm === "python3" &&
    Deno.readTextFileSync(`/proc/${p.pid}/cmdline`).split("\0").includes(name)
  );
  if (found === undefined) throw new Error(`no service ${name} under nimi ${nimi}`);
  return found.pid;
}

/** Lines `name | N` so far. */
function printed(nimi: Nimi, name: string, n: number): number {
  return countLines(
    nimi.stdout().replace(/^(\S+) +\| /gm, "$1|"),
    `${name}|${n}`,
  );
}

async function table(mode: Mode, config: string): Promise<void> {
  const nimi = await startNimi(mode, config);
  try {
    await nimi.waitFor(/^all +\| ready \d+$/m);
    await nimi.waitFor(/^plain +\| ready \d+$/m);
    const all = servicePid(nimi.pid, "all");
    const plain = servicePid(nimi.pid, "plain");
    const expected = new Map<string, number>();
    const expect = async (name: string, n: number) => {
      const key = `${name}|${n}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
      await until(`${name} printed ${n}`, () => printed(nimi, name, n) >= expected.get(key)!);
    };
    const stillUnderNimi = (signal: string) => {
      assert.notEqual(stateOf(nimi.pid), null, `nimi ended after ${signal}`);
      for (const pid of [all, plain]) {
        assert.equal(readStat(pid)?.ppid, nimi.pid, `a service left nimi after ${signal}`);
      }
    };
    for (const signal of HANDLED_SIGNALS) {
      const action = signalAction(signal, 0);
      if (action === "stop" || action === "kill") continue;
      const n = HANDLED_SIGNAL_NUMBERS[signal];
      Deno.kill(nimi.pid, signal);
      if (action === "forward") {
        await expect("all", n);
        if (DEFAULT_FORWARD.includes(signal)) await expect("plain", n);
      } else if (action === "resume") {
        await expect("all", 18);
        await expect("plain", 18);
      } else {
        // suspend: every service stopped, then nimi itself (not as PID 1); SIGCONT undoes it.
        await until(
          `${signal}: services stopped`,
          () => stateOf(all) === "T" && stateOf(plain) === "T",
        );
        if (!mode.pid1) await until(`${signal}: nimi stopped`, () => stateOf(nimi.pid) === "T");
        Deno.kill(nimi.pid, "SIGCONT");
        await expect("all", 18);
        await expect("plain", 18);
        await until(
          `${signal}: all running`,
          () => [all, plain, nimi.pid].every((p) => stateOf(p) !== "T"),
        );
      }
      stillUnderNimi(signal);
    }
    // Nothing more than the table says: `plain` got no signal it does not list.
    for (const name of ["all", "plain"]) {
      for (let n = 1; n <= 31; n++) {
        assert.equal(printed(nimi, name, n), expected.get(`${name}|${n}`) ?? 0, `${name}: ${n}`);
      }
    }
    // The stop outcome ends the table: SIGTERM stops both services (they ignore their stop
    // signal, so SIGKILL after 300 ms), then nimi exits 0.
    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assert.equal(status.code, 0, nimi.stderr());
    assert.equal(stateOf(all), null);
    assert.equal(stateOf(plain), null);
  } finally {
    await nimi.kill();
  }
}

rootTest(
  "nimi run: every catchable signal has its documented outcome",
  "it runs nimi as root, as PID 1 and as a subreaper",
  async () => {
    const s = await setup();
    try {
      const modes = s.modes.filter((m) => m.root && m.skip === null);
      const config = await writeConfig(s.dir, "table.json", CONFIG);
      const results = await Promise.allSettled(modes.map((m) => table(m, config)));
      const failed = results.flatMap((r, i) =>
        r.status === "rejected" ? [`${modes[i]!.name}: ${r.reason}`] : []
      );
      assert.deepEqual(failed, []);
      assert.ok(modes.some((m) => m.pid1) && modes.some((m) => !m.pid1), "both modes ran");
    } finally {
      await s.cleanup();
    }
  },
);
