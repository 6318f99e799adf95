/**
 * The real terminal for the UI: nimi's stdin and stdout, their size, raw mode, and SIGWINCH.
 *
 * @module
 */
import type { TuiTerminal } from "./app.ts";

const encoder = new TextEncoder();

/**
 * Why the UI cannot run here, or null: it needs a terminal on stdin and stdout.
 *
 * @returns The reason, or null.
 */
export function terminalProblem(): string | null {
  if (!Deno.stdin.isTerminal()) return "stdin is not a terminal";
  if (!Deno.stdout.isTerminal()) return "stdout is not a terminal";
  return null;
}

/**
 * nimi's own terminal.
 *
 * @returns The terminal.
 */
export function processTerminal(): TuiTerminal {
  return {
    read: (buffer) => Deno.stdin.read(buffer),
    write: (text) => {
      const bytes = encoder.encode(text);
      let off = 0;
      while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    },
    size: () => Deno.consoleSize(),
    setRaw: (raw) => Deno.stdin.setRaw(raw),
  };
}

/**
 * Calls `redraw` on every SIGWINCH.
 *
 * @param redraw What to do when the terminal was resized.
 * @returns A function that stops listening.
 */
export function onWindowChange(redraw: () => void): () => void {
  Deno.addSignalListener("SIGWINCH", redraw);
  return () => Deno.removeSignalListener("SIGWINCH", redraw);
}
