import assert from "node:assert/strict";
import { Screen } from "../../src/tui/screen.ts";
import { parseKeys } from "../../src/tui/keys.ts";

Deno.test("Screen.frame() draws everything first, then only the rows that changed", () => {
  const screen = new Screen(false);
  const size = { columns: 10, rows: 3 };
  const first = screen.frame([[{ text: "a" }], [{ text: "b" }], [{ text: "c" }]], size);
  assert.equal(first, "\x1b[2J\x1b[1;1Ha         \x1b[2;1Hb         \x1b[3;1Hc         ");
  assert.equal(screen.frame([[{ text: "a" }], [{ text: "b" }], [{ text: "c" }]], size), "");
  assert.equal(
    screen.frame([[{ text: "a" }], [{ text: "B" }], [{ text: "c" }]], size),
    "\x1b[2;1HB         ",
  );
});

Deno.test("Screen.frame() redraws whole after a resize or invalidate()", () => {
  const screen = new Screen(false);
  screen.frame([[{ text: "a" }]], { columns: 4, rows: 1 });
  assert.equal(screen.frame([[{ text: "a" }]], { columns: 5, rows: 1 }), "\x1b[2J\x1b[1;1Ha    ");
  screen.invalidate();
  assert.equal(screen.frame([[{ text: "a" }]], { columns: 5, rows: 1 }), "\x1b[2J\x1b[1;1Ha    ");
});

Deno.test("parseKeys() reads letters, arrows, paging keys, Enter, Backspace and Ctrl-C", () => {
  assert.deepEqual(parseKeys("j\x1b[A\x1b[B\x1bOA"), ["j", "up", "down", "up"]);
  assert.deepEqual(parseKeys("\x1b[5~\x1b[6~\x1b[H\x1b[F"), ["pageup", "pagedown", "home", "end"]);
  assert.deepEqual(parseKeys("ab\r\x7f\x03"), ["a", "b", "enter", "backspace", "ctrl-c"]);
  assert.deepEqual(parseKeys("\x1b"), ["escape"]);
  assert.deepEqual(parseKeys("\x1b[1;5Cx"), ["x"]);
});
