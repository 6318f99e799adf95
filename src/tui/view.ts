/**
 * What the terminal UI shows, as a pure function of its state, the terminal size and the time:
 * a title, the service table, the log pane and a bottom line with the keys or the prompt.
 *
 * @module
 */
import { cutToCells, textCells } from "./cells.ts";
import { cleanText, fit, type Line, type Segment, type Style } from "./ansi.ts";
import { type Model, visibleLogs } from "./model.ts";
import type { Size } from "./screen.ts";
import type { ServiceState } from "./types.ts";

/** The bottom line in normal mode: every key, short enough for 80 columns. */
export const HELP_LINE =
  "↑↓ move  s start  x stop  r restart  ! signal  a all  / search  PgUp/Dn  q quit";

/** Rows used by everything but the table and the log pane. */
const CHROME = 4;

/**
 * How many rows the table gets: every service when they fit in half the screen, at least 3.
 *
 * @param services How many services there are.
 * @param rows Terminal rows.
 * @returns Table rows (without its header).
 */
export function tableRows(services: number, rows: number): number {
  return Math.max(1, Math.min(services, Math.max(3, Math.floor((rows - CHROME) / 2))));
}

/**
 * Rows of the log pane for a terminal size.
 *
 * @param services How many services there are.
 * @param rows Terminal rows.
 * @returns Pane rows.
 */
export function paneRows(services: number, rows: number): number {
  return Math.max(1, rows - CHROME - tableRows(services, rows));
}

/**
 * A duration for a narrow column: `45s`, `12m03s`, `3h04m`, `2d03h`.
 *
 * @param ms Milliseconds.
 * @returns The text.
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${two(Math.floor(s / 3600) % 24)}h`;
}

function phaseStyle(phase: string): Style[] {
  switch (phase) {
    case "ready":
    case "running":
      return ["green"];
    case "failed":
      return ["red", "bold"];
    case "waiting":
    case "starting":
    case "restarting":
    case "stopping":
      return ["yellow"];
    default:
      return ["dim"];
  }
}

function phaseText(s: ServiceState, now: number): string {
  if (s.phase === "restarting" && s.restartInMs !== null) {
    // The delay counts from `since`.
    const left = s.restartInMs - Math.max(0, now - Date.parse(s.since));
    return `restart ${Math.max(0, Math.ceil(left / 1000))}s`;
  }
  return s.phase;
}

function readyText(s: ServiceState): string {
  if (s.healthy === false) return "unhealthy";
  if (s.ready === null) return s.healthy === true ? "healthy" : "-";
  return s.ready ? (s.healthy === true ? "healthy" : "yes") : "no";
}

function exitText(s: ServiceState): string {
  if (s.lastExit === null) return "-";
  if (s.lastExit.signal !== null) return s.lastExit.signal;
  return s.lastExit.code === null ? "-" : `code ${s.lastExit.code}`;
}

const COLUMNS = [
  { title: "PHASE", width: 11 },
  { title: "PID", width: 8 },
  { title: "RESTARTS", width: 9 },
  { title: "UPTIME", width: 8 },
  { title: "READY", width: 10 },
  { title: "LAST EXIT", width: 10 },
] as const;

function nameWidth(columns: number): number {
  return Math.max(8, columns - 2 - COLUMNS.reduce((n, c) => n + c.width + 1, 0));
}

function headerLine(columns: number): Line {
  const name = nameWidth(columns);
  const text = "  " + fit("NAME", name) + " " + COLUMNS.map((c) => fit(c.title, c.width)).join(" ");
  return [{ text, style: ["bold"] }];
}

function serviceLine(s: ServiceState, selected: boolean, columns: number, now: number): Line {
  const up = s.phase === "running" || s.phase === "ready";
  const since = Date.parse(s.since);
  const cells = [
    phaseText(s, now),
    s.pid === null ? "-" : String(s.pid),
    String(s.restarts),
    up && Number.isFinite(since) ? formatDuration(now - since) : "-",
    readyText(s),
    exitText(s),
  ];
  const mark = selected ? "> " : "  ";
  const base: Style[] = selected ? ["reverse"] : [];
  const segs: Segment[] = [
    { text: mark + fit(cleanText(s.name), nameWidth(columns)) + " ", style: base },
  ];
  cells.forEach((cell, i) => {
    const style: Style[] = i === 0 ? [...base, ...phaseStyle(s.phase)] : base;
    segs.push({ text: fit(cell, COLUMNS[i]!.width) + " ", style });
  });
  return segs;
}

/** Splits a line around case-insensitive matches of the query, matches in reverse video. */
function highlight(text: string, query: string | null, style: Style[]): Segment[] {
  if (!query) return [{ text, style }];
  const out: Segment[] = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, at)) {
    if (i > at) out.push({ text: text.slice(at, i), style });
    out.push({ text: text.slice(i, i + q.length), style: [...style, "reverse"] });
    at = i + q.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), style });
  return out;
}

