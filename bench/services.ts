/**
 * Start, stop, memory and idle CPU with 200 services (`sleep`): nimi against supervisord,
 * s6-svscan and runsvdir. Services are counted through /proc by a marker argument.
 *
 * @module
 */
import {
  childrenOf,
  cpuTicks,
  median,
  nimiArgv,
  now,
  pidsWithArg,
  rssMiB,
  say,
  sleep,
  spawn,
  waitForCount,
} from "./lib.ts";
import { type BenchService, writeNimi, writeScanDir, writeSupervisord } from "./peers.ts";

const COUNT = Number(Deno.env.get("BENCH_SERVICES") ?? 200);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);
const MARKER = "86399";
const IDLE_SETTLE_MS = Number(Deno.env.get("BENCH_SETTLE_MS") ?? 6000);

/** One manager's figures. */
export interface ServicesResult {
  /** Seconds until all services run. */
  start: number;
  /** Seconds from the stop request until the manager exited and no service is left. */
  stop: number;
  /** RSS in MiB of the manager process alone. */
  rss: number;
  /** RSS in MiB summed over the manager and its per-service supervisors (s6, runit). */
  rssTotal: number;
  /** CPU ticks used over 3 idle seconds. */
  idleTicks: number;
}

interface Manager {
  start(dir: string, services: BenchService[]): Deno.ChildProcess;
  stop(child: Deno.ChildProcess, dir: string): void;
  supervisors(child: Deno.ChildProcess): number[];
}

const managers: Record<string, Manager> = {
  nimi: {
    start: (dir, s) => spawn(nimiArgv(writeNimi(dir, s, { restart: true }))),
    stop: (c) => c.kill("SIGTERM"),
    supervisors: (c) => [c.pid],
  },
  supervisord: {
    start: (dir, s) =>
      spawn(["supervisord", "-n", "-c", writeSupervisord(dir, s, { restart: true })]),
    stop: (c) => c.kill("SIGTERM"),
    supervisors: (c) => [c.pid],
  },
  "s6-svscan": {
    start: (dir, s) => spawn(["s6-svscan", writeScanDir(dir, s)]),
    stop: (_c, dir) => {
      new Deno.Command("s6-svscanctl", { args: ["-t", `${dir}/scan`] }).outputSync();
    },
    supervisors: (c) => [c.pid, ...childrenOf(c.pid)],
  },
  runsvdir: {
    start: (dir, s) => spawn(["runsvdir", writeScanDir(dir, s)]),
    stop: (c) => c.kill("SIGHUP"),
    supervisors: (c) => [c.pid, ...childrenOf(c.pid)],
  },
};

async function one(name: string, manager: Manager, count: number): Promise<ServicesResult> {
  const dir = Deno.makeTempDirSync({ prefix: `nimi-bench-${name}-` });
  const services = Array.from({ length: count }, (_, i) => ({
    name: `s${i}`,
    argv: ["/bin/sleep", MARKER],
  }));
  try {
    let t = now();
    const child = manager.start(dir, services);
    await waitForCount(MARKER, count);
    const start = now() - t;
    // Let start-up work (and nimi's post-SIGCHLD reaper sweeps) settle before measuring idle.
    await sleep(IDLE_SETTLE_MS);
    const sup = manager.supervisors(child);
    const rss = rssMiB([child.pid]);
    const rssTotal = rssMiB(sup);
    const before = sup.reduce((a, p) => a + cpuTicks(p), 0);
    await sleep(3000);
    const idleTicks = sup.reduce((a, p) => a + cpuTicks(p), 0) - before;
    t = now();
    manager.stop(child, dir);
    await child.status;
    while (pidsWithArg(MARKER).length > 0) await sleep(2);
    const stop = now() - t;
    return { start: start / 1000, stop: stop / 1000, rss, rssTotal, idleTicks };
  } finally {
    for (const pid of pidsWithArg(MARKER)) Deno.kill(pid, "SIGKILL");
    await removeWhenQuiet(dir);
  }
}

// runsv and s6-supervise may still write their supervise/ files for a moment after the
// manager exits; retry until the directory can go.
async function removeWhenQuiet(dir: string): Promise<void> {
  for (let i = 0;; i++) {
    try {
      Deno.removeSync(dir, { recursive: true });
      return;
    } catch (e) {
      if (i >= 50) throw e;
      await sleep(100);
    }
  }
}

/**
 * Runs start/stop/memory for each manager with `count` services.
 *
 * @param count Number of services.
 * @param only Managers to run (default all).
 */
export async function benchServices(
  count = COUNT,
  only: string[] = Object.keys(managers),
): Promise<Record<string, ServicesResult>> {
  const out: Record<string, ServicesResult> = {};
  for (const name of only) {
    const runs: ServicesResult[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await one(name, managers[name]!, count));
    out[name] = {
      start: median(runs.map((r) => r.start)),
      stop: median(runs.map((r) => r.stop)),
      rss: median(runs.map((r) => r.rss)),
      rssTotal: median(runs.map((r) => r.rssTotal)),
      idleTicks: median(runs.map((r) => r.idleTicks)),
    };
  }
  return out;
}

if (import.meta.main) {
  const only = Deno.args.length ? Deno.args : undefined;
  say(JSON.stringify(await benchServices(COUNT, only), null, 2));
}
