/**
 * Time to first spawn: from starting the manager until its one service runs. The service is
 * the same for every manager, `/bin/sh -c 'date +%s%N > F.tmp && mv F.tmp F'`, and
 * writes the epoch time at which it ran; the figure is that time minus the time the manager
 * was started. Peers: tini (a PID 1 that runs one program), s6-svscan (a scan directory with
 * one service, its run script the same shell line).
 *
 * @module
 */
import { epochMs, median, nimiArgv, say, sleep, spawn } from "./lib.ts";
import { removeWhenQuiet, writeNimi, writeScanDir } from "./peers.ts";

const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 9);

/** Median milliseconds from starting the manager until the service ran, per manager. */
export type FirstSpawnResult = Record<string, number>;

interface Manager {
  start(dir: string, argv: string[]): Deno.ChildProcess;
  stop(child: Deno.ChildProcess, dir: string): Promise<void>;
}

const managers: Record<string, Manager> = {
  tini: {
    start: (_dir, argv) => spawn(["tini", "-s", "--", ...argv]),
    stop: async (c) => {
      await c.status; // the service exits at once, and tini with it
    },
  },
  "s6-svscan": {
    start: (dir, argv) => spawn(["s6-svscan", writeScanDir(dir, [{ name: "one", argv }])]),
    stop: async (c, dir) => {
      await new Deno.Command("s6-svscanctl", { args: ["-t", `${dir}/scan`] }).output();
      await c.status;
    },
  },
  nimi: {
    start: (dir, argv) =>
      spawn(nimiArgv(writeNimi(dir, [{ name: "one", argv }], { restart: false }))),
    stop: async (c) => {
      await c.status; // exits when its only service has
    },
  },
};

async function one(name: string, manager: Manager): Promise<number> {
  const dir = Deno.makeTempDirSync({ prefix: `nimi-bench-first-${name}-` });
  const stamp = `${dir}/stamp`;
  try {
    const argv = ["/bin/sh", "-c", `date +%s%N > ${stamp}.tmp && mv ${stamp}.tmp ${stamp}`];
    const t0 = epochMs();
    const child = manager.start(dir, argv);
    for (let i = 0;; i++) {
      try {
        const ns = BigInt(Deno.readTextFileSync(stamp).trim());
        await manager.stop(child, dir);
        return Number(ns / 1000n) / 1000 - t0;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      if (i > 10000) throw new Error(`${name}: the service never ran`);
      await sleep(1);
    }
  } finally {
    await removeWhenQuiet(dir);
  }
}

/**
 * Runs each manager `RUNS` times, interleaved, and returns the medians.
 *
 * @param only Managers to run (default all).
 */
export async function benchFirstSpawn(
  only: string[] = Object.keys(managers),
): Promise<FirstSpawnResult> {
  const times: Record<string, number[]> = Object.fromEntries(only.map((n) => [n, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const name of only) times[name]!.push(await one(name, managers[name]!));
    if (Deno.env.get("BENCH_VERBOSE")) say(JSON.stringify(times));
  }
  return Object.fromEntries(only.map((n) => [n, median(times[n]!)]));
}

if (import.meta.main) {
  say(JSON.stringify(await benchFirstSpawn(Deno.args.length ? Deno.args : undefined)));
}
