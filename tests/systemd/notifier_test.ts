import assert from "node:assert/strict";
import { SystemdNotifier } from "../../src/systemd/notifier.ts";
import type { NotifySender } from "../../src/systemd/notify_socket.ts";

function fakeSender(fail: () => boolean = () => false) {
  const sent: string[] = [];
  let closed = false;
  const sender: NotifySender = {
    address: "/fake/notify",
    send(message) {
      if (fail()) throw new Error(`Cannot notify "/fake/notify": ECONNREFUSED (errno 111)`);
      sent.push(message);
    },
    close() {
      closed = true;
    },
  };
  return { sender, sent, closed: () => closed };
}

Deno.test("SystemdNotifier sends each change once and STOPPING=1 at close when no stop was seen", () => {
  const { sender, sent, closed } = fakeSender();
  const warnings: string[] = [];
  const n = new SystemdNotifier({ sender, watchdogMs: null, warn: (m) => warnings.push(m) });
  n.update([{ name: "web", phase: "running" }], false);
  n.update([{ name: "web", phase: "running" }], false);
  n.update([{ name: "web", phase: "ready" }], false);
  n.close();
  n.close();
  n.update([{ name: "web", phase: "stopped" }], true);
  assert.deepEqual(sent, [
    "STATUS=0/1 ready; starting: web",
    "READY=1\nSTATUS=1/1 ready",
    "STOPPING=1",
  ]);
  assert.ok(closed());
  assert.deepEqual(warnings, []);
});

Deno.test("SystemdNotifier reports a failing socket once until a send succeeds again", () => {
  let failing = true;
  const { sender, sent } = fakeSender(() => failing);
  const warnings: string[] = [];
  const n = new SystemdNotifier({ sender, watchdogMs: null, warn: (m) => warnings.push(m) });
  n.update([{ name: "a", phase: "running" }], false);
  n.update([{ name: "a", phase: "ready" }], false);
  assert.deepEqual(warnings, [`Cannot notify "/fake/notify": ECONNREFUSED (errno 111)`]);
  failing = false;
  n.update([{ name: "a", phase: "restarting" }], false);
  failing = true;
  n.update([{ name: "a", phase: "ready" }], false);
  assert.equal(warnings.length, 2);
  assert.deepEqual(sent, ["STATUS=0/1 ready; restarting: a"]);
  n.close();
});

Deno.test("SystemdNotifier pings WATCHDOG=1 at its interval until closed", async () => {
  const { sender, sent } = fakeSender();
  const n = new SystemdNotifier({ sender, watchdogMs: 20, warn: () => {} });
  await new Promise((r) => setTimeout(r, 130));
  n.close();
  const pings = sent.filter((m) => m === "WATCHDOG=1").length;
  assert.ok(pings >= 2, `pings: ${pings}`);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(sent.filter((m) => m === "WATCHDOG=1").length, pings, "no ping after close");
});
