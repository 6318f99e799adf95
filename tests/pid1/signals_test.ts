import assert from "node:assert/strict";
import { createSignalGate, installSignalListeners } from "../../src/pid1/signals.ts";
import {
  BASIC_SIGNALS,
  HANDLED_SIGNALS,
  type HandledSignal,
  type SignalEvent,
} from "../../src/pid1/signal_table.ts";
import { parseIgnored } from "../../src/pid1/ignored.ts";

/** A fake OS: records listeners, delivers signals on demand. */
function fakeOs() {
  const listeners = new Map<HandledSignal, Set<() => void>>();
  return {
    listen(signal: HandledSignal, fn: () => void): () => void {
      const set = listeners.get(signal) ?? new Set();
      set.add(fn);
      listeners.set(signal, set);
      return () => set.delete(fn);
    },
    send(signal: HandledSignal): void {
      for (const fn of listeners.get(signal) ?? []) fn();
    },
    count(): number {
      return [...listeners.values()].reduce((n, s) => n + s.size, 0);
    },
  };
}

Deno.test("createSignalGate() listens for every handled signal at once, or the ones given", () => {
  const os = fakeOs();
  const gate = createSignalGate({ listen: os.listen, ignored: new Set() });
  assert.equal(os.count(), HANDLED_SIGNALS.length);
  gate.close();
  assert.equal(os.count(), 0);
  const basic = createSignalGate({ listen: os.listen, signals: BASIC_SIGNALS, ignored: new Set() });
  assert.equal(os.count(), 7);
  basic.close();
});

Deno.test("createSignalGate() sets the parent's ignored signals back to ignored, drops them", () => {
  const os = fakeOs();
  const ignoredNow: number[] = [];
  const gate = createSignalGate({
    listen: os.listen,
    ignored: new Set([2, 10]),
    ignore: (n) => ignoredNow.push(n),
  });
  assert.deepEqual(ignoredNow, [2, 10]);
  assert.deepEqual([...gate.ignored], [2, 10]);
  assert.equal(gate.ignoreError, null);
  const seen: SignalEvent[] = [];
  gate.attach((e) => seen.push(e));
  os.send("SIGINT");
  os.send("SIGUSR1");
  os.send("SIGUSR2");
  assert.deepEqual(seen, [{ signal: "SIGUSR2", action: "forward" }]);
  gate.close();
});

Deno.test("parseIgnored() reads SigIgn, leaving SIGPIPE out", () => {
  assert.deepEqual([...parseIgnored("Name:\tx\nSigIgn:\t0000000000001002\n")], [2]);
  assert.deepEqual([...parseIgnored("SigIgn:\t0000000040000001\n")], [1, 31]);
  assert.deepEqual([...parseIgnored("no mask here")], []);
});

Deno.test("createSignalGate() buffers signals until a handler attaches, then replays them", () => {
  const os = fakeOs();
  const exits: number[] = [];
  const gate = createSignalGate({ listen: os.listen, exit: (c) => exits.push(c) });
  os.send("SIGHUP");
  os.send("SIGTERM");
  assert.deepEqual(gate.pending().map((e) => e.signal), ["SIGHUP", "SIGTERM"]);
  const seen: SignalEvent[] = [];
  gate.attach((e) => seen.push(e));
  assert.deepEqual(seen, [
    { signal: "SIGHUP", action: "forward" },
    { signal: "SIGTERM", action: "stop" },
  ]);
  assert.deepEqual(gate.pending(), []);
  os.send("SIGINT");
  assert.deepEqual(seen.at(-1), { signal: "SIGINT", action: "kill" });
  assert.deepEqual(exits, []);
});

Deno.test("createSignalGate() exits 128+N on a second stop while nothing is attached", async (t) => {
  await t.step("second SIGTERM", () => {
    const os = fakeOs();
    const exits: number[] = [];
    createSignalGate({ listen: os.listen, exit: (c) => exits.push(c) });
    os.send("SIGTERM");
    assert.deepEqual(exits, []);
    os.send("SIGTERM");
    assert.deepEqual(exits, [143]);
  });
  await t.step("SIGQUIT", () => {
    const os = fakeOs();
    const exits: number[] = [];
    createSignalGate({ listen: os.listen, exit: (c) => exits.push(c) });
    os.send("SIGQUIT");
    assert.deepEqual(exits, [131]);
  });
});

Deno.test("createSignalGate() with holdStops false exits on the first stop request", () => {
  const os = fakeOs();
  const exits: number[] = [];
  const gate = createSignalGate({
    listen: os.listen,
    exit: (c) => exits.push(c),
    holdStops: false,
  });
  os.send("SIGHUP");
  assert.deepEqual(exits, []);
  os.send("SIGINT");
  assert.deepEqual(exits, [130]);
  const seen: SignalEvent[] = [];
  gate.attach((e) => seen.push(e));
  os.send("SIGTERM");
  assert.deepEqual(seen.map((e) => e.signal), ["SIGHUP", "SIGTERM"]);
});

Deno.test("createSignalGate() buffers again after detach, keeping the stop count", () => {
  const os = fakeOs();
  const gate = createSignalGate({ listen: os.listen, exit: () => {} });
  const first: SignalEvent[] = [];
  const detach = gate.attach((e) => first.push(e));
  os.send("SIGINT");
  detach();
  os.send("SIGUSR1");
  assert.deepEqual(first.map((e) => e.signal), ["SIGINT"]);
  const second: SignalEvent[] = [];
  gate.attach((e) => second.push(e));
  os.send("SIGTERM");
  assert.deepEqual(second, [
    { signal: "SIGUSR1", action: "forward" },
    { signal: "SIGTERM", action: "kill" },
  ]);
});

Deno.test("createSignalGate() receives a real SIGUSR2 sent to this process", async () => {
  const gate = createSignalGate();
  // Signal listeners do not keep the event loop alive; this timer does until the signal comes.
  const keepAlive = setTimeout(() => {}, 60_000);
  try {
    const got = new Promise<SignalEvent>((resolve) => gate.attach(resolve));
    Deno.kill(Deno.pid, "SIGUSR2");
    assert.deepEqual(await got, { signal: "SIGUSR2", action: "forward" });
  } finally {
    clearTimeout(keepAlive);
    gate.close();
  }
});

Deno.test("installSignalListeners() returns one gate per process until it is closed", () => {
  const a = installSignalListeners();
  const b = installSignalListeners();
  a.close();
  const c = installSignalListeners();
  c.close();
  assert.equal(a, b);
  assert.notEqual(a, c);
});
