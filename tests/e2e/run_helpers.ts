/**
 * Helpers for the `nimi run` end-to-end tests: write a config into a temp dir, run the real CLI
 * on it, watch its output, signal it, and inspect process groups through /proc.
 *
 * @module
 */
import { REPO_ROOT } from "../helpers/cli.ts";
import { isProcessGone } from "../../src/pid1/proc.ts";
import { type StdoutMatch, watchOutput } from "../helpers/output.ts";

/** A running `nimi run`. */
export interface NimiProcess {
  /** nimi's pid. */
  pid: number;
  /** The temp dir holding the config (also nimi's working directory). */
  dir: string;
  /** Resolves when stdout matches (see {@link watchOutput}); rejects if nimi exits first or after 2 minutes. */
  waitFor(pattern: StdoutMatch): Promise<RegExpMatchArray>;
  /** Like {@link NimiProcess.waitFor}, on stderr (nimi's error messages). */
  waitForStderr(pattern: StdoutMatch): Promise<RegExpMatchArray>;
  /** Stdout so far. */
  stdout(): string;
  /** Sends a signal to nimi. */
  kill(signal: Deno.Signal): void;
  /** Waits for nimi to exit. */
  done(): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Options for {@link startNimi}. */
export interface StartOptions {
  /** Extra environment. */
  env?: Record<string, string>;
  /** Extra CLI arguments after `run`. */
  args?: string[];
  /** Text for nimi's stdin (then closed); /dev/null when absent. */
  stdin?: string;
}

/**
 * Writes `config` to a temp dir and starts `nimi --config <file> run` there.
 *
 * @param config The config object.
 * @param options See {@link StartOptions}.
 * @returns The process handle.
 */
export async function startNimi(config: unknown, options: StartOptions = {}): Promise<NimiProcess> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-e2e-" });
  const file = `${dir}/nimi.json`;
  await Deno.writeTextFile(file, JSON.stringify(config, null, 2));
  const child = new Deno.Command(Deno.execPath(), {
    // A control socket of its own: the default one (/run/nimi/default.sock as root) is shared
    // by every nimi the parallel test files start, and a second one prints a warning. A test
    // that chooses the socket (flags, or its own XDG_RUNTIME_DIR) keeps its choice.
    args: [
      "run",
      "-A",
      `${REPO_ROOT}/mod.ts`,
      "--config",
      file,
      "run",
      ...(options.env?.XDG_RUNTIME_DIR !== undefined ||
          options.args?.some((a) => /^--(socket|name|no-control)/.test(a))
        ? []
        : ["--socket", `${dir}/control.sock`]),
      ...(options.args ?? []),
    ],
    cwd: dir,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const output = watchOutput(child);
  return {
    pid: child.pid,
    dir,
    // A deadline far beyond any loaded machine's delay, so that a missing line fails the test
    // instead of hanging the suite.
    waitFor: (pattern) => output.waitFor(pattern, 120_000),
    waitForStderr: (pattern) => output.waitForStderr(pattern, 120_000),
    stdout: output.stdout,
    kill: (signal) => child.kill(signal),
    done: async () => {
      const status = await output.done;
      await Deno.remove(dir, { recursive: true });
      return { code: status.code, stdout: output.stdout(), stderr: output.stderr() };
    },
  };
}

/**
 * Runs nimi on a config until it exits by itself.
 *
 * @param config The config object.
 * @param options See {@link StartOptions}.
 * @returns Exit code and output.
 */
export async function runNimi(
  config: unknown,
  options: StartOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = await startNimi(config, options);
  return await p.done();
}

/**
 * Live (non-zombie) processes whose process group is `pgid`, read from /proc.
 *
 * @param pgid Group id.
 * @returns Their pids and command names.
 */
export function groupMembers(pgid: number): string[] {
  const found: string[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
    } catch (err) {
      if (isProcessGone(err)) continue; // exited while listing
      throw err;
    }
    const close = stat.lastIndexOf(")");
    const [state, , pgrp] = stat.slice(close + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z") found.push(`${e.name} ${stat.slice(0, close + 1)}`);
  }
  return found;
}

/**
 * Counts occurrences of a pattern.
 *
 * @param text Text.
 * @param pattern A global regular expression.
 * @returns The count.
 */
export function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(pattern)].length;
}

/**
 * A shell-run service.
 *
 * @param script Shell script.
 * @param nimi The service's `nimi` attribute.
 * @returns A service object.
 */
export function sh(script: string, nimi: Record<string, unknown> = {}): Record<string, unknown> {
  return { process: { argv: ["/bin/sh", "-c", script] }, nimi };
}
