/**
 * nimi as PID 1 of a real podman container (the test image of tests/harness/podman.ts, no
 * `--init`): it starts the services, gives them their configData, and has nothing else.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IMAGE, nimiImage, podman, podmanOk } from "../harness/podman.ts";
import { readStat } from "../../src/pid1/proc.ts";
import { containerSkip, service, startContainer } from "./helpers.ts";

const skip = await containerSkip("tests/container/run_test.ts");

Deno.test({
  name: "the test image has nimi as entrypoint, and no shell",
  ignore: skip !== null,
  fn: async () => {
    const image = await nimiImage();
    const entrypoint = JSON.parse(
      await podmanOk(["image", "inspect", "--format", "{{json .Config.Entrypoint}}", image]),
    );
    assert.deepEqual(entrypoint.slice(-1), [IMAGE.entry]);
    assert.equal(entrypoint[0], IMAGE.deno);
    assert.match(
      await podmanOk(["run", "--rm", "--network", "none", image, "--version"]),
      /^nimi /,
    );
    for (const shell of ["/bin/sh", "/usr/bin/env", "/bin/ls"]) {
      const r = await podman(["run", "--rm", "--network", "none", "--entrypoint", shell, image]);
      assert.notEqual(r.code, 0, `${shell} exists in the image`);
    }
  },
});

Deno.test({
  name: "podman run without --init: nimi is PID 1, starts the services, configData works",
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer({
      services: {
        web: {
          process: { argv: service("web", "--cat", "web/greeting.txt") },
          configData: { greeting: { path: "web/greeting.txt", text: "hello from configData\n" } },
        },
        worker: { process: { argv: service("worker") } },
      },
    });
    try {
      const logs = await c.waitFor(/web +\| web ready[\s\S]*|worker +\| worker ready/);
      await c.waitFor(/web +\| web ready/);
      await c.waitFor(/worker +\| worker ready/);
      assert.match(await c.logs(), /web +\| web read: hello from configData/, logs);
      const pid = await c.pid();
      const stat = readStat(pid);
      assert.ok(stat !== null, "PID 1 of the container is alive");
      // PID 1 in its namespace: NSpid's last field is 1.
      const status = await Deno.readTextFile(`/proc/${pid}/status`);
      assert.match(status, /^NSpid:\s+\d+\s+1$/m);
      assert.equal(stat.comm, "deno", "PID 1 is nimi (the Deno runtime), not an init");
    } finally {
      await c.remove();
    }
  },
});
