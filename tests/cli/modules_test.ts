/**
 * Each command loads only what it uses: `nimi run` evaluates no renderer, no YAML writer, no
 * JSON Schema export, no terminal UI (without `--tui`), no `node:` module and no npm package (each npm
 * package costs megabytes of private memory in a PID 1 that lives for the whole container;
 * bench/README.md, "Memory").
 *
 * Two views: the module graph `deno info` reports (what the program reaches without a dynamic
 * import), and the scripts V8 compiled in a real `nimi run`, read through the inspector
 * protocol (what the run actually imported, dynamic imports included).
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { usesCoreTimers } from "../../src/timers.ts";

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

/**
 * Deno's Node compatibility layer (src/path.ts, src/cli/argv.ts, src/pid1/heap.ts). Deno 2.9
 * loads a part of it for its own timers (`setTimeout` is `node:timers`): a real run is
 * compared with what a bare program that sets a timer loads.
 */
const NODE = /^node:|^ext:deno_node\//;

function forbidden(modules: readonly string[]): string[] {
  return modules.filter((m) => FORBIDDEN.some((re) => re.test(m)) || NODE.test(m));
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

Deno.test("the static module graph of nimi run has no renderer, JSON Schema export, node: module or npm package", async () => {
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
 * Runs a program under the inspector until its output shows `end`, and returns the URLs of the
 * scripts V8 compiled.
 *
 * @param argv The program and its arguments (after `deno run -A`).
 * @param end What its stdout shows when it is done.
 */
async function scriptsOf(
  argv: string[],
  end: RegExp,
): Promise<{ scripts: string[]; stdout: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--inspect-wait=127.0.0.1:0", ...argv],
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
    const send = (method: string, params = {}) => {
      ws.send(JSON.stringify({ id: ++id, method, params }));
      return id;
    };
    const answers = new Map<number, () => void>();
    ws.onmessage = (e) => {
      const msg = JSON.parse(String(e.data));
      if (msg.method === "Debugger.scriptParsed") scripts.push(msg.params.url);
      if (typeof msg.id === "number") answers.get(msg.id)?.();
    };
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    send("Runtime.enable");
    send("Debugger.enable");
    send("Runtime.runIfWaitingForDebugger");
    // Deno keeps a finished program alive until the inspector disconnects.
    await waitFor("stdout", end);
    // The inspector answers in order: once this is answered, every script parsed before it
    // has been reported.
    const last = Promise.withResolvers<void>();
    answers.set(send("Runtime.evaluate", { expression: "1" }), last.resolve);
    await last.promise;
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

Deno.test("a real nimi run imports no renderer, YAML, JSON Schema export, node: module or npm package", async () => {
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
    // With the flags the package is compiled with (nix/package.nix): without --expose-gc, nimi
    // takes V8's gc from node:vm.
    const { scripts, stdout } = await scriptsOf(
      [
        "--no-code-cache",
        "--v8-flags=--expose-gc",
        `${REPO_ROOT}/mod.ts`,
        "--config",
        config,
        "run",
      ],
      /exiting with code \d+/,
    );
    assert.match(stdout, /hello from the service/);
    const files = scripts.filter((s) => s.startsWith("file://"));
    assert.ok(files.includes(`file://${REPO_ROOT}/src/cli/run_cmd.ts`), files.join("\n"));
    assert.ok(files.includes(`file://${REPO_ROOT}/src/config/check.ts`), files.join("\n"));
    assert.deepEqual(forbidden(files), []);
    // Deno's own scripts too: nothing of its Node layer beyond what a bare program loads, not
    // even `node:timers`, which a bare program loads with its first `setTimeout` (nimi's timers
    // are Deno's core ones, src/timers.ts).
    assert.ok(usesCoreTimers(), `Deno ${Deno.version.deno} has no core timers of the known shape`);
    const nodeOf = async (source: string) => {
      await Deno.writeTextFile(`${dir}/bare.ts`, source);
      return (await scriptsOf([`${dir}/bare.ts`], /done/)).scripts.filter((s) => NODE.test(s));
    };
    const bare = new Set(await nodeOf(`console.log("done");\n`));
    assert.deepEqual(scripts.filter((s) => NODE.test(s) && !bare.has(s)), []);
    const timer = await nodeOf(`setTimeout(() => console.log("done"), 1);\n`);
    assert.ok(
      timer.some((s) => !bare.has(s)),
      "a bare timer loads no more of Deno's Node layer than a bare program: the check is moot",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
