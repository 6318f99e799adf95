import assert from "node:assert/strict";
import { createSignalGate, installSignalListeners } from "../../src/pid1/signals.ts";
import type { HandledSignal, SignalEvent } from "../../src/pid1/signal_table.ts";

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

Deno.test("createSignalGate() listens for all seven signals at once", () => {
  const os = fakeOs();
  const gate = createSignalGate({ listen: os.listen });
  assert.equal(os.count(), 7);
  gate.close();
  assert.equal(os.count(), 0);
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
