/**
 * The help texts, generated from the command table: `nimi --help` for the overview, and
 * `nimi help COMMAND` or `nimi COMMAND --help` for one command.
 *
 * @module
 */
import { VERSION } from "../version.ts";
import {
  COMMANDS,
  type CommandSpec,
  GLOBAL_OPTIONS,
  optionFlags,
  OPTIONS,
  type OptionSpec,
} from "./command_table.ts";

const TITLE = `nimi ${VERSION}: run NixOS modular services, or render them for other managers`;

function optionLines(names: readonly string[]): string[] {
  const specs = names.map((n) => OPTIONS[n]).filter((o): o is OptionSpec => o !== undefined);
  const width = Math.max(...specs.map((o) => optionFlags(o).length)) + 2;
  return specs.map((o) => {
    const choices = o.choices && o.choices.length <= 4 ? ` (${o.choices.join(", ")})` : "";
    return `  ${optionFlags(o).padEnd(width)}${o.help}${choices}`;
  });
}

/**
 * The overview: usage of every command, the commands, the global options.
 *
 * @returns The text of `nimi --help`.
 * @example
 * ```ts
 * overviewHelp().includes("nimi --config FILE run");
 * ```
 */
export function overviewHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  return [
    TITLE,
    "",
    "Usage:",
    ...COMMANDS.flatMap((c) => c.usage.map((u) => `  nimi ${u}`)),
    "  nimi [OPTIONS] -- PROGRAM [ARGS...]   (one program, tini/dumb-init style: nimi -h --)",
    "  nimi --help | --version",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    `"nimi help COMMAND" (or "nimi COMMAND --help") describes one command and its options.`,
    "Exit codes: 0 success, 2 usage or config error; run: see docs/run.md.",
    "",
  ].join("\n");
}

/**
 * The help of one command: usage, description, arguments, options.
 *
 * @param spec The command.
 * @returns The text of `nimi help COMMAND`.
 * @example
 * ```ts
 * import { findCommand } from "./command_table.ts";
 * commandHelp(findCommand("render")!).includes("--to TARGET");
 * ```
 */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`nimi ${spec.name}: ${spec.summary}`, "", "Usage:"];
  lines.push(...spec.usage.map((u) => `  nimi ${u}`));
  if (spec.description) lines.push("", ...wrap(spec.description, 98));
  if (spec.args?.length) {
    const width = Math.max(...spec.args.map((a) => a.name.length)) + 4;
    lines.push("", "Arguments:");
    for (const a of spec.args) {
      const name = `${a.name}${a.variadic ? "..." : ""}`;
      lines.push(`  ${name.padEnd(width)}${a.help}`);
    }
  }
  if (spec.options.length) lines.push("", "Options:", ...optionLines(spec.options));
  for (const name of spec.options) {
    const choices = OPTIONS[name]?.choices;
    if (choices && choices.length > 4) {
      lines.push("", `--${name} values: ${choices.join(", ")}`);
    }
  }
  lines.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS), "");
  return lines.join("\n");
}

/**
 * Breaks a paragraph into lines of at most `width` characters.
 *
 * @param text The paragraph.
 * @param width The longest line.
 * @returns The lines.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
