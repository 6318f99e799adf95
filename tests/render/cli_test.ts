import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";
import { fixture } from "./helpers.ts";
import { TARGETS } from "../../src/render/mod.ts";

Deno.test("nimi render prints a warning naming service, feature and target, and exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-cli-" });
  try {
    const r = await runCli([
      "--config",
      fixture("full.json"),
      "render",
      "--to",
      "launchd",
      "--out",
      `${dir}/out`,
      "--state-dir",
      `${dir}/state`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `launchd: wrote 5 files to ${dir}/out\n`);
    assert.match(
      r.stderr,
      /^nimi: warning: launchd: service "web": readiness probe \(http\): launchd has no readiness/m,
    );
    assert.match(r.stderr, /^nimi: warning: launchd: service "db": stopSignal SIGINT: /m);
    // --state-dir given: the directories the output needs exist, private.
    const info = await Deno.stat(`${dir}/state/logs`);
    assert.ok(info.isDirectory);
    assert.equal((await Deno.stat(`${dir}/state`)).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi render rejects an unknown --to, listing the targets (exit 2)", async () => {
  const r = await runCli(["-c", fixture("chain.json"), "render", "--to", "upstart", "--out", "x"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `nimi: unknown render target "upstart" (--to); expected one of: ${
      TARGETS.map((t) => t.name).join(", ")
    }\n`,
  );
  assert.match(r.stderr, /systemd, procfile, compose, kubernetes, kubernetes-pod, supervisord/);
});

Deno.test("nimi render needs --to and --out (exit 2)", async () => {
  let r = await runCli(["-c", fixture("chain.json"), "render", "--out", "x"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^nimi: "nimi render" needs --to TARGET; targets: systemd, /);
  r = await runCli(["-c", fixture("chain.json"), "render", "--to", "systemd"]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `nimi: "nimi render" needs --out DIR (the directory to write into)\n`);
});

Deno.test("nimi render --user puts state under XDG_STATE_HOME and --prefix names units", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-cli-user-" });
  try {
    const r = await runCli(
      [
        "-c",
        fixture("chain.json"),
        "render",
        "--to",
        "systemd",
        "--user",
        "--prefix",
        "dev-",
        "--out",
        dir,
      ],
      { env: { XDG_STATE_HOME: `${dir}/xdg-state` } },
    );
    assert.equal(r.code, 0, r.stderr);
    const unit = await Deno.readTextFile(`${dir}/dev-web.service`);
    assert.match(
      unit,
      new RegExp(`^Environment=XDG_CONFIG_HOME=${dir}/xdg-state/dev-nimi/dev-web/config$`, "m"),
    );
    assert.match(unit, /^After=dev-db\.service$/m);
    assert.match(await Deno.readTextFile(`${dir}/dev-nimi.target`), /^WantedBy=default\.target$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi render refuses names a target would merge (exit 2)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-cli-clash-" });
  try {
    for (const to of ["kubernetes", "bsdrc"]) {
      const r = await runCli(["-c", fixture("clash.json"), "render", "--to", to, "--out", dir]);
      assert.equal(r.code, 2, to);
      assert.match(r.stderr, /services "a_b" and "a-b" both become "a[-_]b"/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
