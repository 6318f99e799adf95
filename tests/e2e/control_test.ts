import assert from "node:assert/strict";
import { sh, startControlled } from "./control_helpers.ts";
import { runCli } from "../helpers/cli.ts";

const long = (name: string) => sh(`echo ${name} up; exec sleep 1000`);

Deno.test("nimi status shows each phase, as a table and as JSON", async () => {
  const c = await startControlled({
    services: {
      up: long("up"),
      probing: sh("exec sleep 1000", {
        readiness: { type: "log", pattern: "never printed", period: 100 },
      }),
      later: sh("exec sleep 1000", { dependsOn: { probing: "ready" } }),
      crashing: sh("exit 1", { restart: { mode: "always", time: 60000 } }),
      done: sh("exit 0", { type: "oneshot" }),
      broken: sh("exit 3", { restart: { mode: "never" } }),
      slowstop: sh("trap 'sleep 4; exit 0' TERM; while :; do sleep 1 & wait $!; done", {
        stopTimeout: 30000,
      }),
      held: long("held"),
    },
  });
  try {
    await c.until("crashing", (s) => s.phase === "restarting");
    await c.until("broken", (s) => s.phase === "failed");
    await c.until("done", (s) => s.phase === "exited");
    await c.until("slowstop", (s) => s.phase === "ready");
    assert.equal((await c.api("POST", "/v1/services/held/stop")).status, 200);
    const stopping = c.api("POST", "/v1/services/slowstop/stop");
    await c.until("slowstop", (s) => s.phase === "stopping");
    const s = await c.states();
    assert.equal(s.up!.phase, "ready");
    assert.equal(s.up!.ready, null);
    assert.equal(s.probing!.phase, "running");
    assert.equal(s.probing!.ready, false);
    assert.equal(s.later!.phase, "waiting");
    assert.equal(s.crashing!.restartInMs, 60000);
    assert.deepEqual(s.broken!.lastExit, { code: 3, signal: null });
    assert.equal(s.done!.oneshot, true);
    assert.equal(s.held!.phase, "stopped");
    assert.equal(s.held!.stopRequested, true);
    assert.equal(typeof s.up!.pid, "number");
    const table = await c.cli("status");
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^NAME +PHASE +PID +RESTARTS +LAST EXIT +SINCE +READY +HEALTHY$/);
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? "";
    assert.match(row("up"), new RegExp(`^up +ready +${s.up!.pid} +0 +- `));
    assert.match(row("probing"), /^probing +running +\d+ +0 +- +\d+s +no/);
    assert.match(row("later"), /^later +waiting +- +0 /);
    assert.match(row("crashing"), /^crashing +restarting in \d+s +- +0 +code 1 /);
    assert.match(row("done"), /^done +exited +- +0 +code 0 /);
    assert.match(row("broken"), /^broken +failed +- +0 +code 3 /);
    assert.match(row("slowstop"), /^slowstop +stopping +\d+ /);
    assert.match(row("held"), /^held +stopped \(by request\) +- +0 +SIGTERM /);
    const json = await c.cli("status", "--json");
    const parsed = JSON.parse(json.stdout);
    assert.deepEqual(
      parsed.services.map((x: { name: string }) => x.name).sort(),
      Object.keys(s).sort(),
    );
    assert.equal((await stopping).body.phase, "stopped");
  } finally {
    await c.stop();
  }
});

Deno.test("nimi stop, start and restart act on one service and leave the others' pids alone", async () => {
  const c = await startControlled({
    services: { web: long("web"), db: long("db"), worker: long("worker") },
    settings: { restart: { mode: "always", time: 0 } },
  });
  try {
    await c.until("worker", (s) => s.phase === "ready");
    const before = await c.states();
    const stop = await c.cli("stop", "web");
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, "web: stopped\n");
    // Restart mode "always" does not bring it back: it stays stopped until started.
    await new Promise((r) => setTimeout(r, 300));
    let now = await c.states();
    assert.equal(now.web!.phase, "stopped");
    assert.equal(now.db!.pid, before.db!.pid);
    assert.equal(now.worker!.pid, before.worker!.pid);
    const start = await c.cli("start", "web");
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, /^web: ready \(pid \d+\)\n$/);
    const restart = await c.cli("restart", "db");
    assert.equal(restart.code, 0, restart.stderr);
    now = await c.states();
    assert.notEqual(now.web!.pid, before.web!.pid);
    assert.notEqual(now.db!.pid, before.db!.pid);
    assert.equal(now.db!.restarts, 1);
    assert.equal(now.worker!.pid, before.worker!.pid);
    const unknown = await c.cli("stop", "nope");
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /^nimi: stop nope: no service "nope"; known services: web, db, worker\n$/,
    );
  } finally {
    await c.stop();
  }
});

