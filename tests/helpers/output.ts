/**
 * Following a spawned process's output as it comes: both streams collected as text, and a wait
 * for a pattern in stdout (or stderr) that fails when the process exits first (or after a deadline). Shared
 * by the `nimi run` end-to-end tests and the PID 1 tests.
 *
 * @module
 */

/** What stdout is waited for: a pattern, or a predicate over everything written so far. */
export type StdoutMatch = RegExp | ((stdout: string) => boolean);

/** A process whose output is being collected. */
export interface WatchedOutput {
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /**
   * Resolves when stdout matches (a predicate resolves with the whole stdout); rejects when
   * the process exits first, or after `ms` when given. Keep patterns linear: stdout is
   * re-matched on every chunk.
   */
  waitFor(match: StdoutMatch, ms?: number): Promise<RegExpMatchArray>;
  /** Like {@link WatchedOutput.waitFor}, on stderr (where nimi writes its error messages). */
  waitForStderr(match: StdoutMatch, ms?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit status once both streams are drained. */
  done: Promise<Deno.CommandStatus>;
}

/**
 * Starts collecting the output of a child spawned with `stdout` and `stderr` piped.
 *
 * @param child The child process.
 * @returns Its output so far, and waits on it.
 */
export function watchOutput(child: Deno.ChildProcess): WatchedOutput {
  let out = "";
  let err = "";
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const pump = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      add(decoder.decode(chunk, { stream: true }));
      notify();
    }
  };
  const done = Promise.all([
    pump(child.stdout, (text) => (out += text)),
    pump(child.stderr, (text) => (err += text)),
  ]).then(() => child.status);
  void done.then(() => {
    ended = true;
    notify();
  });
  const output = () => `${out}\n--- stderr:\n${err}`;
  const wait = (
    stream: "stdout" | "stderr",
    match: StdoutMatch,
    ms?: number,
  ): Promise<RegExpMatchArray> => {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const check = () => {
        const text = stream === "stdout" ? out : err;
        const m = typeof match === "function"
          ? (match(text) ? ([text] as RegExpMatchArray) : null)
          : text.match(match);
        if (m !== null) {
          finish();
          resolve(m);
        } else if (ended) {
          finish();
          reject(new Error(`exited before ${match} appeared in ${stream}:\n${output()}`));
        }
      };
      if (ms !== undefined) {
        timer = setTimeout(() => {
          finish();
          reject(new Error(`no ${match} in ${stream} after ${ms} ms:\n${output()}`));
        }, ms);
      }
      waiters.add(check);
      check();
    });
  };
  return {
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor: (match: StdoutMatch, ms?: number) => wait("stdout", match, ms),
    waitForStderr: (match: StdoutMatch, ms?: number) => wait("stderr", match, ms),
  };
}
