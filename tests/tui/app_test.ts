/**
 * The UI loop driven by a fake terminal and a fake control client: keys in, effects out, and the
 * terminal restored on every way out. The real terminal and the real control socket are proved
 * in tui_e2e_test.ts under tmux.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runTui, type TuiTerminal } from "../../src/tui/app.ts";
import type { TuiClient } from "../../src/tui/client.ts";
import { SEQ } from "../../src/tui/ansi.ts";
import type { ControlEvent, LogLine, ServiceState } from "../../src/tui/types.ts";
import { log, state } from "./fixtures.ts";

/** An async queue: push values, iterate them. */
class Queue<T> {
  #items: T[] = [];
  #waiters: ((v: IteratorResult<T>) => void)[] = [];
  #closed = false;
  push(item: T): void {
    const w = this.#waiters.shift();
    if (w) w({ value: item, done: false });
    else this.#items.push(item);
  }
  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }
  async *iterate(signal?: AbortSignal): AsyncIterable<T> {
    while (true) {
      if (this.#items.length) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#closed || signal?.aborted) return;
      const next = await new Promise<IteratorResult<T>>((resolve) => {
        this.#waiters.push(resolve);
        signal?.addEventListener("abort", () => resolve({ value: undefined, done: true }));
      });
      if (next.done) return;
      yield next.value;
    }
  }
}

class FakeTerminal implements TuiTerminal {
  input = new Queue<string>();
  output = "";
  raw: boolean[] = [];
  #reader = this.input.iterate()[Symbol.asyncIterator]();
  async read(buffer: Uint8Array): Promise<number | null> {
    const next = await this.#reader.next();
    if (next.done) return null;
    const bytes = new TextEncoder().encode(next.value);
    buffer.set(bytes);
    return bytes.length;
  }
  write(text: string): void {
    this.output += text;
  }
  size() {
    return { columns: 80, rows: 24 };
  }
  setRaw(raw: boolean): void {
    this.raw.push(raw);
  }
}

class FakeClient implements TuiClient {
  eventQueue = new Queue<ControlEvent>();
  logQueue = new Queue<LogLine>();
  calls: string[] = [];
  failEvents: Error | null = null;
  events(signal: AbortSignal): AsyncIterable<ControlEvent> {
    if (this.failEvents) {
      const e = this.failEvents;
      return (async function* () {
        yield* [];
        throw e;
      })();
    }
    return this.eventQueue.iterate(signal);
  }
  logs(_n: number, signal: AbortSignal): AsyncIterable<LogLine> {
    return this.logQueue.iterate(signal);
  }
  act(verb: string, service: string): Promise<ServiceState> {
    this.calls.push(`${verb} ${service}`);
    return Promise.resolve(state(service, { pid: 999 }));
  }
  signal(service: string, signal: string): Promise<ServiceState> {
    this.calls.push(`signal ${signal} ${service}`);
    return Promise.resolve(state(service));
  }
}

const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));

function start(client: FakeClient, terminal: FakeTerminal, signal = new AbortController().signal) {
  let resizes: (() => void) | null = null;
  const ended = runTui({
    client,
    terminal,
    title: "test",
    color: false,
    signal,
    onResize: (redraw) => {
      resizes = redraw;
      return () => resizes = null;
    },
  });
  return { ended, resize: () => resizes?.() };
}

// deno-lint-ignore no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

const RESTORE = SEQ.reset + SEQ.wrapOn + SEQ.cursorShow + SEQ.altScreenOff;

Deno.test("runTui() shows the services and logs, acts on keys and restores the terminal on q", async () => {
  const client = new FakeClient();
  const terminal = new FakeTerminal();
  const { ended } = start(client, terminal);
  client.eventQueue.push({ type: "snapshot", services: [state("web"), state("worker")] });
  client.logQueue.push(log("web", "hello from web"));
  await tick();
  assert.ok(terminal.output.startsWith(SEQ.altScreenOn), "alternate screen first");
  assert.match(plain(terminal.output), /> web +running/);
  assert.match(terminal.output, /hello from web/);
  terminal.input.push("j");
  terminal.input.push("r");
  await tick();
  terminal.input.push("x");
  await tick();
  assert.match(plain(terminal.output), /stop worker\? y\/n/);
  terminal.input.push("y!usr1\r");
  await tick();
  assert.deepEqual(client.calls, ["restart worker", "stop worker", "signal USR1 worker"]);
  terminal.input.push("q");
  assert.equal(await ended, "quit");
  assert.ok(terminal.output.endsWith(RESTORE), "terminal restored last");
  assert.deepEqual(terminal.raw, [true, false]);
});

Deno.test("runTui() redraws only changed rows after a state change, and all of it on resize", async () => {
  const client = new FakeClient();
  const terminal = new FakeTerminal();
  const { ended, resize } = start(client, terminal);
  client.eventQueue.push({ type: "snapshot", services: [state("web"), state("worker")] });
  await tick();
  const before = terminal.output.length;
  client.eventQueue.push({ type: "state", service: state("worker", { pid: 4242, restarts: 1 }) });
  await tick();
  const update = terminal.output.slice(before);
  assert.match(update, /4242/);
  assert.ok(!update.includes(SEQ.clearScreen), "no full clear for one change");
  assert.ok(!update.includes("web"), "the unchanged row is not redrawn");
  const beforeResize = terminal.output.length;
  resize();
  await tick();
  assert.ok(terminal.output.slice(beforeResize).includes(SEQ.clearScreen), "resize redraws all");
  terminal.input.push("q");
  await ended;
});

Deno.test("runTui() ends and restores the terminal when aborted (SIGTERM) or disconnected", async () => {
  const client = new FakeClient();
  const terminal = new FakeTerminal();
  const abort = new AbortController();
  const { ended } = start(client, terminal, abort.signal);
  await tick(20);
  abort.abort();
  assert.equal(await ended, "aborted");
  assert.ok(terminal.output.endsWith(RESTORE));
  assert.deepEqual(terminal.raw, [true, false]);

  const broken = new FakeClient();
  broken.failEvents = new Error("connection refused");
  const t2 = new FakeTerminal();
  assert.equal(await start(broken, t2).ended, "disconnected");
  assert.ok(t2.output.endsWith(RESTORE));
});
