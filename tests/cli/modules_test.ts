/**
 * Each command loads only what it uses: `nimi run` evaluates no renderer, no YAML writer, no
 * JSON Schema export, no terminal UI (without `--tui`) and no npm package at all (each npm
 * package costs megabytes of private memory in a PID 1 that lives for the whole container;
 * bench/README.md, "Memory").
 *
 * Two views: the module graph `deno info` reports (what the program reaches without a dynamic
 * import), and the scripts V8 compiled in a real `nimi run`, read through the inspector
 * protocol (what the run actually imported, dynamic imports included).
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";

/** Modules `nimi run` must not load. */
const FORBIDDEN = [
  /\/src\/render\//,
  /\/src\/cli\/render_cmd\.ts$/,
  /\/src\/cli\/schema_cmd\.ts$/,
  /\/src\/config\/json_schema\.ts$/,
  /\/src\/tui\//,
  /\/src\/cli\/run_tui\.ts$/,
  /^npm:|\/node_modules\/|registry\.npmjs\.org/,
];

function forbidden(modules: readonly string[]): string[] {
  return modules.filter((m) => FORBIDDEN.some((re) => re.test(m)));
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** Modules reachable from `roots` through static imports only. */
function staticClosure(modules: Map<string, InfoModule>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    for (const d of modules.get(s)?.dependencies ?? []) {
      if (d.code !== undefined && d.isDynamic !== true) todo.push(d.code.specifier);
    }
  }
  return seen;
}

Deno.test("the static module graph of nimi run has no renderer, JSON Schema export or npm package", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${REPO_ROOT}/mod.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const root = `file://${REPO_ROOT}`;
  // What `nimi run` evaluates: mod.ts with its static imports, then the run command's module.
  const run = staticClosure(modules, [`${root}/mod.ts`, `${root}/src/cli/run_cmd.ts`]);
  assert.ok(run.has(`${root}/src/config/check.ts`), "the validator is not in the graph");
  assert.ok(run.has(`${root}/src/supervisor/mod.ts`), "the supervisor is not in the graph");
  assert.deepEqual(forbidden([...run]), []);
  // The renderers are still reachable, on demand: the check above is not vacuous.
  assert.ok(modules.has(`${root}/src/render/mod.ts`));
  assert.ok([...modules.keys()].some((m) => /^npm:/.test(m)), "deno info lists npm packages");
});

/**
 * Runs `nimi run` under the inspector and returns the URLs of the scripts V8 compiled.
 *
 * @param config The config file.
 */
async function scriptsOfRun(config: string): Promise<{ scripts: string[]; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--inspect-wait=127.0.0.1:0",
      `${REPO_ROOT}/mod.ts`,
      "--config",
      config,
      "run",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const streams = {
    stdout: { reader: child.stdout.pipeThrough(new TextDecoderStream()).getReader(), text: "" },
    stderr: { reader: child.stderr.pipeThrough(new TextDecoderStream()).getReader(), text: "" },
  };
  const waitFor = async (which: "stdout" | "stderr", re: RegExp): Promise<string> => {
    const s = streams[which];
    for (;;) {
      const m = s.text.match(re);
      if (m) return m[0];
      const { value, done } = await s.reader.read();
      if (done) throw new Error(`nimi ended before printing ${re}:\n${s.text}`);
      s.text += value;
    }
  };
  const scripts: string[] = [];
  try {
    const ws = new WebSocket(await waitFor("stderr", /ws:\/\/\S+/));
    const closed = new Promise((resolve) => ws.onclose = resolve);
    let id = 0;
    const send = (method: string) => ws.send(JSON.stringify({ id: ++id, method }));
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.method === "Debugger.scriptParsed") scripts.push(msg.params.url);
    };
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    send("Runtime.enable");
    send("Debugger.enable");
    send("Runtime.runIfWaitingForDebugger");
    // Deno keeps a finished program alive until the inspector disconnects.
    await waitFor("stdout", /exiting with code \d+/);
    ws.close();
    await closed;
    assert.equal((await child.status).code, 0, streams.stderr.text);
    return { scripts, stdout: streams.stdout.text };
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone: the normal case
    }
    await child.status;
    await streams.stdout.reader.cancel().catch(() => {});
    await streams.stderr.reader.cancel().catch(() => {});
  }
}

Deno.test("a real nimi run imports no renderer, YAML, JSON Schema export or npm package", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-perf-modules-" });
  try {
    const config = `${dir}/nimi.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        services: { hello: { process: { argv: ["/bin/echo", "hello from the service"] } } },
        settings: { logging: { enable: true, logsDir: `${dir}/logs` } },
      }),
    );
    const { scripts, stdout } = await scriptsOfRun(config);
    assert.match(stdout, /hello from the service/);
    const files = scripts.filter((s) => s.startsWith("file://"));
    assert.ok(files.includes(`file://${REPO_ROOT}/src/cli/run_cmd.ts`), files.join("\n"));
    assert.ok(files.includes(`file://${REPO_ROOT}/src/config/check.ts`), files.join("\n"));
    assert.deepEqual(forbidden(files), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
