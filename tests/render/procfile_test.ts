import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { renderProcfile } from "../../src/render/procfile.ts";
import {
  alive,
  fixture,
  QUOTING_ARGS_OUTPUT,
  QUOTING_ENV_OUTPUT,
  readOrEmpty,
  renderTo,
  run,
  waitFor,
} from "./helpers.ts";

Deno.test("renderProcfile() writes one exec line per service and warns about restarts", async () => {
  const config = await loadConfig(fixture("full.json"));
  const r = renderProcfile(config, { prefix: "", user: false, stateDir: "/s", rawConfig: null });
  const text = r.files[0]!.content;
  assert.match(text, /^db: exec \/bin\/sh -c 'echo db up; exec sleep 1000'$/m);
  assert.match(text, /^stack: exec \/usr\/bin\/env -i ONLY=this \/bin\/echo 'a b' 'it'\\''s'/m);
  const w = r.warnings.map((x) => `${x.service}: ${x.feature}`);
  assert.ok(w.includes("db: restart mode always"), w.join("\n"));
  assert.ok(w.includes("migrate: type oneshot"));
  assert.ok(w.includes("web: user/group"));
});

Deno.test("foreman start runs the rendered Procfile", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-procfile-" });
  let child: Deno.ChildProcess | undefined;
  try {
    await renderTo("procfile", fixture("chain.json"), `${dir}/out`, { stateDir: `${dir}/state` });
    child = new Deno.Command("foreman", {
      args: ["start", "-f", `${dir}/out/Procfile`, "-d", dir],
      env: { NIMI_TEST_DIR: dir },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const dec = new TextDecoder();
    const reading = child.stdout.pipeTo(
      new WritableStream({ write: (c) => void (output += dec.decode(c, { stream: true })) }),
    );
    await waitFor("both services' output", () =>
      /db\.1\s+\| db started/.test(output) &&
        /web\.1\s+\| web says hello from configData on 8080/.test(output)
        ? true
        : undefined);
    const pids = await waitFor("pid files", async () => {
      const a = (await readOrEmpty(`${dir}/db.pid`)).trim();
      const b = (await readOrEmpty(`${dir}/web.pid`)).trim();
      return a && b ? [Number(a), Number(b)] : undefined;
    });
    assert.ok(pids.every(alive));
    child.kill("SIGTERM");
    const status = await child.status;
    await reading;
    await child.stderr.cancel();
    child = undefined;
    assert.ok(status.code === 0 || status.signal === null, `foreman ended ${status.code}`);
    await waitFor("services to stop", () => (pids.some(alive) ? undefined : true));
  } finally {
    if (child !== undefined) {
      // SIGTERM, not SIGKILL: foreman then stops the services it started.
      child.kill("SIGTERM");
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Procfile lines pass tricky argv, environment and configData through sh -c", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-procfile-quoting-" });
  try {
    await renderTo("procfile", fixture("quoting.json"), `${dir}/out`, { stateDir: `${dir}/state` });
    const lines = (await Deno.readTextFile(`${dir}/out/Procfile`)).split("\n")
      .filter((l) => /^[a-z]+: /.test(l));
    const commands: Record<string, string> = Object.fromEntries(
      lines.map((l) => [l.split(":")[0], l.slice(l.indexOf(": ") + 2)]),
    );
    // foreman substitutes "$NAME" for its variables before sh sees the line: no "$" may be left.
    for (const c of Object.values(commands)) assert.doesNotMatch(c, /\$[A-Za-z_{(]/);
    const args = await run("sh", ["-c", commands["args"]!]);
    assert.equal(args.stdout, QUOTING_ARGS_OUTPUT);
    const env = await run("sh", ["-c", commands["env"]!]);
    assert.equal(env.stdout, QUOTING_ENV_OUTPUT);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
