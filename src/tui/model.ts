/**
 * The terminal UI's state and how each input changes it: a pure reducer, so every key and every
 * event from the control API is tested without a terminal or a running nimi. What the reducer
 * wants done (act on a service, quit) comes back as effects for the app to carry out.
 *
 * @module
 */
import type { ControlEvent, LogLine, ServiceState } from "./types.ts";
import type { Key } from "./keys.ts";

/** The most log lines kept in memory (all services together). */
export const LOG_CAP = 5000;

/** What the bottom line is doing. */
export type Mode =
  | { readonly kind: "normal" }
  | { readonly kind: "confirm-stop"; readonly service: string }
  | {
    readonly kind: "input";
    readonly purpose: "search" | "signal";
    readonly text: string;
    readonly service: string | null;
  };

/** Everything the screen shows. */
export interface Model {
  /** Services, in start order. */
  readonly services: readonly ServiceState[];
  /** Index of the selected service. */
  readonly selected: number;
  /** Recent log lines of every service, oldest first. */
  readonly logs: readonly LogLine[];
  /** Whether the log pane shows the selected service or all. */
  readonly scope: "selected" | "all";
  /** Lines scrolled back from the newest (0: following new lines). */
  readonly scroll: number;
  /** Rows of the log pane (set on resize; paging moves by it). */
  readonly paneHeight: number;
  /** The bottom line's mode. */
  readonly mode: Mode;
  /** The last search, highlighted in the pane. */
  readonly search: string | null;
  /** A message for the bottom line (the result of the last action). */
  readonly message: { readonly text: string; readonly error: boolean } | null;
  /** Whether the event stream is connected. */
  readonly connected: boolean;
}

/** Something that happened. */
export type Msg =
  | { readonly type: "key"; readonly key: Key }
  | { readonly type: "event"; readonly event: ControlEvent }
  | { readonly type: "logs"; readonly lines: readonly LogLine[] }
  | { readonly type: "result"; readonly text: string; readonly error: boolean }
  | { readonly type: "pane"; readonly height: number }
  | { readonly type: "disconnected"; readonly reason: string };

/** Something the app is asked to do. */
export type Effect =
  | { readonly type: "act"; readonly verb: "start" | "stop" | "restart"; readonly service: string }
  | { readonly type: "signal"; readonly service: string; readonly signal: string }
  | { readonly type: "quit" };

/** The state before anything arrived. */
export const INITIAL: Model = {
  services: [],
  selected: 0,
  logs: [],
  scope: "selected",
  scroll: 0,
  paneHeight: 10,
  mode: { kind: "normal" },
  search: null,
  message: null,
  connected: false,
};

/**
 * The log lines the pane shows: the selected service's, or all.
 *
 * @param model The state.
 * @returns The lines, oldest first.
 */
export function visibleLogs(model: Model): readonly LogLine[] {
  if (model.scope === "all") return model.logs;
  const name = model.services[model.selected]?.name;
  return name === undefined ? [] : model.logs.filter((l) => l.service === name);
}

function selectedName(model: Model): string | null {
  return model.services[model.selected]?.name ?? null;
}

function clampScroll(model: Model, scroll: number): number {
  const max = Math.max(0, visibleLogs(model).length - model.paneHeight);
  return Math.min(Math.max(0, scroll), max);
}

/** Scroll so that the newest (`direction` 1) or oldest (-1) match past the bottom row shows. */
function findMatch(model: Model, query: string, direction: -1 | 1): Model {
  const lines = visibleLogs(model);
  const bottom = lines.length - 1 - model.scroll;
  const q = query.toLowerCase();
  const matches = (i: number) => lines[i]!.line.toLowerCase().includes(q);
  let found = -1;
  if (direction === -1) {
    for (let i = Math.min(bottom - 1, lines.length - 1); i >= 0; i--) {
      if (matches(i)) {
        found = i;
        break;
      }
    }
  } else {
    for (let i = bottom + 1; i < lines.length; i++) {
      if (matches(i)) {
        found = i;
        break;
      }
    }
  }
  if (found < 0) {
    return { ...model, search: query, message: { text: `no more "${query}"`, error: true } };
  }
  return { ...model, search: query, scroll: lines.length - 1 - found, message: null };
}