Deno.test("nimi signal reaches the service's whole process group", async () => {
  const c = await startControlled({
    services: {
      tree: sh(
        `sh -c 'trap "echo child got USR1" USR1; while :; do sleep 1 & wait $!; done' & ` +
          `trap 'echo parent got USR1' USR1; echo up; while :; do sleep 1 & wait $!; done`,
      ),
    },
  });
  try {
    await c.nimi.waitFor(/tree +\| up/);
    await new Promise((r) => setTimeout(r, 200));
    const r = await c.cli("signal", "USR1", "tree");
    assert.equal(r.code, 0, r.stderr);
    await c.nimi.waitFor(/tree +\| parent got USR1/);
    await c.nimi.waitFor(/tree +\| child got USR1/);
    const bad = await c.cli("signal", "NOPE", "tree");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown signal "NOPE"/);
  } finally {
    await c.stop();
  }
});

Deno.test("nimi logs -n prints the last lines and logs -f follows new ones", async () => {
  const c = await startControlled({
    services: {
      talker: sh(
        `i=1; while [ $i -le 50 ]; do echo "line $i"; i=$((i+1)); done; ` +
          `n=0; while :; do sleep 0.2; n=$((n+1)); echo "tick $n" >&2; done`,
      ),
      quiet: long("quiet"),
    },
  });
  try {
    await c.nimi.waitFor(/talker +! tick 1$/m);
    const last = await c.cli("logs", "-n", "3", "talker");
    assert.equal(last.code, 0, last.stderr);
    const got = last.stdout.trimEnd().split("\n");
    assert.equal(got.length, 3);
    for (const l of got) assert.match(l, /^talker (\| line \d+|! tick \d+)$/);
    // The API itself, through curl: one JSON object a line.
    const curl = await new Deno.Command("curl", {
      args: ["-sf", "--unix-socket", c.socket, "http://nimi/v1/logs?service=talker&n=5"],
    }).output();
    assert.ok(curl.success, new TextDecoder().decode(curl.stderr));
    const ndjson = new TextDecoder().decode(curl.stdout).trimEnd().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.equal(ndjson.length, 5);
    for (const e of ndjson) {
      assert.deepEqual(Object.keys(e), ["service", "stream", "line", "time"]);
      assert.equal(e.service, "talker");
      assert.ok(!Number.isNaN(Date.parse(e.time)));
    }
    const follower = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${new URL("../../mod.ts", import.meta.url).pathname}`,
        "logs",
        "-f",
        "-n",
        "0",
        "talker",
        "--socket",
        c.socket,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = follower.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/talker ! tick \d+\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    follower.kill("SIGTERM");
    await reader.cancel();
    await follower.status;
    await follower.stderr.cancel();
    assert.match(text, /^talker ! tick \d+$/m);
    assert.doesNotMatch(text, /line \d+/, "-n 0 prints no past lines");
  } finally {
    await c.stop();
  }
});

Deno.test("nimi reload restarts the changed, starts the added, stops the removed, keeps the rest", async () => {
  const config = {
    services: { same: long("same"), edited: long("edited"), gone: long("gone") },
  };
  const c = await startControlled(config);
  try {
    await c.until("gone", (s) => s.phase === "ready");
    const before = await c.states();
    const file = `${c.nimi.dir}/nimi.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ services: { same: long("same") } }).slice(0, -3),
    );
    const invalid = await c.cli("reload");
    assert.equal(invalid.code, 2, invalid.stderr);
    assert.match(invalid.stderr, /invalid config, nothing changed/);
    const unchanged = await c.states();
    for (const n of ["same", "edited", "gone"]) assert.equal(unchanged[n]!.pid, before[n]!.pid);
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        services: {
          same: long("same"),
          edited: sh("echo edited v2; exec sleep 1000"),
          fresh: long("fresh"),
        },
      }),
    );
    const r = await c.cli("reload");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "added     fresh\nremoved   gone\nchanged   edited\nunchanged same\n");
    await c.until("fresh", (s) => s.phase === "ready");
    await c.until("edited", (s) => s.phase === "ready");
    const after = await c.states();
    assert.equal(after.same!.pid, before.same!.pid);
    assert.notEqual(after.edited!.pid, before.edited!.pid);
    assert.equal(after.gone, undefined);
    await c.nimi.waitFor(/edited +\| edited v2/);
  } finally {
    await c.stop();
  }
});

