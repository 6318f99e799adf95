/**
 * Helpers for the render tests: render a fixture into a temporary directory, run real tools,
 * poll for an outcome a bounded number of times.
 *
 * @module
 */
import { loadConfig } from "../../src/config/mod.ts";
import { isProcessGone } from "../../src/pid1/proc.ts";
import { findTarget, writeRendered } from "../../src/render/mod.ts";
import type { RenderResult } from "../../src/render/mod.ts";

/** Absolute path of the repository root. */
export const REPO_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Path of a render fixture.
 *
 * @param name File name under tests/fixtures/render.
 * @returns Absolute path.
 */
export function fixture(name: string): string {
  return `${REPO_ROOT}/tests/fixtures/render/${name}`;
}

/**
 * The README demo (examples/demo.json) with web serving for `seconds` instead of six (a loaded
 * machine may take longer than that to get the client going), everything else unchanged.
 *
 * @param dir A temporary directory; the config goes to `dir/demo.json`.
 * @param seconds How long web serves.
 * @returns The config's path.
 */
export async function demoConfig(dir: string, seconds: number): Promise<string> {
  const demo = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/examples/demo.json`));
  demo.services.web.configData["web.conf"].text = `port=8765\nseconds=${seconds}\n`;
  await Deno.writeTextFile(`${dir}/demo.json`, JSON.stringify(demo));
  return `${dir}/demo.json`;
}

/** Options for {@link renderTo}. */
export interface RenderToOptions {
  /** --prefix. */
  prefix?: string;
  /** --user. */
  user?: boolean;
  /** --state-dir (absolute). */
  stateDir: string;
  /** --nimi: the nimi program rendered files call for probes. */
  nimi?: string;
  /** --image. */
  image?: string;
  /** Where relative program paths resolve (default: the repository root). */
  baseDir?: string;
}

/**
 * Writes an executable `nimi` that runs this source tree with the Deno running the tests, for
 * rendered files that call `nimi probe`.
 *
 * @param dir A temporary directory; the launcher goes to `dir/bin/nimi`.
 * @returns Its absolute path.
 */
export async function nimiLauncher(dir: string): Promise<string> {
  await Deno.mkdir(`${dir}/bin`, { recursive: true });
  const path = `${dir}/bin/nimi`;
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\nexec ${q(Deno.execPath())} run -A --quiet ${q(`${REPO_ROOT}/mod.ts`)} "$@"\n`,
    { mode: 0o755 },
  );
  return path;
}

/**
 * Renders a fixture for a target and writes the files.
 *
 * @param target Target name.
 * @param file Config file.
 * @param out Output directory.
 * @param options Prefix, user mode, state directory.
 * @returns What the renderer returned.
 */
export async function renderTo(
  target: string,
  file: string,
  out: string,
  options: RenderToOptions,
): Promise<RenderResult> {
  const t = findTarget(target);
  if (t === undefined) throw new Error(`no target ${target}`);
  const config = await loadConfig(file);
  const result = t.render(config, {
    prefix: options.prefix ?? "",
    user: options.user ?? false,
    stateDir: options.stateDir,
    rawConfig: JSON.parse(await Deno.readTextFile(file)),
    baseDir: options.baseDir ?? REPO_ROOT,
    ...(options.nimi === undefined ? {} : { nimi: options.nimi }),
    ...(options.image === undefined ? {} : { image: options.image }),
  });
  await writeRendered(out, result.files);
  return result;
}

/** Output of a finished command. */
export interface Ran {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs a command to completion.
 *
 * @param program Program.
 * @param args Arguments.
 * @param options Working directory and extra environment.
 * @returns Exit code and output.
 */
export async function run(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Ran> {
  const out = await new Deno.Command(program, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Polls until `check` returns a value other than undefined, at most `attempts` times.
 *
 * @param what What is awaited, for the error message.
 * @param check The poll.
 * @param attempts Most polls (a bound for slow machines, not a speed check).
 * @param everyMs Milliseconds between polls (more for polls that cost, like podman's).
 * @returns The value.
 * @throws {Error} When it never came.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  attempts = 600,
  everyMs = 50,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/**
 * Removes a test directory the loggers of a scanner wrote into: they may still be finishing
 * their last write after the scanner is gone, so a removal that finds the directory not empty
 * is tried again (at most 100 times, 50 ms apart).
 *
 * @param dir The directory.
 */
export async function removeWhenQuiet(dir: string): Promise<void> {
  await waitFor("the test directory to be removed", async () => {
    try {
      await Deno.remove(dir, { recursive: true });
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === "ENOTEMPTY") return undefined;
      throw e;
    }
  }, 100);
}

/**
 * Reads a file, or "" when it does not exist yet.
 *
 * @param path File path.
 * @returns Its text.
 */
export async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
}

/**
 * A TCP port free on 127.0.0.1 right now.
 *
 * @returns The port.
 */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Whether a process exists (and is not a zombie).
 *
 * @param pid Process id.
 * @returns true when it runs.
 */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch (e) {
    if (isProcessGone(e)) return false;
    throw e;
  }
}

/** What the `quoting.json` services print, each line as it must arrive. */
export const QUOTING_ARGS_OUTPUT =
  '[a b]\n[it\'s]\n[$HOME]\n[100%]\n[semi ; colon # hash]\n[back\\slash]\n["dq"]\n[$(echo no)]\n';

/** What the `env` service of `quoting.json` prints. */
export const QUOTING_ENV_OUTPUT = `[it's "quoted" $HOME 100% ; # x \\ y]\n` +
  `line 1 100% \\n 'q' "dq" $HOME\n\ttabbed\n`;
