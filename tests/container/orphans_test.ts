/**
 * An orphan storm inside a podman container leaves no zombie: nimi, PID 1 of the container,
 * reaps what a service started and left behind. The container's processes are read from the
 * host's /proc (the image has no `ps`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { isProcessGone, readChildren, readDescendants, readStat } from "../../src/pid1/proc.ts";
import { IMAGE } from "../harness/podman.ts";
import { containerSkip, service, startContainer } from "./helpers.ts";

const skip = await containerSkip("tests/container/orphans_test.ts");

const COUNT = 500;

/** The container's processes (PID 1 and its descendants, host pids) with their states. */
function processes(pid1: number): { pid: number; state: string; comm: string }[] {
  return [pid1, ...readDescendants(pid1)].flatMap((pid) => {
    const stat = readStat(pid);
    return stat === null ? [] : [{ pid, state: stat.state, comm: stat.comm }];
  });
}

Deno.test({
  name: `an orphan storm (${COUNT} processes) in the container leaves no zombie`,
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer({
      services: {
        idle: { process: { argv: service("idle") } },
        storm: {
          process: {
            argv: [
              IMAGE.deno,
              "run",
              "-A",
              "--cached-only",
              `${IMAGE.services}/storm.ts`,
              `${COUNT}`,
            ],
          },
          nimi: { type: "oneshot" },
        },
      },
    });
    try {
      const pid1 = await c.pid();
      // While the storm runs: the storm's processes that nimi adopted (their parent is gone).
      // nimi's own children other than the two services, running or zombies.
      const adopted = new Set<number>();
      const services = new Set<number>();
      let storming = true;
      const watch = (async () => {
        while (storming) {
          for (const pid of readChildren(pid1)) {
            if (services.has(pid) || adopted.has(pid)) continue;
            const line = cmdline(pid);
            if (/service\.ts|storm\.ts/.test(line)) services.add(pid);
            else if (line.endsWith("--version\0") || readStat(pid)?.state === "Z") adopted.add(pid);
          }
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      try {
        await c.waitFor(new RegExp(`storm +\\| storm started ${COUNT}`), 180_000);
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        storming = false;
        await watch;
      }
      Deno.stderr.writeSync(
        new TextEncoder().encode(`  nimi adopted at least ${adopted.size} orphans\n`),
      );
      assert.ok(adopted.size > 0, "no orphan of the storm was seen as a child of nimi");
      const end = Date.now() + 30_000;
      let left = processes(pid1);
      // Wait until every process of the storm has ended and been reaped: what stays is nimi
      // and the idle service (its Deno).
      while (
        left.some((p) => p.state === "Z" || p.pid !== pid1 && !isIdle(p.pid)) && Date.now() < end
      ) {
        await new Promise((r) => setTimeout(r, 100));
        left = processes(pid1);
      }
      const zombies = left.filter((p) => p.state === "Z");
      assert.deepEqual(zombies, [], `zombies left in the container:\n${await c.logs()}`);
      assert.deepEqual(
        left.filter((p) => p.pid !== pid1 && !isIdle(p.pid)),
        [],
        "processes of the storm still running",
      );
      assert.ok(readStat(pid1) !== null, "nimi is still running");
      await c.waitFor(/idle +\| idle ready/);
    } finally {
      await c.remove();
    }
  },
});

/** A process's command line ("" once it is gone or a zombie). */
function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`);
  } catch (e) {
    if (isProcessGone(e)) return "";
    throw e;
  }
}

/** Whether a process is the idle service (its command line names it). */
function isIdle(pid: number): boolean {
  return cmdline(pid).includes("service.ts\0idle");
}
