/**
 * The cygrunsrv target: `sh -n` accepts both scripts, and `install.sh` run against a recording
 * stand-in for cygrunsrv (Windows-only: it cannot run here) passes exactly the expected
 * arguments, in dependency order; the `--args` string, split as cygrunsrv splits it, gives the
 * program its argv unchanged.
 */
import assert from "node:assert/strict";
import { fixture, QUOTING_ARGS_OUTPUT, renderTo, run } from "./helpers.ts";

async function recordInstall(config: string, dir: string): Promise<string[][]> {
  await renderTo("cygrunsrv", config, `${dir}/out`, { stateDir: `${dir}/state`, prefix: "p-" });
  for (const f of ["install.sh", "uninstall.sh"]) {
    const r = await run("sh", ["-n", `${dir}/out/${f}`]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
  await Deno.mkdir(`${dir}/bin`);
  // Records each call's arguments, NUL-separated, one call a line.
  await Deno.writeTextFile(
    `${dir}/bin/cygrunsrv`,
    `#!/bin/sh\nprintf '%s\\0' "$@" >> ${dir}/calls\nprintf '\\n' >> ${dir}/calls\n`,
    { mode: 0o755 },
  );
  const r = await run("sh", [`${dir}/out/install.sh`], {
    env: { PATH: `${dir}/bin:${Deno.env.get("PATH")}` },
  });
  assert.equal(r.code, 0, r.stderr);
  return (await Deno.readTextFile(`${dir}/calls`)).split("\0\n").filter((l) => l !== "").map((
    l,
  ) => l.split("\0"));
}

Deno.test("cygrunsrv: install.sh passes the exact arguments, in dependency order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-cygrunsrv-" });
  try {
    const calls = await recordInstall(fixture("full.json"), dir);
    const names = calls.map((c) => c[1]);
    assert.ok(names.indexOf("p-db") < names.indexOf("p-migrate"));
    assert.ok(names.indexOf("p-migrate") < names.indexOf("p-web"));
    const db = calls.find((c) => c[1] === "p-db")!;
    assert.deepEqual(db, [
      "--install",
      "p-db",
      "--path",
      "/bin/sh",
      "--disp",
      "p-db (nimi service)",
      "--args",
      `-c 'echo db up; exec sleep 1000'`,
      "--termsig",
      "INT",
      "--stdout",
      `${dir}/state/p-db/output.log`,
      "--stderr",
      `${dir}/state/p-db/output.log`,
      "--shutdown",
    ]);
    const web = calls.find((c) => c[1] === "p-web")!;
    assert.deepEqual(web.filter((_, i) => web[i - 1] === "--dep"), ["p-db", "p-migrate"]);
    assert.ok(web.includes(`XDG_CONFIG_HOME=${dir}/state/p-web/config`), web.join(" "));
    assert.equal(web[web.indexOf("--chdir") + 1], "/tmp");
    const stat = await Deno.stat(`${dir}/state/p-web`);
    assert.ok(stat.isDirectory, "install.sh creates the output files' directory");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cygrunsrv: --args split as a shell would gives the program its argv unchanged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-cygrunsrv-" });
  try {
    const calls = await recordInstall(fixture("quoting.json"), dir);
    const args = calls.find((c) => c[1] === "p-args")!;
    const path = args[args.indexOf("--path") + 1]!;
    const line = args[args.indexOf("--args") + 1]!;
    const r = await run("sh", ["-c", `eval "set -- $1"; exec "$0" "$@"`, path, line]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, QUOTING_ARGS_OUTPUT);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
