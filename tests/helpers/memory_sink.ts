/**
 * A log sink whose console is a string in memory, for the supervisor's unit tests.
 *
 * @module
 */
import { LogSink } from "../../src/logs/log_sink.ts";

/**
 * Creates a plain-text, uncoloured sink with no log files.
 *
 * @param names The services it announces.
 * @returns The sink, and everything it has written to its console so far.
 */
export async function memorySink(
  names: string[],
): Promise<{ sink: LogSink; text: () => string }> {
  let text = "";
  const dec = new TextDecoder();
  const sink = await LogSink.create({
    names,
    format: "text",
    color: false,
    console: {
      write: (p) => {
        text += dec.decode(p);
        return Promise.resolve(p.length);
      },
    },
    logDir: null,
  });
  return { sink, text: () => text };
}
