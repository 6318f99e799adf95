/**
 * The container lifecycle with nimi as PID 1 of a podman container: `podman stop` stops the
 * services gracefully and the container exits 0 before podman's SIGKILL, `podman kill
 * --signal` reaches the services and opens no inspector, and a failing service's exit code is
 * the container's.
 *
 * @module
 */
import assert from "node:assert/strict";
import { podmanOk } from "../harness/podman.ts";
import { containerSkip, service, startContainer } from "./helpers.ts";

const skip = await containerSkip("tests/container/lifecycle_test.ts");

/** Two long-running services. */
const TWO = {
  services: {
    web: { process: { argv: service("web") } },
    worker: { process: { argv: service("worker") } },
  },
};

/** Whether any socket of a network namespace listens on a TCP port (host /proc of a member). */
async function listens(pid: number, port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["tcp", "tcp6"]) {
    const lines = (await Deno.readTextFile(`/proc/${pid}/net/${file}`)).split("\n").slice(1);
    // Fields: sl local_address rem_address st ...; st 0A is LISTEN.
    if (lines.some((l) => l.trim().split(/\s+/)[1]?.endsWith(`:${hex}`) && / 0A /.test(l))) {
      return true;
    }
  }
  return false;
}

Deno.test({
  name: "podman stop stops the services gracefully and the container exits 0 before SIGKILL",
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer(TWO);
    try {
      await c.waitFor(
        /web +\| web ready[\s\S]*worker +\| worker ready|worker +\| worker ready[\s\S]*web +\| web ready/,
      );
      const started = performance.now();
      // podman's default: SIGTERM, then SIGKILL after 10 s.
      await podmanOk(["stop", "--time", "10", c.name], { timeoutMs: 30_000 });
      const took = performance.now() - started;
      const code = (await podmanOk(["inspect", "--format", "{{.State.ExitCode}}", c.name])).trim();
      Deno.stderr.writeSync(new TextEncoder().encode(`  podman stop took ${took.toFixed(0)} ms\n`));
      const logs = await c.logs();
      assert.equal(code, "0", `exit code (137 would be podman's SIGKILL)\n${logs}`);
      assert.match(logs, /web +\| web got SIGTERM/);
      assert.match(logs, /worker +\| worker got SIGTERM/);
      assert.match(logs, /nimi +\| exiting with code 0/);
      assert.doesNotMatch(logs, /SIGKILL/);
    } finally {
      await c.remove();
    }
  },
});

Deno.test({
  name: "podman kill --signal HUP, USR1 and USR2 reach the services and open no inspector",
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer(TWO);
    try {
      await c.waitFor(
        /web +\| web ready[\s\S]*worker +\| worker ready|worker +\| worker ready[\s\S]*web +\| web ready/,
      );
      const pid = await c.pid();
      for (const signal of ["HUP", "USR1", "USR2"]) {
        await podmanOk(["kill", "--signal", signal, c.name]);
        await c.waitFor(new RegExp(`web +\\| web got SIG${signal}`));
        await c.waitFor(new RegExp(`worker +\\| worker got SIG${signal}`));
      }
      // Deno's inspector would listen on 127.0.0.1:9229 after SIGUSR1 (docs/container.md).
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await listens(pid, 9229), false, "something listens on 9229 in the container");
      assert.equal(
        (await podmanOk(["inspect", "--format", "{{.State.Running}}", c.name])).trim(),
        "true",
        "nimi keeps running after the signals",
      );
    } finally {
      await c.remove();
    }
  },
});

Deno.test({
  name: "a failing service's exit code comes out of podman wait",
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer({
      services: {
        web: { process: { argv: service("web") } },
        broken: { process: { argv: service("broken", "--exit", "3", "--after", "300") } },
      },
      settings: { restart: { mode: "never" }, shutdown: { stopOnFailure: true } },
    });
    try {
      const code = (await podmanOk(["wait", c.name], { timeoutMs: 60_000 })).trim();
      const logs = await c.logs();
      assert.equal(code, "3", logs);
      assert.match(logs, /web +\| web got SIGTERM/, "the other service was stopped");
    } finally {
      await c.remove();
    }
  },
});
