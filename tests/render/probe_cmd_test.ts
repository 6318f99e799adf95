import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import { parseProbeArgs } from "../../src/cli/probe_args.ts";
import { probeCommand } from "../../src/cli/probe_cmd.ts";
import type { ProbeValue } from "../../src/config/types.ts";
import { probeArgv, probeShell } from "../../src/render/probe_command.ts";
import { freePort, REPO_ROOT, run } from "./helpers.ts";

const base = {
  host: "127.0.0.1",
  initialDelay: 0,
  period: 1000,
  timeout: 1000,
  failureThreshold: 3,
};

Deno.test("probeArgv() writes what parseProbeArgs() reads back, for every kind", () => {
  const cases: ProbeValue[] = [
    { ...base, type: "tcp", host: "db", port: 5432, period: 250 },
    { ...base, type: "http", url: "http://127.0.0.1:8080/health?x=1", initialDelay: 500 },
    { ...base, type: "exec", command: ["pg_isready", "-q", "--timeout", "3"], timeout: 3000 },
    { ...base, type: "log", pattern: "-listening on \\d+" },
  ];
  for (const p of cases) {
    const argv = probeArgv(p, { nimi: "/usr/bin/nimi", wait: true, logFile: "/var/log/x" }, "7")!;
    assert.equal(argv[0], "/usr/bin/nimi");
    assert.equal(argv[1], "probe");
    const back = parseProbeArgs(argv.slice(2));
    assert.equal(back.wait, true);
    assert.equal(back.period, p.period);
    assert.equal(back.timeout, p.timeout);
    assert.equal(back.initialDelay, p.initialDelay);
    assert.equal(back.target.kind, p.type);
    if (back.target.kind === "tcp") {
      assert.deepEqual([back.target.host, back.target.port], ["db", 5432]);
    }
    if (back.target.kind === "http" && p.type === "http") {
      assert.equal(back.target.url, p.url);
    }
    if (back.target.kind === "exec" && p.type === "exec") {
      assert.deepEqual(back.target.command, p.command);
    }
    if (back.target.kind === "log" && p.type === "log") {
      assert.deepEqual(back.target, {
        kind: "log",
        file: "/var/log/x",
        offset: 7,
        pattern: p.pattern,
      });
    }
  }
  assert.equal(probeArgv({ ...base, type: "notify" }, { nimi: "nimi", wait: true }), null);
  assert.equal(
    probeArgv({ ...base, type: "log", pattern: "x" }, { nimi: "nimi", wait: true }),
    null,
  );
  assert.deepEqual(
    probeArgv({ ...base, type: "tcp", port: 1, period: 5 }, { nimi: "n", wait: false }),
    [
      "n",
      "probe",
      "tcp",
      "127.0.0.1",
      "1",
    ],
  );
});

Deno.test("probeShell() leaves the log offset to a shell variable", () => {
  const line = probeShell(
    { ...base, type: "log", pattern: "it's up" },
    { nimi: "nimi", wait: true, logFile: "/l og" },
    "off",
  );
  assert.equal(line, `nimi probe --wait log --file '/l og' --offset "\${off:-0}" -- 'it'\\''s up'`);
});

Deno.test("nimi probe: bad command lines are usage errors with exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["probe"], /needs a kind/],
    [["probe", "udp", "x"], /unknown probe kind "udp"; expected one of: tcp, http, exec, log/],
    [["probe", "tcp", "localhost"], /needs HOST PORT/],
    [["probe", "tcp", "localhost", "99999"], /PORT must be 1-65535, got "99999"/],
    [["probe", "http", "ftp://x"], /expected an http\(s\) URL, got "ftp:\/\/x"/],
    [
      ["probe", "--period", "0", "tcp", "h", "1"],
      /--period must be a whole number of milliseconds >= 1, got "0"/,
    ],
    [["probe", "--bogus", "exec", "true"], /unknown option --bogus/],
    [["probe", "log", "x"], /needs --file FILE/],
    [["probe", "log", "--file", "f", "("], /not a valid regular expression/],
    [["probe", "exec"], /needs a PROGRAM/],
  ];
  for (const [argv, message] of cases) {
    const io = new MemoryOutput();
    assert.equal(await main(argv, io), 2, argv.join(" "));
    assert.match(io.stderr, message);
    assert.doesNotMatch(io.stderr, /at .*\.ts/);
  }
});

