/**
 * Helpers for the reliability tests: a sandbox (its own TMPDIR and working directory, so a
 * test can list every file nimi created), running the real CLI in it, and reading numbers
 * from /proc.
 *
 * @module
 */
import { join } from "node:path";
import { type CliResult, runCli } from "../helpers/cli.ts";

/** A private place to run nimi in. */
export interface Sandbox {
  /** The sandbox's root. */
  root: string;
  /** nimi's TMPDIR: configData and credentials directories go here. */
  tmp: string;
  /** nimi's working directory (the config is here; relative log dirs too). */
  work: string;
  /** Writes a config into `work`; returns its path. */
  config(value: unknown, name?: string): Promise<string>;
  /** Runs `nimi --config FILE <command>` in the sandbox. */
  nimi(file: string, command: string, env?: Record<string, string>): Promise<CliResult>;
  /** Removes the sandbox. */
  remove(): Promise<void>;
}

/**
 * Creates a sandbox under the system temp dir.
 *
 * @param tag Part of the directory name.
 * @returns The sandbox.
 */
export async function sandbox(tag: string): Promise<Sandbox> {
  const root = await Deno.makeTempDir({ prefix: `nimi-test-reliability-${tag}-` });
  const tmp = join(root, "tmp");
  const work = join(root, "work");
  await Deno.mkdir(tmp);
  await Deno.mkdir(work);
  return {
    root,
    tmp,
    work,
    async config(value, name = "nimi.json") {
      const path = join(work, name);
      await Deno.writeTextFile(path, JSON.stringify(value));
      return path;
    },
    nimi: (file, command, env = {}) =>
      runCli(["--config", file, command], {
        cwd: work,
        env: { TMPDIR: tmp, XDG_RUNTIME_DIR: "", ...env },
      }),
    remove: () => Deno.remove(root, { recursive: true }),
  };
}

/**
 * Every path under a directory, relative to it, sorted (symlinks not followed).
 *
 * @param dir The directory.
 * @returns The relative paths.
 */
export async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel === "" ? e.name : `${rel}/${e.name}`;
      out.push(p);
      if (e.isDirectory) await walk(p);
    }
  };
  await walk("");
  return out.sort();
}

/**
 * Writes one line to stderr: a figure the test measured, or why a step is skipped.
 *
 * @param text The line.
 */
export function note(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${text}\n`));
}

/** Whether this test process runs as root. */
export const IS_ROOT: boolean = Deno.uid() === 0;
