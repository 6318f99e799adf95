/**
 * Scale and churn. 200 services (bench/soak.sh runs 1,000 and 2,000): all started, all
 * stopped within the stop timeout with no SIGKILL, fds per service counted, nothing left. A
 * service restarting as fast as its policy allows: nimi's memory stays flat, and its CPU use
 * drops back to (almost) nothing once the churn ends.
 */
import assert from "node:assert/strict";
import { cpuTicks, note, rssKiB, sandbox, spawnNimiToFiles, waitUntil } from "./helpers.ts";
import { processesWith } from "../pid1/nimi_helpers.ts";

const SCALE = Number(Deno.env.get("NIMI_SCALE_SERVICES") ?? 200);

/** nimi's open fds by kind: pipes, files, pidfds (Deno waits for each child on one), other. */
function fds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = { pipe: 0, file: 0, pidfd: 0, other: 0 };
  for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`);
    } catch {
      continue; // closed while listing
    }
    const kind = target.startsWith("pipe:")
      ? "pipe"
      : target.includes("pidfd")
      ? "pidfd"
      : target.startsWith("/")
      ? "file"
      : "other";
    kinds[kind]!++;
  }
  return kinds;
}

Deno.test(`scale: ${SCALE} services start, stop within the timeout, and cost a bounded number of fds`, async () => {
  const box = await sandbox("scale");
  try {
    const mark = `${2000 + Math.floor(Math.random() * 1e6) / 1e3}`;
    const services: Record<string, unknown> = {};
    for (let i = 0; i < SCALE; i++) services[`s${i}`] = { process: { argv: ["sleep", mark] } };
    const file = await box.config({
      services,
      settings: { logging: { enable: true, logsDir: "logs" }, shutdown: { timeout: 10_000 } },
    });
    const nimi = spawnNimiToFiles(box.work, file);
    const t0 = performance.now();
    const started = async () =>
      [...(await Deno.readTextFile(nimi.stdout).catch(() => "")).matchAll(/: started \(pid/g)]
        .length;
    await waitUntil(
      `${SCALE} services started`,
      async () => (await started()) === SCALE,
      Math.max(60_000, SCALE * 100),
    );
    const startMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 300));
    const kinds = fds(nimi.child.pid);
    const open = Object.values(kinds).reduce((a, b) => a + b, 0);
    const rss = rssKiB(nimi.child.pid)!;
    const t1 = performance.now();
    Deno.kill(nimi.child.pid, "SIGTERM");
    const status = await nimi.child.status;
    const stopMs = performance.now() - t1;
    const out = await Deno.readTextFile(nimi.stdout) + await Deno.readTextFile(nimi.stderr);
    note(
      `  scale: ${SCALE} services: started in ${startMs.toFixed(0)} ms, stopped in ` +
        `${stopMs.toFixed(0)} ms, ${open} fds (${(open / SCALE).toFixed(2)} per service: ${
          JSON.stringify(kinds)
        }), RSS ${rss >> 10} MiB`,
    );
    assert.equal(status.code, 0, await Deno.readTextFile(nimi.stderr));
    assert.doesNotMatch(out, /SIGKILL/, "a service needed SIGKILL: not stopped within the timeout");
    // Each service: its stdout and stderr pipes, its log file and the pidfd Deno waits on.
    assert.ok(kinds.pipe! <= 2 * SCALE + 16, `${kinds.pipe} pipes`);
    assert.ok(kinds.file! <= SCALE + 32, `${kinds.file} files`);
    assert.ok(open <= 4 * SCALE + 64, `${open} fds for ${SCALE} services`);
    assert.deepEqual(processesWith(mark), [], "service processes left");
  } finally {
    await box.remove();
  }
});

Deno.test("churn: a service restarting as fast as it may leaves nimi's memory flat and its CPU idle after", async () => {
  const box = await sandbox("churn");
  try {
    const file = await box.config({
      services: {
        churn: {
          process: {
            argv: ["/bin/sh", "-c", "[ -e stop ] && exec sleep 1000; echo crash; exit 1"],
          },
          nimi: { restart: { mode: "always", time: 0, resetAfter: 0 } },
        },
      },
      settings: { logging: { enable: true, logsDir: "logs" } },
    });
    const nimi = spawnNimiToFiles(box.work, file);
    const pid = nimi.child.pid;
    await waitUntil(
      "churn started",
      async () => (await Deno.readTextFile(nimi.stdout).catch(() => "")).includes("crash"),
    );
    await new Promise((r) => setTimeout(r, 2000));
    const early = rssKiB(pid)!;
    const peakEarly = early;
    let peak = early;
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 100));
      peak = Math.max(peak, rssKiB(pid)!);
    }
    const late = rssKiB(pid)!;
    const restarts =
      [...(await Deno.readTextFile(nimi.stdout)).matchAll(/churn +\| crash/g)].length;
    await Deno.writeTextFile(`${box.work}/stop`, "");
    await waitUntil("churn settled", async () => {
      const out = await Deno.readTextFile(nimi.stdout) + await Deno.readTextFile(nimi.stderr);
      return out.lastIndexOf("started (pid") > out.lastIndexOf("crash");
    });
    // Let the reaper's backstop sweep and any pending timers run out (the heap compaction comes
    // 2 s after the last state change, src/cli/run_cmd.ts), then measure.
    await new Promise((r) => setTimeout(r, 3000));
    const before = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, 3000));
    const idleTicks = cpuTicks(pid) - before;
    note(
      `  churn: ${restarts} restarts in ~6 s; RSS ${peakEarly >> 10} MiB after 2 s, ${
        late >> 10
      } MiB after 6 s ` +
        `(peak ${peak >> 10}); ${idleTicks} CPU ticks in 3 s idle afterwards`,
    );
    assert.ok(restarts > 100, `only ${restarts} restarts`);
    assert.ok(late - early < 16 * 1024, `RSS grew ${(late - early) >> 10} MiB during the churn`);
    // 3 s at 100 ticks/s: a busy nimi would use hundreds; an idle one a handful.
    assert.ok(idleTicks <= 10, `${idleTicks} ticks of CPU while idle`);
    Deno.kill(pid, "SIGTERM");
    assert.equal((await nimi.child.status).code, 0);
  } finally {
    await box.remove();
  }
});