Deno.test("nimi probe tcp passes when the port accepts and fails (exit 1) when not", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepting = (async () => {
    for await (const c of listener) c.close();
  })();
  try {
    const io = new MemoryOutput();
    assert.equal(await probeCommand(["tcp", "127.0.0.1", String(port)], io), 0);
    assert.equal(io.stderr, "");
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
  const io = new MemoryOutput();
  assert.equal(await probeCommand(["tcp", "127.0.0.1", String(port)], io), 1);
  assert.match(io.stderr, new RegExp(`probe tcp: cannot connect to 127\\.0\\.0\\.1:${port}`));
});

Deno.test("nimi probe http needs a 2xx answer", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => new Response("x", { status: new URL(req.url).pathname === "/ok" ? 200 : 503 }),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    assert.equal(await probeCommand(["http", `${url}/ok`], new MemoryOutput()), 0);
    const io = new MemoryOutput();
    assert.equal(await probeCommand(["http", `${url}/down`], io), 1);
    assert.match(io.stderr, /HTTP 503/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("nimi probe exec passes on exit 0 and times out a hanging command", async () => {
  assert.equal(await probeCommand(["exec", "sh", "-c", "exit 0"], new MemoryOutput()), 0);
  const io = new MemoryOutput();
  assert.equal(await probeCommand(["exec", "sh", "-c", "exit 3"], io), 1);
  assert.match(io.stderr, /exit code 3/);
  const slow = new MemoryOutput();
  assert.equal(await probeCommand(["--timeout", "100", "exec", "sleep", "30"], slow), 1);
  assert.match(slow.stderr, /timed out after 100 ms/);
});

Deno.test("nimi probe --wait log waits for a line appended after the offset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-probe-" });
  try {
    const file = `${dir}/output.log`;
    await Deno.writeTextFile(file, "ready from an earlier run\n");
    const offset = String((await Deno.stat(file)).size);
    const once = new MemoryOutput();
    assert.equal(
      await probeCommand(["log", "--file", file, "--offset", offset, "ready"], once),
      1,
      "lines before the offset do not count",
    );
    assert.equal(await probeCommand(["log", "--file", file, "ready"], new MemoryOutput()), 0);
    const waiting = probeCommand(
      ["--wait", "--period", "20", "log", "--file", file, "--offset", offset, "^ready$"],
      new MemoryOutput(),
    );
    await new Promise((r) => setTimeout(r, 100));
    await Deno.writeTextFile(file, "starting\nrea", { append: true });
    await new Promise((r) => setTimeout(r, 60));
    await Deno.writeTextFile(file, "dy\n", { append: true });
    assert.equal(await waiting, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi probe --wait runs as a real process until the port opens", async () => {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${REPO_ROOT}/mod.ts`,
      "probe",
      "--wait",
      "--period",
      "50",
      "tcp",
      "127.0.0.1",
      String(port),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await new Promise((r) => setTimeout(r, 700));
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const accepting = (async () => {
    for await (const c of listener) c.close();
  })();
  try {
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    listener.close();
    await accepting.catch(() => {});
  }
  const refused = await run(Deno.execPath(), [
    "run",
    "-A",
    `${REPO_ROOT}/mod.ts`,
    "probe",
    "tcp",
    "127.0.0.1",
    String(port),
  ]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^nimi: probe tcp: cannot connect/);
});

Deno.test("nimi probe: --help before the kind is help; after it, the exec command's own", async () => {
  const help = new MemoryOutput();
  assert.equal(await main(["probe", "--help"], help), 0);
  assert.match(help.stdout, /^nimi probe: /);
  const passed = new MemoryOutput();
  assert.equal(
    await main(["probe", "exec", "sh", "-c", 'test "$1" = --help', "sh", "--help"], passed),
    0,
    passed.stderr,
  );
});
