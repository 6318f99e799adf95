/**
 * Event probes: the counter, the log line matcher and the systemd notify socket (with real
 * senders: python3's AF_UNIX datagram socket and systemd-notify).
 *
 * @module
 */
import assert from "node:assert/strict";
import { eventCheck, EventCounter } from "../../src/supervisor/probe_event.ts";
import { LogLineProbe } from "../../src/supervisor/probe_log.ts";
import {
  notifyAvailable,
  type NotifyMessage,
  NotifySocket,
  NotifyUnavailableError,
  parseNotifyMessage,
} from "../../src/supervisor/probe_notify.ts";
import { rootTest } from "../helpers/root.ts";

const live = () => new AbortController().signal;

Deno.test("EventCounter.next() resolves at the next add() and rejects on abort", async () => {
  const c = new EventCounter();
  const next = c.next(live());
  c.add();
  await next;
  assert.equal(c.count, 1);
  const stop = new AbortController();
  const waiting = c.next(stop.signal);
  stop.abort(new Error("gone"));
  await assert.rejects(waiting, /gone/);
});

Deno.test("eventCheck() in mode ever passes once any event was seen", async () => {
  const c = new EventCounter();
  const check = eventCheck(c, "ever", "READY=1");
  assert.deepEqual(await check(live()), { ok: false, detail: "no READY=1 yet" });
  c.add();
  assert.deepEqual(await check(live()), { ok: true, detail: "saw READY=1" });
  assert.deepEqual(await check(live()), { ok: true, detail: "saw READY=1" });
});

Deno.test("eventCheck() in mode since-last needs a new event for each pass", async () => {
  const c = new EventCounter();
  const check = eventCheck(c, "since-last", "WATCHDOG=1");
  c.add();
  c.add();
  assert.equal((await check(live())).ok, true);
  assert.deepEqual(await check(live()), {
    ok: false,
    detail: "no WATCHDOG=1 since the last check",
  });
  c.add();
  assert.equal((await check(live())).ok, true);
});

Deno.test("LogLineProbe.feed() matches text and byte lines, ignoring the newline", () => {
  const p = new LogLineProbe("^listening on :\\d+$");
  assert.equal(p.feed("starting\n"), false);
  assert.equal(p.feed("listening on :8080\n"), true);
  assert.equal(p.feed(new TextEncoder().encode("listening on :9090\r\n")), true);
  assert.equal(p.feed("listening on :x"), false);
  assert.equal(p.matches.count, 2);
});

Deno.test("parseNotifyMessage() reads KEY=VALUE lines", () => {
  const m = parseNotifyMessage("READY=1\nSTATUS=up = fine\nnoise\n=x\n");
  assert.deepEqual([...m], [["READY", "1"], ["STATUS", "up = fine"]]);
});

Deno.test("NotifySocket receives READY=1 and WATCHDOG=1 from real senders", async (t) => {
  if (!notifyAvailable()) {
    throw new Error("Deno.listenDatagram is missing: deno.json must set unstable net");
  }
  const messages: NotifyMessage[] = [];
  const socket = await NotifySocket.open({ onMessage: (m) => messages.push(m) });
  const dir = socket.path.slice(0, socket.path.lastIndexOf("/"));
  try {
    await t.step("the socket's directory is private", async () => {
      assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    });

    await t.step("a python3 AF_UNIX datagram carrying READY=1 counts as ready", async () => {
      const ready = socket.ready.next(live());
      const send = await new Deno.Command("python3", {
        args: [
          "-c",
          "import os,socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); " +
          "s.sendto(b'READY=1\\nSTATUS=serving', os.environ['NOTIFY_SOCKET'])",
        ],
        env: { NOTIFY_SOCKET: socket.path },
      }).output();
      assert.equal(send.code, 0, new TextDecoder().decode(send.stderr));
      await ready;
      assert.equal(socket.ready.count, 1);
      assert.equal(messages[0]?.get("STATUS"), "serving");
    });

    await t.step("systemd-notify --no-block sends WATCHDOG=1", async () => {
      const beat = socket.watchdog.next(live());
      const send = await new Deno.Command("systemd-notify", {
        args: ["--no-block", "WATCHDOG=1"],
        env: { NOTIFY_SOCKET: socket.path },
      }).output();
      assert.equal(send.code, 0, new TextDecoder().decode(send.stderr));
      await beat;
      assert.equal(socket.watchdog.count, 1);
      assert.equal(socket.ready.count, 1);
    });
  } finally {
    await socket.close();
  }
  await t.step("close() removes the socket's directory", async () => {
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  });
});

rootTest(
  "NotifySocket.open() gives the socket to the service's user",
  "it chowns the socket",
  async () => {
    const socket = await NotifySocket.open({ uid: 65534, gid: 65534 });
    try {
      const dir = socket.path.slice(0, socket.path.lastIndexOf("/"));
      const [d, s] = [await Deno.stat(dir), await Deno.stat(socket.path)];
      assert.deepEqual([d.uid, d.gid, s.uid, s.gid], [65534, 65534, 65534, 65534]);
      const ready = socket.ready.next(live());
      const send = await new Deno.Command("systemd-notify", {
        args: ["--no-block", "--ready"],
        env: { NOTIFY_SOCKET: socket.path },
        uid: 65534,
        gid: 65534,
        // As nobody the checkout (maybe under /root, 0700) is no working directory.
        cwd: "/",
      }).output();
      assert.equal(send.code, 0, new TextDecoder().decode(send.stderr));
      await ready;
    } finally {
      await socket.close();
    }
  },
);

Deno.test("NotifySocket.open() fails with NotifyUnavailableError naming the flag when Deno lacks datagrams", async () => {
  const deno = Deno as unknown as Record<string, unknown>;
  const saved = Object.getOwnPropertyDescriptor(Deno, "listenDatagram");
  delete deno.listenDatagram;
  try {
    assert.equal(notifyAvailable(), false);
    await assert.rejects(NotifySocket.open(), (e: unknown) => {
      assert.ok(e instanceof NotifyUnavailableError);
      assert.match(e.message, /needs unix datagram sockets, .* --unstable-net/);
      return true;
    });
  } finally {
    if (saved !== undefined) Object.defineProperty(Deno, "listenDatagram", saved);
  }
  assert.equal(notifyAvailable(), saved !== undefined);
});
