/**
 * The shared end-to-end check for s6 and runit: render `restart.json`, run it under the real
 * scanner, and watch readiness order, restart counts, a restart after a kill, and the stop.
 *
 * @module
 */
import assert from "node:assert/strict";
import { alive, fixture, readOrEmpty, renderTo, waitFor } from "./helpers.ts";

/** How to drive one supervision suite. */
export interface Suite {
  /** Target name. */
  target: string;
  /** Argv of the scanner for a scan directory. */
  scanner: (scanDir: string) => string[];
  /** Whether a service is down and will stay down (not wanted up). */
  downForGood: (serviceDir: string) => Promise<boolean>;
  /** Stops the scanner and everything under it. */
  stop: (scanDir: string, child: Deno.ChildProcess) => Promise<void>;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

/**
 * Runs the check.
 *
 * @param suite The supervisor's specifics.
 */
export async function checkSupervision(suite: Suite): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `nimi-render-${suite.target}-` });
  const scan = `${dir}/scan`;
  let child: Deno.ChildProcess | undefined;
  const pids: number[] = [];
  try {
    await renderTo(suite.target, fixture("restart.json"), scan, { stateDir: `${dir}/state` });
    const [program, ...args] = suite.scanner(scan);
    child = new Deno.Command(program!, {
      args,
      env: { NIMI_TEST_DIR: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const pidOf = (name: string) =>
      waitFor(`${name}.pid`, async () => {
        const t = (await readOrEmpty(`${dir}/${name}.pid`)).trim();
        return t === "" ? undefined : Number(t);
      });

    // steady depends on base being ready (its exec probe sees base's line): order is fixed.
    await waitFor(
      "base and steady to start",
      async () => lines(await readOrEmpty(`${dir}/order`)).length >= 2 ? true : undefined,
    );
    assert.deepEqual(lines(await readOrEmpty(`${dir}/order`)).slice(0, 2), [
      "base",
      "steady configured",
    ]);
    pids.push(await pidOf("base"));

    // up-to-count 2: three runs, then down for good; a oneshot that succeeded runs once.
    await waitFor(
      "flaky to give up",
      async () => (await suite.downForGood(`${scan}/flaky`)) ? true : undefined,
    );
    assert.equal(lines(await readOrEmpty(`${dir}/flaky.runs`)).length, 3);
    await waitFor(
      "once to finish",
      async () => (await suite.downForGood(`${scan}/once`)) ? true : undefined,
    );
    assert.equal(lines(await readOrEmpty(`${dir}/once.runs`)).length, 1);

    // restart mode always: a killed service comes back.
    const first = await pidOf("steady");
    pids.push(first);
    Deno.kill(first, "SIGKILL");
    const second = await waitFor("steady to restart", async () => {
      const t = Number((await readOrEmpty(`${dir}/steady.pid`)).trim());
      return t !== first && t > 0 ? t : undefined;
    });
    pids.push(second);
    assert.equal(
      lines(await readOrEmpty(`${dir}/order`)).filter((l) => l.startsWith("steady")).length,
      2,
    );

    await suite.stop(scan, child);
    child = undefined;
    await waitFor("services to stop", () => (pids.some(alive) ? undefined : true));
  } finally {
    if (child !== undefined) await suite.stop(scan, child);
    for (const p of pids) if (alive(p)) Deno.kill(p, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
}
