/**
 * Start, stop, memory and idle CPU with 200 services (`sleep`; `BENCH_SERVICES` for another
 * count): nimi against supervisord, s6-svscan, runsvdir and pm2 (`pm2-runtime`, its foreground
 * mode for containers). Services are counted through /proc by a marker argument.
 *
 * @module
 */
import {
  childrenOf,
  cpuTicks,
  median,
  type Memory,
  memoryMiB,
  nimiArgv,
  now,
  pidsWithArg,
  say,
  sleep,
  spawn,
  waitForCount,
} from "./lib.ts";
import {
  type BenchService,
  removeWhenQuiet,
  writeNimi,
  writePm2,
  writeScanDir,
  writeSupervisord,
} from "./peers.ts";

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
  /** Memory of the manager process alone. */
  memory: Memory;
  /** Memory summed over the manager and its per-service supervisors (s6, runit). */
  memoryTotal: Memory;
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
    // -c: s6-svscan supervises at most 500 services unless told more.
    start: (dir, s) =>
      spawn(["s6-svscan", "-c", String(Math.max(500, 2 * s.length)), writeScanDir(dir, s)]),
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
  pm2: {
    start: (dir, s) =>
      spawn(["pm2-runtime", "start", writePm2(dir, s, { restart: true })], {
        env: { PM2_HOME: `${dir}/pm2` },
      }),
    stop: (c) => c.kill("SIGTERM"),
    supervisors: (c) => [c.pid],
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
    await waitForCount(MARKER, count, Math.max(60000, count * 150));
    const start = now() - t;
    // Let start-up work (and nimi's post-SIGCHLD reaper sweeps) settle before measuring idle.
    await sleep(IDLE_SETTLE_MS);
    const sup = manager.supervisors(child);
    const memory = memoryMiB([child.pid]);
    const memoryTotal = memoryMiB(sup);
    const before = sup.reduce((a, p) => a + cpuTicks(p), 0);
    await sleep(3000);
    const idleTicks = sup.reduce((a, p) => a + cpuTicks(p), 0) - before;
    t = now();
    manager.stop(child, dir);
    await child.status;
    while (pidsWithArg(MARKER).length > 0) await sleep(2);
    const stop = now() - t;
    return { start: start / 1000, stop: stop / 1000, memory, memoryTotal, idleTicks };
  } finally {
    for (const pid of pidsWithArg(MARKER)) Deno.kill(pid, "SIGKILL");
    await removeWhenQuiet(dir);
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
  // Run-major: every manager once, then again, so a busy minute on the machine hits them all.
  const all: Record<string, ServicesResult[]> = Object.fromEntries(only.map((n) => [n, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const name of only) all[name]!.push(await one(name, managers[name]!, count));
  }
  for (const name of only) {
    const runs = all[name]!;
    out[name] = {
      start: median(runs.map((r) => r.start)),
      stop: median(runs.map((r) => r.stop)),
      memory: medianMemory(runs.map((r) => r.memory)),
      memoryTotal: medianMemory(runs.map((r) => r.memoryTotal)),
      idleTicks: median(runs.map((r) => r.idleTicks)),
    };
  }
  return out;
}

function medianMemory(ms: Memory[]): Memory {
  return {
    rss: median(ms.map((m) => m.rss)),
    anon: median(ms.map((m) => m.anon)),
    file: median(ms.map((m) => m.file)),
    pss: median(ms.map((m) => m.pss)),
  };
}

if (import.meta.main) {
  const only = Deno.args.length ? Deno.args : undefined;
  say(JSON.stringify(await benchServices(COUNT, only), null, 2));
}
