import assert from "node:assert/strict";
import { validateConfig } from "../../src/config/mod.ts";
import { memorySink } from "../helpers/memory_sink.ts";
import type { Clock } from "../../src/supervisor/clock.ts";
import { GroupWatcher } from "../../src/supervisor/process_group.ts";
import { readyAtSpawn, ServiceRunner } from "../../src/supervisor/service.ts";
import { denoSpawner } from "../../src/supervisor/spawner.ts";

/** A clock that only moves when told to: sleeps are recorded and return at once. */
class FakeClock implements Clock {
  t = 0;
  sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve(!signal.aborted);
  }
}

Deno.test("ServiceRunner.run() waits the backoff delays and resets after a stable run", async () => {
  const config = validateConfig({
    services: { svc: { process: { argv: ["/bin/false"] } } },
    settings: {
      restart: {
        mode: "up-to-count",
        count: 4,
        time: 100,
        backoff: 2,
        maxTime: 300,
        resetAfter: 1000,
      },
    },
  }, "test.json");
  const clock = new FakeClock();
  // How long each run lasts on the fake clock: the third is stable.
  const durations = [10, 10, 2000, 10, 10, 10, 10];
  let spawns = 0;
  const { sink, text } = await memorySink(["svc"]);
  const runner = new ServiceRunner(config.services[0]!, {
    sink,
    clock,
    spawner: (program, options) => {
      clock.t += durations[spawns++] ?? 0;
      return denoSpawner(program, options);
    },
    groups: new GroupWatcher(),
    registry: null,
    waitReady: readyAtSpawn,
    onProgress: () => {},
  });
  const end = await runner.run();
  await sink.close();
  assert.deepEqual(clock.sleeps, [100, 200, 100, 200, 300, 300]);
  assert.equal(spawns, 7);
  assert.deepEqual(end, { ending: "failure", code: 1, stopped: false });
  assert.match(text(), /restarting in 0\.3s \(restart 4 of 4\)/);
  assert.match(text(), /not restarted: restarted 4 of 4 times already/);
});

Deno.test("ServiceRunner.stop() cancels a pending restart delay", async () => {
  const config = validateConfig({
    services: { svc: { process: { argv: ["/bin/false"] } } },
    settings: { restart: { mode: "always", time: 60000 } },
  }, "test.json");
  const { sink } = await memorySink(["svc"]);
  let runner: ServiceRunner | null = null;
  const clock: Clock = {
    now: () => 0,
    sleep: (_ms, signal) => {
      void runner!.stop();
      return Promise.resolve(!signal.aborted);
    },
  };
  runner = new ServiceRunner(config.services[0]!, {
    sink,
    clock,
    spawner: denoSpawner,
    groups: new GroupWatcher(),
    registry: null,
    waitReady: readyAtSpawn,
    onProgress: () => {},
  });
  const end = await runner.run();
  await sink.close();
  assert.equal(end.stopped, true);
});
