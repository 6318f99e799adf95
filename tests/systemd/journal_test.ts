import assert from "node:assert/strict";
import { isJournalStream, journalStreams } from "../../src/systemd/journal.ts";
import { prefixEachLine, streamPriority } from "../../src/logs/priority.ts";
import { LogSink } from "../../src/logs/log_sink.ts";

Deno.test("isJournalStream() matches JOURNAL_STREAM's DEV:INO against the stream's", () => {
  assert.equal(isJournalStream("8:1234", { dev: 8, ino: 1234 }), true);
  assert.equal(isJournalStream("8:1234", { dev: 8, ino: 1235 }), false);
  assert.equal(isJournalStream(undefined, { dev: 8, ino: 1234 }), false);
  assert.equal(isJournalStream("8:1234", null), false);
  assert.equal(isJournalStream("garbage", { dev: 8, ino: 1234 }), false);
});

Deno.test("journalStreams() recognises a redirected stdout by its device and inode", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-systemd-" });
  try {
    const file = `${dir}/out`;
    await Deno.writeTextFile(file, "");
    const st = await Deno.stat(file);
    const code = `import { journalStreams } from ${
      JSON.stringify(new URL("../../src/systemd/journal.ts", import.meta.url).href)
    }; console.error(JSON.stringify(journalStreams()));`;
    const run = async (journal: string) => {
      const res = await new Deno.Command(Deno.execPath(), {
        args: ["eval", code],
        env: { JOURNAL_STREAM: journal },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return JSON.parse(new TextDecoder().decode(res.stderr));
    };
    // A child whose stdout is the file matches the file's id; one whose stdout is a pipe not.
    const child = new Deno.Command("sh", {
      args: ["-c", `exec "$0" eval "$1" >"$2"`, Deno.execPath(), code, file],
      env: { JOURNAL_STREAM: `${st.dev}:${st.ino}` },
      stderr: "piped",
    });
    const res = await child.output();
    assert.deepEqual(JSON.parse(new TextDecoder().decode(res.stderr)), {
      stdout: true,
      stderr: false,
    });
    assert.deepEqual(await run(`${st.dev}:${st.ino}`), { stdout: false, stderr: false });
    assert.equal(typeof journalStreams().stdout, "boolean");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prefixEachLine() and streamPriority() give journald's priorities", () => {
  assert.equal(prefixEachLine("a\nb\n", "<4>"), "<4>a\n<4>b\n");
  assert.equal(prefixEachLine("a", "<3>"), "<3>a");
  assert.equal(streamPriority("stderr"), "<3>");
  assert.equal(streamPriority("stdout"), "<6>");
});

async function journalSink(format: "text" | "json") {
  let text = "";
  const dec = new TextDecoder();
  const sink = await LogSink.create({
    names: ["web"],
    format,
    color: true,
    journal: true,
    console: {
      write: (p) => {
        text += dec.decode(p);
        return Promise.resolve(p.length);
      },
    },
    logDir: null,
    now: () => 0,
  });
  return { sink, text: () => text };
}

Deno.test("LogSink under journald: <3> for stderr and errors, <4> warnings, <6> else, no colour", async () => {
  const { sink, text } = await journalSink("text");
  const enc = new TextEncoder();
  await sink.stream("web", "stdout").push(enc.encode("out line\n"));
  await sink.stream("web", "stderr").push(enc.encode("err line\n"));
  sink.message("web", "started");
  sink.message("web", "exited with code 1", "warning");
  sink.message(null, "startup hook failed", "error");
  await sink.close();
  assert.equal(
    text(),
    [
      "<6>web  | out line",
      "<3>web  ! err line",
      "<6>nimi | web: started",
      "<4>nimi | web: exited with code 1",
      "<3>nimi | startup hook failed",
      "",
    ].join("\n"),
  );
});

Deno.test("LogSink under journald in JSON: each object behind its priority", async () => {
  const { sink, text } = await journalSink("json");
  await sink.stream("web", "stderr").push(new TextEncoder().encode("bad\n"));
  sink.message("web", "slow", "warning");
  await sink.close();
  const lines = text().trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.ok(lines[0]!.startsWith('<3>{"time":'), lines[0]);
  assert.equal(JSON.parse(lines[0]!.slice(3)).line, "bad");
  assert.ok(lines[1]!.startsWith('<4>{"time":'), lines[1]);
});

Deno.test("nimi's own warnings and errors on a journald stderr start with <4> and <3>", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-systemd-" });
  try {
    const err = `${dir}/stderr`;
    await Deno.writeTextFile(err, "");
    const st = await Deno.stat(err);
    const run = async (config: unknown) => {
      await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify(config));
      const mod = new URL("../../mod.ts", import.meta.url).pathname;
      const out = await new Deno.Command("sh", {
        args: [
          "-c",
          `exec "$0" run -A "$1" --config "$2" run 2>"$3"`,
          Deno.execPath(),
          mod,
          `${dir}/c.json`,
          err,
        ],
        env: { JOURNAL_STREAM: `${st.dev}:${st.ino}`, NO_COLOR: "1" },
        stdout: "piped",
      }).output();
      return { code: out.code, stderr: await Deno.readTextFile(err) };
    };
    const warned = await run({
      services: { a: { process: { argv: ["true"] }, nimi: { bogus: 1 } } },
    });
    assert.equal(warned.code, 0);
    assert.match(warned.stderr, /^<4>nimi: .*c\.json: services\.a\.nimi\.bogus: /m);
    assert.ok(warned.stderr.split("\n").every((l) => l === "" || l.startsWith("<4>")));
    const failed = await run({ services: { a: { process: { argv: [] } } } });
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /^<3>nimi: .*services\.a\.process\.argv/m);
    assert.ok(failed.stderr.split("\n").every((l) => l === "" || l.startsWith("<3>")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
