import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderSupervisord, supervisordQuote } from "../../src/render/supervisord.ts";
import { createStateDirs } from "../../src/render/mod.ts";
import { alive, fixture, freePort, readOrEmpty, renderTo, run, waitFor } from "./helpers.ts";

Deno.test("supervisordQuote() doubles % and keeps ; and # from starting a comment", () => {
  assert.equal(supervisordQuote("100%"), "100%%");
  assert.equal(supervisordQuote("a ;b #c"), "'a '';b ''#c'");
  assert.equal(supervisordQuote("a;b"), "'a;b'");
});

Deno.test("renderSupervisord() orders by priority and rejects line breaks", async () => {
  const config = await loadConfig(fixture("full.json"));
  const opts = { prefix: "", user: false, stateDir: "/s", rawConfig: null };
  const text = renderSupervisord(config, opts).files[0]!.content;
  const prio = (n: string) =>
    Number(text.match(new RegExp(`\\[program:${n}\\]\\n[^\\[]*?priority=(\\d+)`))![1]);
  assert.ok(prio("db") < prio("migrate") && prio("migrate") < prio("web"));
  assert.ok(prio("stack") < prio("stack-cache"));
  const bad = { ...config, services: [{ ...config.services[0]!, argv: ["/bin/echo", "a\nb"] }] };
  assert.throws(() => renderSupervisord(bad, opts), /line break/);
});

interface Running {
  child: Deno.ChildProcess;
  conf: string;
}

function startSupervisord(conf: string, env: Record<string, string>): Running {
  const child = new Deno.Command("supervisord", {
    args: ["-n", "-c", conf],
    env,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { child, conf };
}

async function stopSupervisord(r: Running): Promise<void> {
  r.child.kill("SIGTERM");
  await r.child.status;
}

async function programPid(conf: string, name: string): Promise<number> {
  return await waitFor(`pid of ${name}`, async () => {
    const r = await run("supervisorctl", ["-c", conf, "pid", name]);
    const pid = Number(r.stdout.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  });
}

Deno.test("supervisord runs the rendered config: dependency order and output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-supervisord-" });
  let sup: Running | undefined;
  try {
    const state = `${dir}/state`;
    const result = await renderTo("supervisord", fixture("chain.json"), `${dir}/out`, {
      stateDir: state,
    });
    await createStateDirs(result.directories);
    sup = startSupervisord(`${dir}/out/supervisord.conf`, {
      NIMI_TEST_DIR: dir,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    });
    await waitFor("web's output", async () =>
      (await readOrEmpty(`${state}/logs/web.log`)).includes(
          "web says hello from configData on 8080",
        )
        ? true
        : undefined);
    assert.match(await readOrEmpty(`${state}/logs/db.log`), /db started/);
    const log = await Deno.readTextFile(`${state}/supervisord.log`);
    const db = log.indexOf("spawned: 'db'");
    const web = log.indexOf("spawned: 'web'");
    assert.ok(db >= 0 && web > db, log);
    const pids = [
      await programPid(`${dir}/out/supervisord.conf`, "db"),
      await programPid(`${dir}/out/supervisord.conf`, "web"),
    ];
    assert.ok(pids.every(alive));
    await stopSupervisord(sup);
    sup = undefined;
    assert.ok(!pids.some(alive), "services left after supervisord stopped");
  } finally {
    if (sup) await stopSupervisord(sup);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("two prefixed instances run side by side under supervisord", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-instances-" });
  const running: Running[] = [];
  try {
    const ports = { a: freePort(), b: freePort() };
    assert.notEqual(ports.a, ports.b);
    for (const name of ["a", "b"] as const) {
      const state = `${dir}/${name}-state`;
      const result = await renderTo("supervisord", fixture("instance.json"), `${dir}/${name}`, {
        prefix: `${name}-`,
        stateDir: state,
      });
      await createStateDirs(result.directories);
      running.push(
        startSupervisord(`${dir}/${name}/supervisord.conf`, {
          PORT: String(ports[name]),
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        }),
      );
    }
    for (const name of ["a", "b"] as const) {
      const body = await waitFor(`instance ${name} to answer`, async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${ports[name]}/index.html`);
          return await res.text();
        } catch {
          return undefined; // not listening yet
        }
      });
      assert.equal(body, "hello from nimi\n");
      const state = `${dir}/${name}-state`;
      assert.match(await readOrEmpty(`${state}/logs/${name}-server.log`), /serving on/);
      assert.equal(
        await Deno.readTextFile(`${state}/${name}-server/config/index.html`),
        "hello from nimi\n",
      );
      await waitFor(`${name}-server to be RUNNING`, async () => {
        const st = await run("supervisorctl", ["-c", `${dir}/${name}/supervisord.conf`, "status"]);
        return new RegExp(`^${name}-server\\s+RUNNING`, "m").test(st.stdout) ? true : undefined;
      });
    }
    const pids = [
      await programPid(`${dir}/a/supervisord.conf`, "a-server"),
      await programPid(`${dir}/b/supervisord.conf`, "b-server"),
    ];
    for (const r of running.splice(0)) await stopSupervisord(r);
    assert.ok(!pids.some(alive), "servers left after supervisord stopped");
  } finally {
    for (const r of running) await stopSupervisord(r);
    await Deno.remove(dir, { recursive: true });
  }
});
