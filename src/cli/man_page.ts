/**
 * The manual page nimi(1), in roff, generated from the command table (`nimi man`).
 *
 * @module
 */
import { VERSION } from "../version.ts";
import {
  COMMANDS,
  GLOBAL_OPTIONS,
  optionFlags,
  OPTIONS,
  type OptionSpec,
} from "./command_table.ts";

/**
 * Escapes text for roff: backslashes, hyphens (so they stay ASCII), and a leading dot or quote.
 *
 * @param text Plain text.
 * @returns roff text.
 * @example
 * ```ts
 * roffEscape("--config"); // "\\-\\-config"
 * ```
 */
export function roffEscape(text: string): string {
  return text.replaceAll("\\", "\\e").replaceAll("-", "\\-").replace(/^([.'])/, "\\&$1");
}

function optionItems(names: readonly string[]): string[] {
  return names.map((n) => OPTIONS[n]).filter((o): o is OptionSpec => o !== undefined).flatMap(
    (o) => {
      const choices = o.choices ? ` One of: ${o.choices.join(", ")}.` : "";
      return [".TP", `.B ${roffEscape(optionFlags(o).trim())}`, roffEscape(`${o.help}.${choices}`)];
    },
  );
}

/**
 * The whole page.
 *
 * @returns roff source for `man -l`.
 */
export function manPage(): string {
  const lines = [
    `.TH NIMI 1 "" "nimi ${VERSION}" "User Commands"`,
    ".SH NAME",
    "nimi \\- run NixOS modular services, or render them for other service managers",
    ".SH SYNOPSIS",
    ...COMMANDS.flatMap((c) => c.usage.map((u) => `.B nimi\n${roffEscape(u)}\n.br`)),
    ".SH DESCRIPTION",
    roffEscape(
      "nimi reads the JSON that Nix evaluates from NixOS modular services. It runs them itself " +
        "(a process supervisor fit to be a container's PID 1, a NixOS unit's ExecStart or a " +
        "user service), validates the file, or renders the same services for another service " +
        "manager.",
    ),
    ".SH COMMANDS",
  ];
  for (const c of COMMANDS) {
    lines.push(".TP", `.B ${roffEscape(c.name)}`, roffEscape(`${c.summary}.`));
    if (c.description) lines.push(".IP", roffEscape(c.description));
    if (c.options.length) lines.push(".RS", ...optionItems(c.options), ".RE");
  }
  lines.push(
    ".SH OPTIONS",
    roffEscape("These options are accepted by every command, before or after it."),
    ...optionItems(GLOBAL_OPTIONS),
    ".SH EXIT STATUS",
    ".TP",
    ".B 0",
    "Success.",
    ".TP",
    ".B 2",
    "A usage or config error (one message names the file, the JSON path and what was expected).",
    ".TP",
    ".B 1",
    "An internal error.",
    ".PP",
    roffEscape("The exit code of run follows its policy: see docs/run.md."),
    ".SH ENVIRONMENT",
    ".TP",
    ".B NO_COLOR",
    "When set, output has no colour.",
    ".TP",
    ".B NIMI_DEBUG",
    "When set, internal errors also print their stack.",
    ".SH SEE ALSO",
    roffEscape("systemd.service(5), supervisord(1), s6-svscan(8), runsvdir(8), tini(1)"),
    "",
  );
  return lines.join("\n");
}
