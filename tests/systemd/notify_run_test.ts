/**
 * `nimi run` as a `Type=notify` service, against a real datagram socket standing in for
 * systemd's (the real systemd is in tests/systemd/system_unit_test.ts): READY=1 only once every
 * service is ready, STATUS= as they change, STOPPING=1 on SIGTERM, WATCHDOG=1 at half of
 * WATCHDOG_USEC, and the services do not inherit NOTIFY_SOCKET unless they ask for notify.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";

interface Datagram {
  at: number;
  text: string;
}

/** Receives datagrams on a path socket (Deno's unstable datagram API, as deno.json enables). */
function receiver(path: string): { got: Datagram[]; close: () => Promise<void> } {
  const listen = (Deno as unknown as {
    listenDatagram(o: { transport: "unixpacket"; path: string }): {
      receive(): Promise<[Uint8Array, unknown]>;
      close(): void;
    };
  }).listenDatagram;
  const conn = listen({ transport: "unixpacket", path });
  const got: Datagram[] = [];
  const done = (async () => {
    try {
      for (;;) {
        const [data] = await conn.receive();
        got.push({ at: performance.now(), text: new TextDecoder().decode(data) });
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted)) throw e;
    }
  })();
  return { got, close: () => (conn.close(), done) };
}

async function until(what: string, check: () => boolean, ms = 15000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function startNimi(config: string, env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO_ROOT}/mod.ts`, "--config", config, "run"],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("nimi run notifies READY=1 after every service is ready, STATUS=, WATCHDOG=1, STOPPING=1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-systemd-" });
  const socket = receiver(`${dir}/notify.sock`);
  try {
    const env = (name: string) =>
      `echo "NOTIFY_SOCKET=$NOTIFY_SOCKET WATCHDOG_USEC=$WATCHDOG_USEC" >${dir}/${name}.env`;
    const config = {
      services: {
        web: {
          process: {
            argv: [
              "sh",
              "-c",
              `${
                env("web")
              }; while [ ! -e ${dir}/go ]; do sleep 0.05; done; echo listening; exec sleep 60`,
            ],
          },
          nimi: { readiness: { type: "log", pattern: "listening", period: 50 } },
        },
        notifier: {
          process: {
            argv: ["sh", "-c", `${env("notifier")}; systemd-notify --ready; exec sleep 60`],
          },
          nimi: { readiness: { type: "notify" } },
        },
      },
    };
    await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify(config));
    const child = startNimi(`${dir}/c.json`, {
      NOTIFY_SOCKET: `${dir}/notify.sock`,
      WATCHDOG_USEC: "400000",
    });
    const output = child.output();
    const texts = () => socket.got.map((d) => d.text);
    await until("web in STATUS", () => texts().some((t) => /STATUS=.*starting: .*web/.test(t)));
    await until("the services' env files", () => {
      try {
        Deno.statSync(`${dir}/web.env`);
        Deno.statSync(`${dir}/notifier.env`);
        return true;
      } catch {
        return false;
      }
    });
    // Give nimi time to (wrongly) send READY=1 before web can be ready.
    await new Promise((r) => setTimeout(r, 400));
    const goAt = performance.now();
    await Deno.writeTextFile(`${dir}/go`, "");
    await until("READY=1", () => texts().some((t) => t.includes("READY=1")));
    const ready = socket.got.find((d) => d.text.includes("READY=1"))!;
    assert.ok(ready.at > goAt, `READY=1 came before web could be ready: ${texts().join(" | ")}`);
    assert.match(ready.text, /^READY=1\nSTATUS=2\/2 ready$/);
    await until("two watchdog pings", () => texts().filter((t) => t === "WATCHDOG=1").length >= 2);
    child.kill("SIGTERM");
    const out = await output;
    assert.equal(out.code, 0, new TextDecoder().decode(out.stdout));
    await until("STOPPING=1", () => texts().some((t) => t.startsWith("STOPPING=1")));
    const all = texts().filter((t) => t !== "WATCHDOG=1");
    assert.equal(all.filter((t) => t.includes("READY=1")).length, 1, all.join(" | "));
    assert.ok(all.indexOf(ready.text) < all.findIndex((t) => t.startsWith("STOPPING=1")));
    assert.match(all.at(-1)!, /^STATUS=stopping: 0 of 2 still running$/);
    // Services never see nimi's socket; the notify probe gives its service a private one.
    assert.equal(await Deno.readTextFile(`${dir}/web.env`), "NOTIFY_SOCKET= WATCHDOG_USEC=\n");
    const notifierEnv = await Deno.readTextFile(`${dir}/notifier.env`);
    assert.match(notifierEnv, /^NOTIFY_SOCKET=\/\S+\/notify\.sock WATCHDOG_USEC=\n$/);
    assert.ok(!notifierEnv.includes(`${dir}/notify.sock`), notifierEnv);
  } finally {
    await socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi run notifies an abstract socket (@name), and no watchdog for another WATCHDOG_PID", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-systemd-" });
  try {
    const name = `nimi-test-systemd-${Deno.pid}-${Date.now()}`;
    // Deno cannot bind abstract names; python3 (tests/tools.sh) can.
    const py = new Deno.Command("python3", {
      args: [
        "-c",
        [
          "import socket,sys",
          "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)",
          `s.bind("\\0${name}")`,
          "print('bound',flush=True)",
          "while True:",
          "  d=s.recv(4096).decode()",
          "  print(repr(d),flush=True)",
          "  if d.startswith('STOPPING=1'): break",
        ].join("\n"),
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = py.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const readUntil = async (what: string) => {
      while (!seen.includes(what)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`receiver ended before ${what}: ${seen}`);
        seen += value;
      }
    };
    await readUntil("bound");
    const config = { services: { web: { process: { argv: ["sleep", "60"] } } } };
    await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify(config));
    const child = startNimi(`${dir}/c.json`, {
      NOTIFY_SOCKET: `@${name}`,
      WATCHDOG_USEC: "100000",
      WATCHDOG_PID: "1",
    });
    await readUntil("READY=1");
    // Five watchdog periods: a ping for pid 1 would have arrived by now.
    await new Promise((r) => setTimeout(r, 250));
    child.kill("SIGTERM");
    const out = await child.output();
    await readUntil("STOPPING=1");
    reader.releaseLock();
    await py.status;
    assert.equal(out.code, 0);
    assert.match(seen, /'READY=1\\nSTATUS=1\/1 ready'/);
    assert.ok(!seen.includes("WATCHDOG=1"), seen);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