Deno.test("a service a reload adds gets its log file like the first ones", async () => {
  const c = await startControlled({
    services: { first: sh("echo first line; exec sleep 1000") },
    settings: { logging: { enable: true, logsDir: "logs" } },
  });
  try {
    await c.nimi.waitFor(/first +\| first line/);
    const file = `${c.nimi.dir}/nimi.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        services: {
          first: sh("echo first line; exec sleep 1000"),
          added: sh("echo added line; exec sleep 1000"),
        },
        settings: { logging: { enable: true, logsDir: "logs" } },
      }),
    );
    const r = await c.cli("reload");
    assert.equal(r.code, 0, r.stderr);
    await c.nimi.waitFor(/added +\| added line/);
    const runs = [...Deno.readDirSync(`${c.nimi.dir}/logs`)].filter((e) => e.isDirectory);
    assert.equal(runs.length, 1, JSON.stringify(runs));
    const dir = `${c.nimi.dir}/logs/${runs[0]!.name}`;
    // The console has the line; the file gets it from its own writer, a moment later at most.
    const read = async (name: string, want: RegExp) => {
      let text = "";
      for (let i = 0; i < 200 && !want.test(text); i++) {
        try {
          text = await Deno.readTextFile(`${dir}/${name}`);
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
        if (!want.test(text)) await new Promise((res) => setTimeout(res, 25));
      }
      return text;
    };
    assert.match(await read("first.log", / stdout first line\n/), / stdout first line\n/);
    assert.match(await read("added.log", / stdout added line\n/), / stdout added line\n/);
  } finally {
    await c.stop();
  }
});

Deno.test("nimi run SERVICE... starts those and what they depend on", async () => {
  const c = await startControlled({
    services: {
      db: long("db"),
      web: sh("echo web up; exec sleep 1000", { dependsOn: { db: "started" } }),
      worker: long("worker"),
    },
  }, ["web"]);
  try {
    await c.until("web", (s) => s.phase === "ready");
    assert.deepEqual(Object.keys(await c.states()), ["db", "web"]);
    assert.doesNotMatch(c.nimi.stdout(), /worker/);
  } finally {
    await c.stop();
  }
  const unknown = await runCli(["--config", "examples/demo.json", "run", "nope"]);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /^nimi: no service "nope" in examples\/demo\.json; known services: /,
  );
});

Deno.test("the control clients say clearly when no nimi is running", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli(["status", "--socket", `${dir}/none.sock`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^nimi: no nimi is running here: no control socket at ".*none\.sock"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /v1/events pushes a snapshot, then each state change; errors are JSON with their status", async () => {
  const c = await startControlled({ services: { web: long("web"), db: long("db") } });
  try {
    await c.until("db", (s) => s.phase === "ready");
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path: c.socket } });
    const res = await fetch("http://nimi/v1/events", { client });
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const next = async () => {
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("events ended");
        text += value;
      }
      const i = text.indexOf("\n");
      const line = text.slice(0, i);
      text = text.slice(i + 1);
      return JSON.parse(line);
    };
    const snapshot = await next();
    assert.equal(snapshot.type, "snapshot");
    assert.deepEqual(snapshot.services.map((s: { name: string }) => s.name), ["web", "db"]);
    await c.api("POST", "/v1/services/web/stop");
    let event;
    do event = await next(); while (
      !(event.service.name === "web" && event.service.phase === "stopped")
    );
    assert.equal(event.type, "state");
    assert.equal(event.service.stopRequested, true);
    await reader.cancel();
    client.close();

    const cases: [string, string, unknown, number, RegExp][] = [
      ["GET", "/v1/services/nope", undefined, 404, /^no service "nope"; known services: web, db$/],
      ["POST", "/v1/services", undefined, 405, /^POST is not allowed here; use GET$/],
      ["POST", "/v1/services/db/signal", { signal: "NOPE" }, 400, /signal such as "HUP"/],
      ["POST", "/v1/services/web/signal", { signal: "HUP" }, 409, /no running process/],
      ["GET", "/v1/logs?n=-1", undefined, 400, /^n must be a whole number/],
      ["GET", "/nope", undefined, 404, /^no route/],
    ];
    for (const [method, route, body, status, message] of cases) {
      const r = await c.api(method, route, body);
      assert.equal(r.status, status, `${method} ${route}`);
      assert.match(r.body.error, message, `${method} ${route}`);
    }
  } finally {
    await c.stop();
  }
});
