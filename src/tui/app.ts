/**
 * The terminal UI's loop: feeds keys, state events and log lines through the reducer, carries out
 * its effects with the control client, and draws each frame with only the changed rows. The
 * terminal is restored (cursor, normal screen, wrap, cooked mode) on every way out.
 *
 * @module
 */
import { SEQ } from "./ansi.ts";
import type { TuiClient } from "./client.ts";
import { parseKeys } from "./keys.ts";
import { type Effect, INITIAL, type Model, type Msg, update } from "./model.ts";
import { Screen, type Size } from "./screen.ts";
import type { LogLine } from "./types.ts";
import { paneRows, view } from "./view.ts";
import { clearTimer, setRepeatingTimer, setTimer, type Timer } from "../timers.ts";

/** The terminal the UI draws on. */
export interface TuiTerminal {
  /** Reads input bytes; null at end of input. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes output. */
  write(text: string): void;
  /** The current size. */
  size(): Size;
  /** Switches raw mode (no echo, no line editing, Ctrl-C as a key). */
  setRaw(raw: boolean): void;
}

/** Options of {@link runTui}. */
export interface TuiOptions {
  /** The running nimi. */
  readonly client: TuiClient;
  /** Where to draw. */
  readonly terminal: TuiTerminal;
  /** Shown in the title bar. */
  readonly title: string;
  /** Whether colours are allowed. */
  readonly color: boolean;
  /** Ends the UI from outside (SIGTERM, nimi stopping). */
  readonly signal: AbortSignal;
  /** Subscribes to terminal resizes (SIGWINCH); returns an unsubscribe function. */
  readonly onResize: (redraw: () => void) => () => void;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

/** Why the UI ended. */
export type TuiEnd = "quit" | "aborted" | "disconnected";

/** How many past log lines to ask for when attaching. */
const BACKLOG = 500;

/**
 * Runs the UI until the user quits, `signal` aborts, or the nimi goes away.
 *
 * @param options See {@link TuiOptions}.
 * @returns Why it ended.
 */
export async function runTui(options: TuiOptions): Promise<TuiEnd> {
  const { client, terminal, title, color } = options;
  const now = options.now ?? Date.now;
  const screen = new Screen(color);
  const stop = new AbortController();
  const streams = AbortSignal.any([stop.signal, options.signal]);
  let model: Model = INITIAL;
  let finished: (end: TuiEnd) => void = () => {};
  const done = new Promise<TuiEnd>((resolve) => finished = resolve);
  let drawTimer: Timer | null = null;

  const draw = () => {
    drawTimer = null;
    const size = terminal.size();
    const pane = paneRows(model.services.length, size.rows);
    if (pane !== model.paneHeight) model = update(model, { type: "pane", height: pane })[0];
    const out = screen.frame(view(model, size, now(), title), size);
    if (out !== "") terminal.write(out);
  };
  const schedule = () => {
    if (drawTimer === null) drawTimer = setTimer(draw, 15);
  };
  const dispatch = (msg: Msg) => {
    const [next, effects] = update(model, msg);
    model = next;
    for (const e of effects) void perform(e);
    schedule();
  };
  const perform = async (effect: Effect) => {
    if (effect.type === "quit") {
      finished("quit");
      return;
    }
    try {
      const state = effect.type === "act"
        ? await client.act(effect.verb, effect.service)
        : await client.signal(effect.service, effect.signal);
      const what = effect.type === "act" ? `${effect.verb}: ` : `${effect.signal} sent: `;
      dispatch({ type: "result", text: `${what}${state.name} is ${state.phase}`, error: false });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      dispatch({ type: "result", text: message, error: true });
    }
  };

  const follow = async () => {
    try {
      for await (const event of client.events(streams)) dispatch({ type: "event", event });
      if (!streams.aborted) finished("disconnected");
    } catch (e) {
      if (streams.aborted) return;
      dispatch({ type: "disconnected", reason: e instanceof Error ? e.message : String(e) });
      finished("disconnected");
    }
  };
  const pending: LogLine[] = [];
  let flush: Timer | null = null;
  const tail = async () => {
    try {
      for await (const line of client.logs(BACKLOG, streams)) {
        pending.push(line);
        flush ??= setTimer(() => {
          flush = null;
          dispatch({ type: "logs", lines: pending.splice(0) });
        }, 30);
      }
    } catch (e) {
      if (streams.aborted) return;
      dispatch({
        type: "result",
        text: `logs: ${e instanceof Error ? e.message : e}`,
        error: true,
      });
    }
  };
  const keys = async () => {
    const buffer = new Uint8Array(1024);
    const decoder = new TextDecoder();
    while (!streams.aborted) {
      const n = await terminal.read(buffer);
      if (n === null) {
        finished("quit");
        return;
      }
      for (const key of parseKeys(decoder.decode(buffer.subarray(0, n), { stream: true }))) {
        dispatch({ type: "key", key });
        if (key === "ctrl-l") {
          screen.invalidate();
          schedule();
        }
      }
    }
  };

  const onAbort = () => finished("aborted");
  options.signal.addEventListener("abort", onAbort);
  terminal.setRaw(true);
  terminal.write(SEQ.altScreenOn + SEQ.cursorHide + SEQ.wrapOff + SEQ.clearScreen);
  const offResize = options.onResize(() => {
    screen.invalidate();
    schedule();
  });
  const ticker = setRepeatingTimer(schedule, 1000);
  try {
    draw();
    void follow();
    void tail();
    void keys().catch((e) => {
      dispatch({
        type: "result",
        text: `input: ${e instanceof Error ? e.message : e}`,
        error: true,
      });
    });
    return await done;
  } finally {
    stop.abort();
    clearTimer(ticker);
    if (drawTimer !== null) clearTimer(drawTimer);
    if (flush !== null) clearTimer(flush);
    offResize();
    options.signal.removeEventListener("abort", onAbort);
    terminal.write(SEQ.reset + SEQ.wrapOn + SEQ.cursorShow + SEQ.altScreenOff);
    terminal.setRaw(false);
  }
}
