/**
 * nimi as PID 1 of a real podman container (the test image of tests/harness/podman.ts, no
 * `--init`): it starts the services, gives them their configData, and has nothing else.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  containerLayout,
  IMAGE,
  layoutFiles,
  nimiImage,
  podman,
  podmanOk,
} from "../harness/podman.ts";
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

Deno.test({
  name: "the image's layout is nix/container-layout.json: /tmp for services, users for nimi.user",
  ignore: skip !== null,
  fn: async () => {
    const layout = await containerLayout();
    const nobody = layout.users.find((u) => u.name === "nobody");
    assert.ok(nobody, "the layout lists nobody");
    const c = await startContainer({
      services: {
        tmp: { process: { argv: service("tmp", "--write", "/tmp") } },
        low: { process: { argv: service("low", "--id") }, nimi: { user: "nobody" } },
      },
    });
    try {
      await c.waitFor(/tmp +\| tmp ready/);
      await c.waitFor(/low +\| low ready/);
      const logs = await c.logs();
      assert.match(logs, /tmp +\| tmp wrote to \/tmp/);
      assert.match(
        logs,
        new RegExp(`low +\\| low uid=${nobody.uid} gid=${nobody.gid} home=${nobody.home}`),
      );
      const { passwd } = layoutFiles(layout);
      const image = await nimiImage();
      // The files as the Nix image has them (nix/lib/image-root.nix writes the same format).
      const mounted = await podmanOk(["image", "mount", image]);
      try {
        assert.equal(await Deno.readTextFile(`${mounted.trim()}/etc/passwd`), passwd);
        for (const d of layout.directories) {
          const info = await Deno.stat(`${mounted.trim()}${d.path}`);
          assert.equal(
            (info.mode! & 0o7777).toString(8).padStart(4, "0"),
            d.mode.padStart(4, "0"),
            d.path,
          );
        }
      } finally {
        await podman(["image", "unmount", image]);
      }
    } finally {
      await c.remove();
    }
  },
});
