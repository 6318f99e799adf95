/**
 * Acceptance 3 of the PID 1 issue, in every mode: SIGHUP, SIGUSR1 and SIGUSR2 sent to nimi
 * reach each service that asks for them (a service with `reloadSignal` gets that on SIGHUP),
 * and SIGUSR1 opens no inspector on port 9229.
 */
import assert from "node:assert/strict";
import { listeningPorts } from "./helpers.ts";
import {
  exited,
  type Mode,
  type Nimi,
  setup,
  startNimi,
  step,
  untilSinceSpawn,
  writeConfig,
} from "./nimi_helpers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A shell service that prints each signal it traps. */
function trapper(name: string, mark: string): string[] {
  const traps = ["HUP", "USR1", "USR2"].map((s) => `trap 'echo ${name} got ${s}' ${s}; `).join("");
  return [
    "/bin/sh",
    "-c",
    `${traps}trap 'exit 0' TERM; echo ${name} ready; while :; do sleep ${mark} & wait $!; done`,
  ];
}

function count(nimi: Nimi, text: string): number {
  return nimi.stdout().split("\n").filter((l) => l.endsWith(`| ${text}`)).length;
}

async function forward(mode: Mode, dir: string): Promise<void> {
  const mark = `${4000 + Math.floor(Math.random() * 1e6) / 1e3}`;
  const config = await writeConfig(dir, "forward.json", {
    services: {
      a: { process: { argv: trapper("a", mark) } },
      b: { process: { argv: trapper("b", mark) } },
      // Takes SIGHUP only, and as SIGUSR2 (its reload signal).
      c: {
        process: { argv: trapper("c", mark) },
        nimi: { forwardSignals: ["SIGHUP"], reloadSignal: "SIGUSR2" },
      },
    },
  });
  const nimi = await startNimi(mode, config);
  try {
    for (const s of ["a", "b", "c"]) await nimi.waitFor(new RegExp(`^${s} +\\| ${s} ready$`, "m"));
    // After Deno's own handlers are installed (about 500 ms), when an inspector would open.
    await untilSinceSpawn(nimi, 800);

    Deno.kill(nimi.pid, "SIGHUP");
    await nimi.waitFor(/^a +\| a got HUP$/m);
    await nimi.waitFor(/^b +\| b got HUP$/m);
    await nimi.waitFor(/^c +\| c got USR2$/m);

    Deno.kill(nimi.pid, "SIGUSR1");
    await nimi.waitFor(/^a +\| a got USR1$/m);
    await nimi.waitFor(/^b +\| b got USR1$/m);
    // The inspector opens asynchronously after the signal: watch for a second.
    for (let i = 0; i < 50; i++) {
      assert.ok(!listeningPorts(nimi.pid).has(9229), "nimi listens on 9229 after SIGUSR1");
      assert.doesNotMatch(nimi.stderr(), /Debugger listening/);
      await sleep(20);
    }

    Deno.kill(nimi.pid, "SIGUSR2");
    await nimi.waitFor(/^a +\| a got USR2$/m);
    await nimi.waitFor(/^b +\| b got USR2$/m);

    Deno.kill(nimi.pid, "SIGTERM");
    const status = await exited(nimi);
    assert.equal(status.code, 0, nimi.stdout());
    for (const s of ["a", "b"]) {
      for (const sig of ["HUP", "USR1", "USR2"]) assert.equal(count(nimi, `${s} got ${sig}`), 1);
    }
    assert.equal(count(nimi, "c got HUP"), 0, "c's reload signal replaces SIGHUP");
    assert.equal(count(nimi, "c got USR1"), 0, "c does not take SIGUSR1");
    assert.equal(count(nimi, "c got USR2"), 1, "c got only its reload signal");
  } finally {
    await nimi.kill();
  }
}

Deno.test("nimi run forwards SIGHUP, SIGUSR1 and SIGUSR2 and opens no inspector", async (t) => {
  const { modes, dir, cleanup } = await setup();
  try {
    for (const mode of modes) await step(t, mode, mode.name, () => forward(mode, dir));
  } finally {
    await cleanup();
  }
});
