/**
 * Runs the real nimi CLI (`deno run -A mod.ts ...`) as a subprocess for end-to-end tests.
 *
 * @module
 */

/** Absolute path of the repository root. */
export const REPO_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** What a CLI run produced. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
}

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** Working directory. @default the repository root */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Program and arguments put in front of deno (e.g. setpriv ...). */
  wrapper?: string[];
}

/**
 * Runs `deno run -A mod.ts ...args` with the deno running the tests.
 *
 * @param args Arguments for nimi.
 * @param options See {@link RunCliOptions}.
 * @returns Exit code and output.
 */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const argv = [...(options.wrapper ?? []), Deno.execPath(), "run", "-A", `${REPO_ROOT}/mod.ts`];
  const [program, ...rest] = argv;
  const out = await new Deno.Command(program!, {
    args: [...rest, ...args],
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs tasks with at most `limit` at a time, keeping results in order.
 *
 * @param items Inputs.
 * @param limit Most tasks running at once.
 * @param task What to do with each input.
 * @returns The results in input order.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
