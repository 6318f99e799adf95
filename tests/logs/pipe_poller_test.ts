/**
 * The pipe poller (src/logs/pipe_poller.ts) against real processes: it finds nimi's read end of
 * a child's stdout and stderr by inode, reads every byte in order through one epoll, holds a
 * pipe while its consumer applies back-pressure, reads many pipes at once, and gives up
 * (null: Deno's stream reads instead) where there is no exact match. The last test proves a real
 * `nimi run` reads its services' pipes this way (the epoll's registered descriptors, from
 * /proc/PID/fdinfo) and still forwards every line.
 */
import assert from "node:assert/strict";
import { PipePoller, sharedPoller } from "../../src/logs/pipe_poller.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

const dec = new TextDecoder();

function poller(): PipePoller {
  const p = sharedPoller();
  assert.ok(p !== null, "no poller: the tests run with --allow-all on Linux");
  return p;
}

/** Spawns `sh -c script` with piped output and finds both pipes. */
function spawnPiped(script: string): {
  child: Deno.ChildProcess;
  stdout: number | null;
  stderr: number | null;
} {
  const p = poller();
  const mark = p.mark();
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, stdout: p.find(child.pid, 1, mark), stderr: p.find(child.pid, 2, mark) };
}

/**
 * Reads a found pipe to its end, with Deno's stream of it cancelled first (as nimi does: the
 * poller reads its own duplicate), and checks the poller closed the duplicate at the end.
 */
async function readAll(
  fd: number,
  stream: ReadableStream<Uint8Array>,
  onChunk?: (chunk: Uint8Array) => Promise<void> | null,
): Promise<string> {
  const pipe = Deno.readLinkSync(`/proc/self/fd/${fd}`);
  assert.match(pipe, /^pipe:\[\d+\]$/);
  await stream.cancel();
  let text = "";
  await poller().read(fd, (chunk) => {
    text += dec.decode(chunk, { stream: true });
    return onChunk?.(chunk) ?? null;
  });
  assert.notEqual(linkOf(fd), pipe, `descriptor ${fd} still open after the end`);
  return text;
}