function onKeyNormal(model: Model, key: Key): [Model, Effect[]] {
  const name = selectedName(model);
  const move = (selected: number): Model => ({
    ...model,
    selected: Math.min(Math.max(0, selected), Math.max(0, model.services.length - 1)),
    scroll: 0,
  });
  switch (key) {
    case "q":
    case "ctrl-c":
      return [model, [{ type: "quit" }]];
    case "up":
    case "k":
      return [move(model.selected - 1), []];
    case "down":
    case "j":
      return [move(model.selected + 1), []];
    case "home":
      return [{ ...model, scroll: clampScroll(model, Infinity) }, []];
    case "end":
      return [{ ...model, scroll: 0 }, []];
    case "pageup":
      return [{ ...model, scroll: clampScroll(model, model.scroll + model.paneHeight) }, []];
    case "pagedown":
      return [{ ...model, scroll: clampScroll(model, model.scroll - model.paneHeight) }, []];
    case "a":
      return [{ ...model, scope: model.scope === "all" ? "selected" : "all", scroll: 0 }, []];
    case "/":
      return [
        { ...model, mode: { kind: "input", purpose: "search", text: "", service: null } },
        [],
      ];
    case "n":
      return [model.search ? findMatch(model, model.search, -1) : model, []];
    case "N":
      return [model.search ? findMatch(model, model.search, 1) : model, []];
    case "escape":
      return [{ ...model, search: null, message: null }, []];
  }
  if (name === null) return [model, []];
  switch (key) {
    case "s":
      return [model, [{ type: "act", verb: "start", service: name }]];
    case "r":
      return [model, [{ type: "act", verb: "restart", service: name }]];
    case "x":
      return [{ ...model, mode: { kind: "confirm-stop", service: name } }, []];
    case "!":
      return [
        { ...model, mode: { kind: "input", purpose: "signal", text: "", service: name } },
        [],
      ];
  }
  return [model, []];
}

function onKeyInput(model: Model, mode: Mode & { kind: "input" }, key: Key): [Model, Effect[]] {
  const normal = { ...model, mode: { kind: "normal" } as const };
  if (key === "escape" || key === "ctrl-c") return [normal, []];
  if (key === "backspace") {
    return [{ ...model, mode: { ...mode, text: [...mode.text].slice(0, -1).join("") } }, []];
  }
  if (key === "enter") {
    const text = mode.text.trim();
    if (text === "") return [normal, []];
    if (mode.purpose === "search") return [findMatch({ ...normal, scroll: -1 }, text, -1), []];
    return [normal, [{ type: "signal", service: mode.service!, signal: text.toUpperCase() }]];
  }
  if ([...key].length !== 1) return [model, []];
  return [{ ...model, mode: { ...mode, text: mode.text + key } }, []];
}

/**
 * Applies one message.
 *
 * @param model The state before.
 * @param msg What happened.
 * @returns The state after, and what to do.
 * @example
 * ```ts
 * const [next, effects] = update(INITIAL, { type: "key", key: "q" });
 * effects; // [{ type: "quit" }]
 * ```
 */
export function update(model: Model, msg: Msg): [Model, Effect[]] {
  switch (msg.type) {
    case "key": {
      const mode = model.mode;
      if (mode.kind === "confirm-stop") {
        const normal = { ...model, mode: { kind: "normal" } as const };
        if (msg.key === "y" || msg.key === "Y") {
          return [normal, [{ type: "act", verb: "stop", service: mode.service }]];
        }
        return [{ ...normal, message: { text: "stop cancelled", error: false } }, []];
      }
      if (mode.kind === "input") return onKeyInput(model, mode, msg.key);
      return onKeyNormal({ ...model, message: null }, msg.key);
    }
    case "event": {
      const e = msg.event;
      if (e.type === "snapshot") {
        const name = selectedName(model);
        const services = [...e.services];
        const kept = services.findIndex((s) => s.name === name);
        return [{ ...model, services, selected: Math.max(0, kept), connected: true }, []];
      }
      const i = model.services.findIndex((s) => s.name === e.service.name);
      const services = i < 0
        ? [...model.services, e.service]
        : model.services.map((s, j) => (j === i ? e.service : s));
      return [{ ...model, services, connected: true }, []];
    }
    case "logs": {
      const all = [...model.logs, ...msg.lines];
      const logs = all.length > LOG_CAP ? all.slice(all.length - LOG_CAP) : all;
      // While scrolled back, keep the same lines in view as new ones arrive below.
      const name = selectedName(model);
      const shown = msg.lines.filter((l) => model.scope === "all" || l.service === name).length;
      const scroll = model.scroll > 0 ? clampScroll({ ...model, logs }, model.scroll + shown) : 0;
      return [{ ...model, logs, scroll }, []];
    }
    case "result":
      return [{ ...model, message: { text: msg.text, error: msg.error } }, []];
    case "pane":
      return [{ ...model, paneHeight: Math.max(1, msg.height) }, []];
    case "disconnected":
      return [{ ...model, connected: false, message: { text: msg.reason, error: true } }, []];
  }
}
