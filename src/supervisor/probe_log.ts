/**
 * The `log` probe: the service is ready once a line of its output (stdout or stderr) matches a
 * regular expression. The log pipeline feeds each line to {@link LogLineProbe.feed}.
 *
 * @module
 */
import { EventCounter } from "./probe_event.ts";

const decoder = new TextDecoder();

/** Matches output lines against a probe's pattern and counts the matches. */
export class LogLineProbe {
  /** Matching lines seen. */
  readonly matches: EventCounter = new EventCounter();
  /** The compiled pattern. */
  readonly pattern: RegExp;

  /**
   * Compiles the probe's pattern.
   *
   * @param pattern A JavaScript regular expression (validated with the config).
   */
  constructor(pattern: string) {
    this.pattern = new RegExp(pattern);
  }

  /**
   * Feeds one line of output; a trailing newline is ignored.
   *
   * @param line The line, as text or bytes (decoded as UTF-8).
   * @returns Whether it matched.
   */
  feed(line: string | Uint8Array): boolean {
    let text = typeof line === "string" ? line : decoder.decode(line);
    if (text.endsWith("\n")) text = text.slice(0, text.endsWith("\r\n") ? -2 : -1);
    if (!this.pattern.test(text)) return false;
    this.matches.add();
    return true;
  }
}
