/**
 * Syslog priority prefixes for lines written into systemd's journal (`sd-daemon(3)`): journald
 * strips `<N>` from the start of a line and files the line at priority N, so
 * `journalctl -p err` shows services' stderr and nimi's errors.
 *
 * @module
 */

/** How serious one of nimi's own messages is. */
export type MessageLevel = "info" | "warning" | "error";

/** `<3>` (err), `<4>` (warning), `<6>` (info). */
export const LEVEL_PREFIX: Readonly<Record<MessageLevel, string>> = {
  error: "<3>",
  warning: "<4>",
  info: "<6>",
};

/**
 * The prefix of a service's line under journald: stderr at err, stdout at info.
 *
 * @param stream Which stream the line came from.
 * @returns `<3>` or `<6>`.
 * @example
 * ```ts
 * streamPriority("stderr"); // "<3>"
 * ```
 */
export function streamPriority(stream: "stdout" | "stderr"): string {
  return stream === "stderr" ? LEVEL_PREFIX.error : LEVEL_PREFIX.info;
}

/**
 * Puts a priority before every line of a text (for nimi's own messages on stderr).
 *
 * @param text One or more lines, each ending in a newline (a last line without one counts).
 * @param prefix The priority, such as `<3>`.
 * @returns The text with the prefix at the start of each line.
 * @example
 * ```ts
 * prefixEachLine("a\nb\n", "<4>"); // "<4>a\n<4>b\n"
 * ```
 */
export function prefixEachLine(text: string, prefix: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}
