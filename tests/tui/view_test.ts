import assert from "node:assert/strict";
import { cleanText, encodeLine, type Line } from "../../src/tui/ansi.ts";
import { INITIAL, type Model, update } from "../../src/tui/model.ts";
import { formatDuration, HELP_LINE, view } from "../../src/tui/view.ts";
import { log, state } from "./fixtures.ts";

const text = (line: Line) => line.map((s) => s.text).join("");
// deno-lint-ignore no-control-regex
const cells = (encoded: string) => [...encoded.replace(/\x1b\[[0-9;]*m/g, "")].length;
const NOW = Date.parse("2026-12-01T10:02:05.000Z");

function demo(): Model {
  const services = [
    state("web", { phase: "ready", pid: 41, ready: true }),
    state("client", {
      phase: "exited",
      pid: null,
      lastExit: { code: 0, signal: null },
      oneshot: true,
    }),
    state("worker", {
      phase: "restarting",
      pid: null,
      restarts: 3,
      restartInMs: 1500,
      since: "2026-12-01T10:02:04.500Z",
      lastExit: { code: 1, signal: null },
    }),
  ];
  let [m] = update(INITIAL, { type: "event", event: { type: "snapshot", services } });
  [m] = update(m, {
    type: "logs",
    lines: [log("web", "listening on 8765"), log("worker", "boom", "stderr")],
  });
  return m;
}

Deno.test("view() fills exactly the terminal: title, table, pane, key line", () => {
  const lines = view(demo(), { columns: 80, rows: 24 }, NOW, "default");
  assert.equal(lines.length, 24);
  assert.match(text(lines[0]!), /^ nimi default · 3 services · 1 up · 0 failed/);
  assert.match(text(lines[1]!), /^ {2}NAME +PHASE +PID +RESTARTS +UPTIME +READY +LAST EXIT/);
  assert.match(text(lines[2]!), /^> web +ready +41 +0 +2m05s +yes +- +$/);
  assert.match(text(lines[3]!), /^ {2}client +exited +- +0 +- +- +code 0/);
  assert.match(text(lines[4]!), /^ {2}worker +restart 1s +- +3 +- +- +code 1/);
  assert.match(text(lines[5]!), /^── logs: web · following ─+$/);
  assert.equal(text(lines[6]!), "listening on 8765");
  assert.equal(text(lines[23]!), HELP_LINE);
  for (const l of lines) assert.equal(cells(encodeLine(l, 80, true)), 80);
});

Deno.test("view() at 80x24 keeps every row within 80 columns, also with long names", () => {
  let [m] = update(INITIAL, {
    type: "event",
    event: { type: "snapshot", services: [state("a-very-long-service-name-".repeat(4))] },
  });
  [m] = update(m, { type: "logs", lines: [log(m.services[0]!.name, "x".repeat(500))] });
  for (const l of view(m, { columns: 80, rows: 24 }, NOW, "default")) {
    assert.equal(cells(encodeLine(l, 80, true)), 80);
  }
});

Deno.test("HELP_LINE fits 80 columns", () => {
  assert.ok([...HELP_LINE].length <= 80, `${[...HELP_LINE].length}`);
});

Deno.test("cleanText() cannot let a service's output move the cursor or recolour the screen", () => {
  assert.equal(cleanText("a\tb\x1b[31mred\x1b[0m\x07\x1b]0;title\x07end\r"), "a    bred?end?");
});

Deno.test("encodeLine() drops colours but keeps reverse video without colour (NO_COLOR)", () => {
  const line: Line = [{ text: "ok", style: ["green", "reverse"] }];
  assert.equal(encodeLine(line, 4, true), "\x1b[32;7mok\x1b[0m  ");
  assert.equal(encodeLine(line, 4, false), "\x1b[7mok\x1b[0m  ");
});

Deno.test("formatDuration() fits uptimes into a narrow column", () => {
  assert.equal(formatDuration(45_000), "45s");
  assert.equal(formatDuration(723_000), "12m03s");
  assert.equal(formatDuration(3 * 3600_000 + 4 * 60_000), "3h04m");
  assert.equal(formatDuration(2 * 86400_000 + 3 * 3600_000), "2d03h");
});

Deno.test("view() shows prompts and the scope of the log pane", () => {
  let [m] = update(demo(), { type: "key", key: "x" });
  assert.equal(text(view(m, { columns: 80, rows: 24 }, NOW, "d").at(-1)!), "stop web? y/n");
  [m] = update(demo(), { type: "key", key: "a" });
  const lines = view(m, { columns: 80, rows: 24 }, NOW, "d");
  assert.match(text(lines[5]!), /^── logs: all services/);
  assert.match(text(lines[6]!), /^web +\| listening on 8765$/);
  assert.match(text(lines[7]!), /^worker \| boom$/);
});