function linkOf(fd: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

Deno.test("PipePoller finds a child's stdout and stderr pipes and reads both to the end", async () => {
  const { child, stdout, stderr } = spawnPiped(
    "sleep 0.1; i=0; while [ $i -lt 2000 ]; do echo out $i; echo err $i >&2; i=$((i+1)); done",
  );
  assert.ok(stdout !== null && stderr !== null, `not found: ${stdout} ${stderr}`);
  assert.notEqual(stdout, stderr);
  const [out, err] = await Promise.all([
    readAll(stdout, child.stdout),
    readAll(stderr, child.stderr),
  ]);
  await child.status;
  const expect = (tag: string) => Array.from({ length: 2000 }, (_, i) => `${tag} ${i}\n`).join("");
  assert.equal(out, expect("out"));
  assert.equal(err, expect("err"));
  assert.equal(poller().watching, 0);
});

Deno.test("PipePoller holds a pipe while its consumer applies back-pressure", async () => {
  const { child, stdout, stderr } = spawnPiped("head -c 3000000 /dev/zero");
  assert.ok(stdout !== null && stderr !== null);
  let held = false;
  let heldOnce = false;
  let during = 0;
  let total = 0;
  let release = () => {};
  const text = readAll(stdout, child.stdout, (chunk) => {
    total += chunk.length;
    if (held) during++;
    if (total < 1_000_000 || heldOnce) return null;
    held = heldOnce = true;
    return new Promise<void>((resolve) => {
      release = () => {
        held = false;
        resolve();
      };
    });
  });
  const other = readAll(stderr, child.stderr);
  // While held, nothing more is read: the writer blocks on the full pipe.
  for (let i = 0; i < 100 && !held; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(held, "back-pressure was never applied");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(during, 0, "chunks arrived while the consumer held the pipe");
  release();
  assert.equal((await text).length, 3_000_000);
  assert.equal(await other, "");
  await child.status;
});

Deno.test("PipePoller reads many pipes at once, each whole and in order", async () => {
  const children = Array.from(
    { length: 20 },
    (_, n) => spawnPiped(`sleep 0.2; i=0; while [ $i -lt 500 ]; do echo ${n}:$i; i=$((i+1)); done`),
  );
  const texts = await Promise.all(children.map(({ child, stdout, stderr }) => {
    assert.ok(stdout !== null && stderr !== null);
    return Promise.all([readAll(stdout, child.stdout), readAll(stderr, child.stderr)]);
  }));
  await Promise.all(children.map(({ child }) => child.status));
  texts.forEach(([out, err], n) => {
    assert.equal(out, Array.from({ length: 500 }, (_, i) => `${n}:${i}\n`).join(""));
    assert.equal(err, "");
  });
});

Deno.test("PipePoller.find() gives null where there is no exact match", async () => {
  const p = poller();
  // A child that is gone: its /proc entry has no descriptors left.
  const mark = p.mark();
  const done = new Deno.Command("/bin/true", { stdout: "piped", stderr: "piped" }).spawn();
  await done.status;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(p.find(done.pid, 1, mark), null);
  await done.stdout.cancel();
  await done.stderr.cancel();
  // A child whose stdout is not one of nimi's pipes (it inherits /dev/null from here).
  const mark2 = p.mark();
  const quiet = new Deno.Command("/bin/sleep", { args: ["5"], stdout: "null", stderr: "piped" })
    .spawn();
  assert.equal(p.find(quiet.pid, 1, mark2), null);
  const err = p.find(quiet.pid, 2, mark2);
  assert.ok(err !== null);
  quiet.kill("SIGKILL");
  await quiet.status;
  await quiet.stderr.cancel();
  p.release(err);
  assert.equal(linkOf(err), null);
  // No such process.
  assert.equal(p.find(2 ** 22 + 1, 1, mark2), null);
});

Deno.test("a found descriptor is the poller's own duplicate, closed on exec", async () => {
  const { child, stdout, stderr } = spawnPiped("sleep 0.2; echo late");
  assert.ok(stdout !== null && stderr !== null);
  for (const fd of [stdout, stderr]) {
    const flags = Deno.readTextFileSync(`/proc/self/fdinfo/${fd}`).match(/^flags:\s+(\d+)/m);
    assert.ok(flags !== null);
    // O_CLOEXEC (02000000) and O_NONBLOCK (04000), read-only.
    assert.equal(parseInt(flags[1]!, 8) & 0o2004003, 0o2004000);
  }
  // Deno's own descriptors are closed by cancelling its streams; the duplicates still read.
  await Promise.all([child.stdout.cancel(), child.stderr.cancel()]);
  const [out, err] = await Promise.all([
    readAll(stdout, new ReadableStream()),
    readAll(stderr, new ReadableStream()),
  ]);
  await child.status;
  assert.equal(out, "late\n");
  assert.equal(err, "");
});

Deno.test("PipePoller.open() is null without --allow-ffi (Deno's streams read instead)", async () => {
  const url = new URL("../../src/logs/pipe_poller.ts", import.meta.url).href;
  const dir = Deno.makeTempDirSync({ prefix: "nimi-poller-" });
  try {
    const script = `${dir}/probe.ts`;
    Deno.writeTextFileSync(
      script,
      `import { sharedPoller } from "${url}"; console.log(String(sharedPoller()));`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-read", script],
    }).output();
    assert.equal(dec.decode(out.stderr), "");
    assert.equal(dec.decode(out.stdout).trim(), "null");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("nimi run reads its services' pipes through one epoll and forwards every line", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nimi-poller-" });
  try {
    const config = `${dir}/nimi.json`;
    const script =
      "i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done; echo ready >&2; exec sleep 30";
    Deno.writeTextFileSync(
      config,
      JSON.stringify({
        services: {
          a: { process: { argv: ["/bin/sh", "-c", script] } },
          b: { process: { argv: ["/bin/sh", "-c", script] } },
        },
        settings: { logging: { enable: false } },
      }),
    );
    const nimi = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/mod.ts`, "--no-control", "--config", config, "run"],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = nimi.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while ((text.match(/ ! ready$/gm) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    // An epoll descriptor lists what it watches ("tfd:" lines): one of nimi's watches both
    // services' two pipes and nothing else (Deno's own watch its sockets and pidfds).
    const link = (fd: string) => Deno.readLinkSync(`/proc/${nimi.pid}/fd/${fd}`);
    const fds = [...Deno.readDirSync(`/proc/${nimi.pid}/fd`)].map((e) => e.name);
    const watched = fds
      .filter((fd) => link(fd) === "anon_inode:[eventpoll]")
      .map((
        fd,
      ) => [...Deno.readTextFileSync(`/proc/${nimi.pid}/fdinfo/${fd}`).matchAll(/^tfd:\s+(\d+)/gm)])
      .map((tfds) => tfds.map((m) => link(m[1]!)))
      .filter((targets) => targets.length > 0 && targets.every((t) => t.startsWith("pipe:")));
    assert.equal(watched.length, 1, "no epoll instance watches the pipes");
    assert.equal(new Set(watched[0]).size, 4, `not the four pipes: ${watched[0]}`);
    nimi.kill("SIGTERM");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert.equal((await nimi.status).code, 0);
    for (const name of ["a", "b"]) {
      const lines = text.split("\n").filter((l) => l.startsWith(`${name} `) && l.includes("line"));
      assert.deepEqual(
        lines.map((l) => l.replace(/^\S+\s+\|\s/, "")),
        Array.from({ length: 3000 }, (_, i) => `line ${i}`),
      );
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
