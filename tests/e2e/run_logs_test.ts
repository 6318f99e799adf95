import { CONTINUES_MARKER } from "../../src/logs/mod.ts";
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { runNimi, sh } from "./run_helpers.ts";

/** Checks that `lines` hold each of `prefix 0` .. `prefix n-1` exactly once. */
function assertNumbered(lines: string[], prefix: string, n: number, where: string): void {
  const seen = new Uint8Array(n);
  let total = 0;
  for (const l of lines) {
    if (!l.startsWith(prefix)) continue;
    const i = Number(l.slice(prefix.length));
    assert.ok(Number.isInteger(i) && i >= 0 && i < n, `${where}: bad line ${JSON.stringify(l)}`);
    seen[i]!++;
    total++;
  }
  assert.equal(total, n, `${where}: ${total} lines "${prefix}N", expected ${n}`);
  assert.equal(seen.indexOf(0), -1, `${where}: line ${prefix}${seen.indexOf(0)} missing`);
}

Deno.test("nimi run loses no line of 100,000 on stdout and stderr while restarting", async () => {
  // Four runs (up-to-count 3) of 25,000 lines on each stream, both streams written at once.
  const script = `n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count
    a=$((n * 25000)); b=$((a + 24999))
    seq -f "out %g" $a $b & seq -f "err %g" $a $b >&2; wait; exit 1`;
  const logs = await Deno.makeTempDir({ prefix: "nimi-logs-" });
  let r;
  try {
    r = await runNimi({
      services: { chatty: sh(script) },
      settings: {
        restart: { mode: "up-to-count", count: 3, time: 0 },
        logging: { enable: true, logsDir: logs },
      },
    });
    const file = (await Deno.readTextFile(`${logs}/logs-0/chatty.log`)).split("\n");
    const body = (l: string) => l.slice(l.indexOf(" ", l.indexOf(" ") + 1) + 1);
    assertNumbered(file.filter((l) => / stdout /.test(l)).map(body), "out ", 100000, "file stdout");
    assertNumbered(file.filter((l) => / stderr /.test(l)).map(body), "err ", 100000, "file stderr");
  } finally {
    await Deno.remove(logs, { recursive: true });
  }
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.split("\n");
  assertNumbered(
    lines.filter((l) => l.startsWith("chatty | ")).map((l) => l.slice(9)),
    "out ",
    100000,
    "console stdout",
  );
  assertNumbered(
    lines.filter((l) => l.startsWith("chatty ! ")).map((l) => l.slice(9)),
    "err ",
    100000,
    "console stderr",
  );
  assert.equal(lines.filter((l) => /chatty: started/.test(l)).length, 4);
});

Deno.test("nimi run writes each run's logs to a new logs-N with both streams", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-logs-" });
  try {
    const config = {
      services: {
        chatty: sh(`seq -f "out %g" 0 49999 & seq -f "err %g" 0 49999 >&2; wait`),
        quiet: sh("true"),
      },
      settings: { restart: { mode: "never" }, logging: { enable: true, logsDir: `${dir}/logs` } },
    };
    const first = await runNimi(config);
    assert.equal(first.code, 0, first.stderr);
    const second = await runNimi(config);
    assert.equal(second.code, 0, second.stderr);
    const runs = [...Deno.readDirSync(`${dir}/logs`)].map((e) => e.name).sort();
    assert.deepEqual(runs, ["logs-0", "logs-1"]);
    for (const run of runs) {
      const files = [...Deno.readDirSync(`${dir}/logs/${run}`)].map((e) => e.name).sort();
      assert.deepEqual(files, ["chatty.log", "quiet.log"]);
      const text = await Deno.readTextFile(`${dir}/logs/${run}/chatty.log`);
      const rows = text.split("\n").filter((l) => l !== "").map((l) => {
        const m = l.match(/^\d{4}-\d\d-\d\dT[\d:.]+Z (stdout|stderr|nimi) (.*)$/);
        assert.ok(m, `malformed log line ${JSON.stringify(l)}`);
        return [m[1]!, m[2]!] as const;
      });
      assertNumbered(rows.filter(([s]) => s === "stdout").map(([, l]) => l), "out ", 50000, run);
      assertNumbered(rows.filter(([s]) => s === "stderr").map(([, l]) => l), "err ", 50000, run);
      assert.ok(rows.some(([s, l]) => s === "nimi" && l === "exited with code 0"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi run passes long lines, binary and a final partial line through", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/mod.ts`, "--config", "/dev/stdin", "run"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const w = r.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({
    services: {
      b: sh(
        `head -c 2097152 /dev/zero | tr '\\0' x; echo; printf 'bin \\377\\376\\000 end\\n'; printf 'no newline'`,
      ),
    },
    settings: { restart: { mode: "never" } },
  })));
  await w.close();
  const out = await r.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const bytes = out.stdout;
  const text = new TextDecoder("latin1").decode(bytes);
  // Cut at 64 KiB (MAX_LINE_BYTES): 31 pieces marked as continuing, then the last 64 KiB.
  const piece = "x".repeat(65536);
  const long = `b    | ${piece}${CONTINUES_MARKER}\n`.repeat(31) + `b    | ${piece}\n`;
  assert.ok(text.includes(long), "the 2 MiB line arrives in marked 64 KiB pieces");
  assert.ok(text.includes("b    | bin \xff\xfe\x00 end\n"), "invalid UTF-8 and NUL pass unchanged");
  assert.ok(text.includes("b    | no newline\n"), "the final partial line is flushed");
});

