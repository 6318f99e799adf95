import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderBsdrc } from "../../src/render/bsdrc.ts";
import { renderOpenrc } from "../../src/render/openrc.ts";
import { alive, fixture, readOrEmpty, renderTo, run, waitFor } from "./helpers.ts";

for (const target of ["sysvinit", "openrc", "bsdrc"]) {
  Deno.test(`every rendered ${target} script passes sh -n`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `nimi-render-${target}-` });
    try {
      for (const file of ["full.json", "restart.json", "chain.json"]) {
        const result = await renderTo(target, fixture(file), `${dir}/${file}`, {
          stateDir: "/var/lib/nimi",
          prefix: "p-",
        });
        assert.ok(result.files.length > 0);
        for (const f of result.files) {
          const r = await run("sh", ["-n", `${dir}/${file}/${f.path}`]);
          assert.equal(r.code, 0, `${f.path}: ${r.stderr}`);
          assert.equal(f.mode, 0o755);
        }
      }
      // sh -n can fail: a broken script is caught.
      await Deno.writeTextFile(`${dir}/broken`, "case x in\n");
      assert.notEqual((await run("sh", ["-n", `${dir}/broken`])).code, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("renderOpenrc() writes depend(), supervise-daemon respawn and retry", async () => {
  const config = await loadConfig(fixture("full.json"));
  const r = renderOpenrc(config, { prefix: "", user: false, stateDir: "/s", rawConfig: null });
  const web = r.files.find((f) => f.path === "init.d/web")!.content;
  assert.match(web, /^ {2}need db migrate$/m);
  assert.match(web, /^supervisor=supervise-daemon$/m);
  assert.match(web, /^respawn_max=3$/m);
  assert.match(web, /^command_user=daemon:1$/m);
  const db = r.files.find((f) => f.path === "init.d/db")!.content;
  assert.match(db, /^retry=INT\/3\/KILL\/5$/m);
  assert.match(db, /^start_post\(\) \{\n {2}until \/bin\/true/m);
});

Deno.test("renderBsdrc() writes rcorder REQUIRE and daemon(8) restarts", async () => {
  const config = await loadConfig(fixture("full.json"));
  const r = renderBsdrc(config, { prefix: "a-", user: false, stateDir: "/s", rawConfig: null });
  const web = r.files.find((f) => f.path === "rc.d/a_web")!.content;
  assert.match(web, /^# PROVIDE: a-web$/m);
  assert.match(web, /^# REQUIRE: LOGIN a-db a-migrate$/m);
  assert.match(web, /^name=a_web$/m);
  assert.match(web, /-r -R 1 -u daemon --/);
  const cache = r.files.find((f) => f.path === "rc.d/a_stack_cache")!.content;
  assert.match(cache, /^# REQUIRE: LOGIN a-stack$/m);
});

Deno.test("a rendered sysvinit script starts, reports status of and stops a real service", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-sysv-run-" });
  const state = `${dir}/state`;
  const script = (name: string) => `${dir}/out/init.d/t-${name}`;
  const env = { NIMI_TEST_DIR: dir, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const pids: number[] = [];
  try {
    await renderTo("sysvinit", fixture("chain.json"), `${dir}/out`, {
      stateDir: state,
      prefix: "t-",
    });
    let r = await run(script("db"), ["status"], { env });
    assert.equal(r.code, 3, "status before start: not running (LSB 3)");

    for (const name of ["db", "web"]) {
      r = await run(script(name), ["start"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Started t-${name} \\(pid \\d+\\)`));
    }
    const pid = Number((await Deno.readTextFile(`${state}/t-web/pid`)).trim());
    pids.push(pid, Number((await Deno.readTextFile(`${state}/t-db/pid`)).trim()));
    assert.ok(alive(pid));
    r = await run(script("web"), ["status"], { env });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `t-web is running (pid ${pid})\n`);
    await waitFor(
      "web's output",
      async () =>
        (await readOrEmpty(`${state}/t-web/output.log`)).includes(
            "web says hello from configData on 8080",
          )
          ? true
          : undefined,
    );
    // The service runs as its own process group leader, so stop reaches its children.
    assert.equal(Number((await Deno.readTextFile(`/proc/${pid}/stat`)).split(" ")[4]), pid);

    r = await run(script("web"), ["start"], { env });
    assert.match(r.stdout, /already running/);

    for (const name of ["web", "db"]) {
      r = await run(script(name), ["stop"], { env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Stopped t-${name}\n`);
    }
    assert.ok(!pids.some(alive), "service left after stop");
    r = await run(script("web"), ["status"], { env });
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "t-web is not running\n");
  } finally {
    for (const p of pids) if (alive(p)) Deno.kill(-p, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
