/**
 * Terminal cells (src/tui/cells.ts): wide CJK and emoji take two, combining marks none, and a
 * screen row with them is still exactly as wide as the terminal.
 */
import assert from "node:assert/strict";
import { charCells, cutToCells, textCells } from "../../src/tui/cells.ts";
import { encodeLine, fit } from "../../src/tui/ansi.ts";
import { INITIAL, update } from "../../src/tui/model.ts";
import { view } from "../../src/tui/view.ts";
import { log, state } from "./fixtures.ts";

// deno-lint-ignore no-control-regex
const visible = (encoded: string) => encoded.replace(/\x1b\[[0-9;]*m/g, "");

Deno.test("charCells(): narrow, wide, fullwidth, emoji and combining characters", () => {
  assert.equal(charCells("a"), 1);
  assert.equal(charCells("é"), 1);
  assert.equal(charCells("─"), 1);
  assert.equal(charCells("漢"), 2);
  assert.equal(charCells("한"), 2);
  assert.equal(charCells("カ"), 2);
  assert.equal(charCells("Ａ"), 2); // fullwidth A
  assert.equal(charCells("🚀"), 2);
  assert.equal(charCells("\u0301"), 0); // combining acute accent
  assert.equal(charCells("\u200d"), 0); // zero-width joiner
  assert.equal(charCells("\ufe0f"), 0); // variation selector
  assert.equal(textCells("ab漢字🚀"), 8);
});

Deno.test("cutToCells() and fit() never split a wide character or overrun the width", () => {
  assert.deepEqual(cutToCells("ab漢字", 3), { text: "ab", cells: 2 });
  assert.deepEqual(cutToCells("ab漢字", 4), { text: "ab漢", cells: 4 });
  assert.equal(fit("ab漢字", 3), "ab ");
  assert.equal(fit("漢", 4), "漢  ");
  assert.equal(fit("e\u0301", 2), "e\u0301 ");
});

Deno.test("encodeLine() with wide characters fills exactly the width", () => {
  for (let width = 1; width <= 12; width++) {
    const row = visible(encodeLine([{ text: "日本語のログ🚀 ok", style: ["bold"] }], width, true));
    assert.equal(textCells(row), width, JSON.stringify(row));
  }
});

Deno.test("view(): log lines and names in CJK and emoji keep every row within the terminal", () => {
  let [m] = update(INITIAL, {
    type: "event",
    event: { type: "snapshot", services: [state("ウェブ"), state("worker")] },
  });
  [m] = update(m, {
    type: "logs",
    lines: [log("ウェブ", "サーバーを起動しました 🚀 ".repeat(10)), log("worker", "ok")],
  });
  [m] = update(m, { type: "key", key: "a" });
  for (const columns of [40, 79, 80]) {
    for (const l of view(m, { columns, rows: 24 }, Date.now(), "default")) {
      assert.equal(textCells(visible(encodeLine(l, columns, true))), columns);
    }
  }
});