Deno.test("nimi run --log-format json writes one object a line", async () => {
  const r = await runNimi({
    services: { j: sh(`echo hi; echo oops >&2`) },
    settings: { restart: { mode: "never" } },
  }, { args: ["--log-format", "json"] });
  assert.equal(r.code, 0);
  const rows = r.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  for (const row of rows) assert.deepEqual(Object.keys(row), ["time", "service", "stream", "line"]);
  assert.ok(rows.some((x) => x.service === "j" && x.stream === "stdout" && x.line === "hi"));
  assert.ok(rows.some((x) => x.service === "j" && x.stream === "stderr" && x.line === "oops"));
  assert.ok(rows.some((x) => x.service === "j" && x.stream === "nimi" && /^started/.test(x.line)));
});

Deno.test("nimi run colours prefixes only on a terminal and without NO_COLOR", async () => {
  const r = await runNimi({
    services: { c: sh("echo hi") },
    settings: { restart: { mode: "never" } },
  });
  const ESC = "\x1b[";
  assert.ok(!r.stdout.includes(ESC), "a pipe gets no colour");
  // script(1) gives nimi a terminal as stdout.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify({ services: { c: sh("echo hi") } }));
    const cmd = `${Deno.execPath()} run -A ${REPO_ROOT}/mod.ts --config ${dir}/c.json run`;
    const tty = async (env: Record<string, string>) => {
      const out = await new Deno.Command("script", {
        args: ["-qec", cmd, "/dev/null"],
        env,
        stdin: "null",
        stdout: "piped",
      }).output();
      return new TextDecoder().decode(out.stdout);
    };
    const coloured = await tty({ NO_COLOR: "" });
    assert.ok(coloured.includes(`${ESC}36mc   ${ESC}0m | hi`), coloured);
    assert.ok(!(await tty({ NO_COLOR: "1" })).includes(ESC));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi run rotates log files at maxBytes and keeps maxFiles", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-logs-" });
  try {
    // 300 lines, written in small bursts so that several batches reach the file.
    const r = await runNimi({
      services: {
        chatty: sh(
          `i=0; while [ $i -lt 300 ]; do echo "line $i"; i=$((i+1)); [ $((i % 20)) = 0 ] && sleep 0.01; done`,
        ),
      },
      settings: {
        restart: { mode: "never" },
        logging: { enable: true, logsDir: dir, maxBytes: 4000, maxFiles: 2 },
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const names = [...Deno.readDirSync(`${dir}/logs-0`)].map((e) => e.name).sort();
    assert.deepEqual(names, ["chatty.log", "chatty.log.1", "chatty.log.2"]);
    const numbers: number[] = [];
    for (const name of ["chatty.log.2", "chatty.log.1", "chatty.log"]) {
      const text = await Deno.readTextFile(`${dir}/logs-0/${name}`);
      assert.ok(new TextEncoder().encode(text).length <= 4000, `${name} is at most maxBytes`);
      for (const m of text.matchAll(/ stdout line (\d+)\n/g)) numbers.push(Number(m[1]));
    }
    // The kept files hold the newest lines, in order, none missing.
    assert.ok(numbers.length > 0 && numbers.at(-1) === 299);
    assert.deepEqual(numbers, numbers.map((_, i) => 300 - numbers.length + i));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
