/**
 * Running a wrapper until its output shows what the test waits for: the tests of the Rust
 * Nimi's examples and docs, and the image layout test, start nimi (which runs until stopped), read its stdout and stderr
 * together until a pattern appears or it exits, and then stop it with SIGTERM.
 *
 * @module
 */

/** What a run printed and how it ended. */
export interface RunOutput {
  /** Exit code (after SIGTERM when it was still running). */
  code: number;
  /** Standard output and standard error, interleaved as they came. */
  out: string;
}

/** Options of {@link runUntil}. */
export interface RunUntilOptions {
  /** The working directory (default: this process's). */
  cwd?: string;
  /** Its environment (added to this process's, or alone with `clearEnv`). */
  env?: Record<string, string>;
  /** Start from an empty environment. @default false */
  clearEnv?: boolean;
  /** Longest wait. @default 30 s */
  timeoutMs?: number;
}

/**
 * Runs a program until its output matches `until` or it exits, at most `timeoutMs`; then stops
 * it with SIGTERM if it still runs.
 *
 * @param cmd The program.
 * @param args Its arguments.
 * @param until The pattern (or test) to wait for, or null to wait for the exit.
 * @param options Working directory, environment and time limit.
 * @returns Its output and exit code.
 */
export async function runUntil(
  cmd: string,
  args: string[],
  until: RegExp | ((out: string) => boolean) | null,
  options: RunUntilOptions = {},
): Promise<RunOutput> {
  const child = new Deno.Command(cmd, {
    args,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.clearEnv === undefined ? {} : { clearEnv: options.clearEnv }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  let out = "";
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) out += decoder.decode(chunk);
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let exited = false;
  void child.status.then(() => (exited = true));
  const done = until === null
    ? () => false
    : until instanceof RegExp
    ? () => until.test(out)
    : () => until(out);
  const end = Date.now() + (options.timeoutMs ?? 30_000);
  while (!done() && !exited && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!exited) {
    try {
      child.kill("SIGTERM");
    } catch (e) {
      // It may have exited since the last look.
      if (!(e instanceof TypeError)) throw e;
    }
  }
  const status = await child.status;
  await pumped;
  return { code: status.code, out };
}