function bottomLine(model: Model): Line {
  const mode = model.mode;
  if (mode.kind === "confirm-stop") {
    return [{ text: `stop ${cleanText(mode.service)}? y/n`, style: ["bold", "yellow"] }];
  }
  if (mode.kind === "input") {
    const prompt = mode.purpose === "search"
      ? "search: "
      : `signal for ${cleanText(mode.service ?? "")} (e.g. HUP, USR1, TERM): `;
    return [{ text: prompt, style: ["bold"] }, { text: cleanText(mode.text) + "_" }];
  }
  if (model.message) {
    return [{ text: cleanText(model.message.text), style: model.message.error ? ["red"] : [] }];
  }
  return [{ text: HELP_LINE, style: ["dim"] }];
}

/**
 * The whole screen.
 *
 * @param model The state.
 * @param size The terminal size.
 * @param now The time, for uptimes.
 * @param title Which nimi this is (its instance name or socket).
 * @returns One line per row.
 * @example
 * ```ts
 * import { INITIAL } from "./model.ts";
 * view(INITIAL, { columns: 80, rows: 24 }, Date.now(), "default").length; // 24
 * ```
 */
export function view(model: Model, size: Size, now: number, title: string): Line[] {
  const { columns, rows } = size;
  const services = model.services;
  const up = services.filter((s) => s.phase === "running" || s.phase === "ready").length;
  const failed = services.filter((s) => s.phase === "failed").length;
  const status = model.connected ? "" : " · disconnected";
  const lines: Line[] = [[{
    text: fit(
      ` nimi ${
        cleanText(title)
      } · ${services.length} services · ${up} up · ${failed} failed${status}`,
      columns,
    ),
    style: model.connected ? ["reverse", "bold"] : ["reverse", "red"],
  }]];
  lines.push(headerLine(columns));
  const tableHeight = tableRows(services.length, rows);
  const first = Math.min(
    Math.max(0, model.selected - tableHeight + 1),
    Math.max(0, services.length - tableHeight),
  );
  for (let i = 0; i < tableHeight; i++) {
    const s = services[first + i];
    lines.push(s ? serviceLine(s, first + i === model.selected, columns, now) : []);
  }
  const selected = services[model.selected];
  const scope = model.scope === "all" ? "all services" : cleanText(selected?.name ?? "-");
  const search = model.search ? ` · search: ${cleanText(model.search)}` : "";
  const scrolled = model.scroll > 0 ? ` · ${model.scroll} lines back` : " · following";
  const label = cutToCells(`── logs: ${scope}${search}${scrolled} `, columns);
  lines.push([{ text: label.text + "─".repeat(columns - label.cells), style: ["bold"] }]);
  const height = paneRows(services.length, rows);
  const logs = visibleLogs(model);
  const end = logs.length - model.scroll;
  const start = Math.max(0, end - height);
  const width = Math.max(...services.map((s) => textCells(cleanText(s.name))), 4);
  for (let i = start; i < start + height; i++) {
    const l = i < end ? logs[i] : undefined;
    if (!l) {
      lines.push([]);
      continue;
    }
    const text = cleanText(l.line);
    const style: Style[] = l.stream === "stderr" ? ["yellow"] : [];
    lines.push(
      model.scope === "all"
        ? [
          { text: `${fit(cleanText(l.service), width)} | `, style: ["cyan"] },
          ...highlight(text, model.search, style),
        ]
        : highlight(text, model.search, style),
    );
  }
  lines.push(bottomLine(model));
  return lines.slice(0, rows);
}
