/**
 * Deno 2.9.2 and later open an inspector on 127.0.0.1:9229 when the process gets SIGUSR1 (once
 * Deno's own handler is installed, about 500 ms after start), even with a JavaScript listener;
 * nimi pins Deno 2.9.1. These tests fail if a Deno upgrade brings that back: checked against
 * Deno 2.9.6, where the inspector listens within about 150 ms of the signal.
 */
import assert from "node:assert/strict";
import {
  findDescendant,
  listeningPorts,
  pid1Prefix,
  REPO,
  type Running,
  signal,
  start,
} from "./helpers.ts";

const PROBE = `${REPO}tests/pid1/fixtures/usr1_probe.ts`;
const INSPECTOR_PORT = 9229;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fails as soon as the process listens on 9229 or says so, during `ms`. */
async function watchForInspector(run: Running, pid: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  do {
    assert.ok(
      !listeningPorts(pid).has(INSPECTOR_PORT) && !/Debugger listening/.test(run.stderr()),
      `Deno ${Deno.version.deno} opened an inspector on SIGUSR1:\n${run.stderr()}`,
    );
    await sleep(20);
  } while (Date.now() < end);
}

async function checkNoInspector(prefix: string[]): Promise<void> {
  const run = start([...prefix, Deno.execPath(), "run", "-A", PROBE]);
  try {
    await run.waitFor(/^ready \d+$/m);
    const pid = prefix.length === 0 ? run.child.pid : await findDescendant(run.child.pid, "deno");
    // The check must be able to see a listener of this process: the probe opens one on USR2.
    signal(pid, "SIGUSR2");
    const m = await run.waitFor(/^listening on (\d+)$/m);
    assert.ok(listeningPorts(pid).has(Number(m[1])), "the listener check sees nothing");
    // Once early (before Deno's own handlers exist) and once after they are installed; the
    // inspector opens asynchronously, so its absence is watched for a second each time.
    for (const [i, delay] of [0, 800].entries()) {
      await sleep(delay);
      signal(pid, "SIGUSR1");
      await run.waitFor(new RegExp(`(^got SIGUSR1$[^]*){${i + 1}}`, "m"));
      await watchForInspector(run, pid, 1000);
    }
    signal(pid, "SIGTERM");
    assert.equal((await run.done).code, 0);
  } finally {
    signal(run.child.pid, "SIGKILL");
    await run.done;
  }
}

Deno.test("SIGUSR1 does not open Deno's inspector", async (t) => {
  await t.step("in a plain process", () => checkNoInspector([]));
  await t.step("as PID 1 of a PID namespace", () => checkNoInspector(pid1Prefix()));
});
