import assert from "node:assert/strict";
import {
  type Effect,
  INITIAL,
  type Model,
  type Msg,
  update,
  visibleLogs,
} from "../../src/tui/model.ts";
import { log, state } from "./fixtures.ts";

function apply(model: Model, ...msgs: Msg[]): [Model, Effect[]] {
  let effects: Effect[] = [];
  for (const msg of msgs) {
    const [next, e] = update(model, msg);
    model = next;
    effects = [...effects, ...e];
  }
  return [model, effects];
}

const key = (k: string): Msg => ({ type: "key", key: k });
const snapshot: Msg = {
  type: "event",
  event: { type: "snapshot", services: [state("web"), state("worker"), state("db")] },
};

Deno.test("update() takes a snapshot, then applies each state change in place", () => {
  const [m] = apply(INITIAL, snapshot, {
    type: "event",
    event: { type: "state", service: state("worker", { pid: 200, restarts: 1 }) },
  });
  assert.equal(m.connected, true);
  assert.deepEqual(m.services.map((s) => [s.name, s.pid, s.restarts]), [
    ["web", 100, 0],
    ["worker", 200, 1],
    ["db", 100, 0],
  ]);
});

Deno.test("update() keeps the selected service selected across a new snapshot", () => {
  const [m] = apply(INITIAL, snapshot, key("down"), key("down"), {
    type: "event",
    event: { type: "snapshot", services: [state("db"), state("web")] },
  });
  assert.equal(m.services[m.selected]!.name, "db");
});

Deno.test("arrows and j/k move the selection within the list", () => {
  const [m1] = apply(INITIAL, snapshot, key("down"), key("j"), key("down"));
  assert.equal(m1.selected, 2);
  const [m2] = apply(m1, key("up"), key("k"), key("up"), key("up"));
  assert.equal(m2.selected, 0);
});

Deno.test("s and r start and restart the selected service; x asks first, y confirms", () => {
  const [m, effects] = apply(INITIAL, snapshot, key("down"), key("s"), key("r"));
  assert.deepEqual(effects, [
    { type: "act", verb: "start", service: "worker" },
    { type: "act", verb: "restart", service: "worker" },
  ]);
  const [asking, none] = apply(m, key("x"));
  assert.deepEqual(none, []);
  assert.deepEqual(asking.mode, { kind: "confirm-stop", service: "worker" });
  const [, yes] = apply(asking, key("y"));
  assert.deepEqual(yes, [{ type: "act", verb: "stop", service: "worker" }]);
  const [cancelled, no] = apply(asking, key("n"));
  assert.deepEqual(no, []);
  assert.equal(cancelled.mode.kind, "normal");
  assert.equal(cancelled.message?.text, "stop cancelled");
});

Deno.test("! reads a signal name and sends it to the selected service", () => {
  const [, effects] = apply(
    INITIAL,
    snapshot,
    key("!"),
    key("h"),
    key("u"),
    key("p"),
    key("enter"),
  );
  assert.deepEqual(effects, [{ type: "signal", service: "web", signal: "HUP" }]);
  const [m, none] = apply(INITIAL, snapshot, key("!"), key("x"), key("backspace"), key("escape"));
  assert.deepEqual(none, []);
  assert.equal(m.mode.kind, "normal");
});

Deno.test("q and Ctrl-C quit", () => {
  assert.deepEqual(apply(INITIAL, key("q"))[1], [{ type: "quit" }]);
  assert.deepEqual(apply(INITIAL, key("ctrl-c"))[1], [{ type: "quit" }]);
});

Deno.test("the log pane shows the selected service, or all with a", () => {
  const lines = [log("web", "w1"), log("worker", "k1"), log("web", "w2")];
  const [m] = apply(INITIAL, snapshot, { type: "logs", lines });
  assert.deepEqual(visibleLogs(m).map((l) => l.line), ["w1", "w2"]);
  const [all] = apply(m, key("a"));
  assert.deepEqual(visibleLogs(all).map((l) => l.line), ["w1", "k1", "w2"]);
  const [worker] = apply(m, key("down"));
  assert.deepEqual(visibleLogs(worker).map((l) => l.line), ["k1"]);
});

Deno.test("paging scrolls back within the lines, and new lines keep a scrolled view still", () => {
  const lines = Array.from({ length: 30 }, (_, i) => log("web", `line ${i}`));
  const [m] = apply(INITIAL, snapshot, { type: "pane", height: 10 }, { type: "logs", lines });
  const [up] = apply(m, key("pageup"));
  assert.equal(up.scroll, 10);
  const [top] = apply(up, key("pageup"), key("pageup"), key("pageup"));
  assert.equal(top.scroll, 20);
  const [more] = apply(up, { type: "logs", lines: [log("web", "new"), log("worker", "other")] });
  assert.equal(more.scroll, 11);
  const [end] = apply(more, key("end"));
  assert.equal(end.scroll, 0);
  const [following] = apply(end, { type: "logs", lines: [log("web", "newer")] });
  assert.equal(following.scroll, 0);
});

Deno.test("/ searches back for the newest match, n finds older ones, N newer ones", () => {
  const lines = ["a error 1", "b", "c error 2", "d", "e", "f error 3", "g", "h"].map((t) =>
    log("web", t)
  );
  const [m] = apply(INITIAL, snapshot, { type: "pane", height: 2 }, { type: "logs", lines });
  const typed = "error".split("").map(key);
  const [found] = apply(m, key("/"), ...typed, key("enter"));
  assert.equal(found.search, "error");
  assert.equal(found.scroll, 2); // "f error 3" is the bottom row
  const [older] = apply(found, key("n"));
  assert.equal(older.scroll, 5);
  const [oldest] = apply(older, key("n"));
  assert.equal(oldest.scroll, 7);
  const [none] = apply(oldest, key("n"));
  assert.equal(none.scroll, 7);
  assert.equal(none.message?.text, `no more "error"`);
  const [newer] = apply(oldest, key("N"));
  assert.equal(newer.scroll, 5);
});

Deno.test("the log ring keeps the newest lines only", async () => {
  const { LOG_CAP } = await import("../../src/tui/model.ts");
  const lines = Array.from({ length: LOG_CAP + 10 }, (_, i) => log("web", String(i)));
  const [m] = apply(INITIAL, { type: "logs", lines });
  assert.equal(m.logs.length, LOG_CAP);
  assert.equal(m.logs[0]!.line, "10");
});
