/**
 * The per-service `nimi.output` and `nimi.stdin` options of `nimi run`: `output: "inherit"`
 * writes straight to nimi's stdout and stderr (no prefix, nothing in nimi's log sink), and
 * `stdin: "inherit"` hands nimi's stdin to one service; two such services are a config error.
 * Signals nimi's parent ignored stay ignored in the services.
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { runNimi, sh } from "./run_helpers.ts";

Deno.test("nimi run: output inherit writes straight to nimi's stdout and stderr", async () => {
  const r = await runNimi({
    services: {
      raw: sh("echo raw out; echo raw err >&2", { output: "inherit" }),
      framed: sh("echo framed out"),
    },
    settings: { restart: { mode: "never" } },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^raw out$/m);
  assert.match(r.stderr, /^raw err$/m);
  assert.doesNotMatch(r.stdout, /raw +\| raw out/);
  assert.match(r.stdout, /^framed +\| framed out$/m);
  // nimi's own lines about the service are still prefixed.
  assert.match(r.stdout, /^nimi +\| raw: started \(pid \d+\)$/m);
});

Deno.test("nimi run: stdin inherit gives one service nimi's stdin", async () => {
  const r = await runNimi({
    services: {
      reader: sh('read line; echo "got $line"; exit 3', { stdin: "inherit" }),
      other: sh('if read line; then echo "other got $line"; else echo "other: eof"; fi'),
    },
    settings: { restart: { mode: "never" } },
  }, { stdin: "hello\n" });
  assert.match(r.stdout, /^reader +\| got hello$/m);
  assert.match(r.stdout, /^other +\| other: eof$/m);
  assert.equal(r.code, 3);
});

Deno.test("nimi run: two services reading stdin, or a log probe past nimi, are config errors", async () => {
  const r = await runNimi({
    services: {
      a: sh("true", { stdin: "inherit" }),
      b: sh("true", { stdin: "inherit" }),
      c: sh("true", { output: "inherit", readiness: { type: "log", pattern: "up" } }),
    },
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /services\.b\.nimi\.stdin: only one service can read nimi's stdin, and "a" already does/,
  );
  assert.match(r.stderr, /services\.c\.nimi\.readiness: a "log" probe reads the service's output/);
  assert.equal(r.stdout, "");
  const bad = await runNimi({ services: { d: sh("true", { output: "pretty" }) } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /services\.d\.nimi\.output: must be "prefixed" or "inherit"/);
});

Deno.test("nimi run: signals nimi's parent ignored stay ignored in the services", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-init-ignored-" });
  try {
    const file = `${dir}/nimi.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        services: { show: sh("grep SigIgn /proc/self/status") },
        settings: { restart: { mode: "never" }, logging: { enable: false } },
      }),
    );
    const out = await new Deno.Command("sh", {
      args: [
        "-c",
        'trap "" INT HUP USR2; exec "$@"',
        "sh",
        Deno.execPath(),
        "run",
        "-A",
        `${REPO_ROOT}/mod.ts`,
        "--config",
        file,
        "run",
      ],
      env: { NO_COLOR: "1" },
      stdin: "null",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, stdout);
    const mask = BigInt(`0x${stdout.match(/show +\| SigIgn:\s*([0-9a-f]+)$/m)![1]}`);
    const ignored = [];
    for (let n = 1; n <= 31; n++) {
      if (n !== 13 && ((mask >> BigInt(n - 1)) & 1n) === 1n) ignored.push(n);
    }
    assert.deepEqual(ignored, [1, 2, 12]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
