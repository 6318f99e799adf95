/**
 * Running the real `nimi run` for the PID 1 acceptance tests, in each of the ways a container
 * or a user starts it: as PID 1 of a PID namespace, as an ordinary child (nimi becomes a child
 * subreaper), and both again as the unprivileged user `nobody`.
 *
 * @module
 */
import { isProcessGone, readStat } from "../../src/pid1/proc.ts";
import {
  descendants,
  findDescendant,
  IS_ROOT,
  pid1Prefix,
  REPO,
  type Running,
  start,
} from "./helpers.ts";

/** One way of starting nimi. */
export interface Mode {
  /** Shown in step names. */
  name: string;
  /** Whether nimi is PID 1 of its own PID namespace. */
  pid1: boolean;
  /** Whether nimi runs as root. */
  root: boolean;
  /** Programs in front of deno. */
  prefix: string[];
  /** Extra environment. */
  env: Record<string, string>;
  /** The Deno executable to run. */
  deno: string;
  /** nimi's entry point (`mod.ts`). */
  entry: string;
  /**
   * Working directory: for the runs as nobody one it can enter (the test's own may be a
   * checkout under /root, mode 0700, where nimi could start no service).
   */
  cwd?: string;
  /** Why this mode cannot run here (its steps are ignored), or null. */
  skip: string | null;
}

/** The modes of one test file, and a place for its configs. */
export interface Setup {
  /** Every mode that can run here. */
  modes: Mode[];
  /** A directory (mode 0755) for configs and marker files. */
  dir: string;
  /** Removes what the setup created. */
  cleanup(): Promise<void>;
}

const NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"];

/**
 * Writes one line to stderr: figures the tests measure, and why a mode is skipped.
 *
 * @param text The line.
 */
export function note(text: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`${text}\n`));
}

/** Deno's npm and transpiled-module caches (where `nimi` finds zod and its compiled code). */
async function denoCaches(): Promise<{ npm: string; gen: string }> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  return { npm: info.npmCache, gen: info.typescriptCache };
}

/** Runs `cp` with the given options; whether it succeeded. */
async function cp(options: string[], from: string, to: string): Promise<boolean> {
  const copy = await new Deno.Command("cp", { args: [...options, from, to] }).output();
  return copy.success;
}

/** Hard-links (or, across file systems, copies) a directory tree. */
async function linkTree(from: string, to: string): Promise<void> {
  if (await cp(["-al"], from, to) || await cp(["-a"], from, to)) return;
  throw new Error(`cannot copy ${from} to ${to}`);
}

/** The files `nimi run` loads: its entry point, its code and its dependency manifest. */
const SOURCES = ["mod.ts", "src", "deno.json", "deno.lock"];

/**
 * Copies what a run as `nobody` executes into a directory everyone can read: the Deno binary
 * and nimi's source. Both may sit under a home directory of mode 0700 (npx puts Deno under
 * /root/.npm; a root user clones into /root), which a process in a user namespace cannot
 * enter even when it started as root. A plain copy, not a hard link: the copies are made
 * readable without touching the originals' modes.
 *
 * @param dir The world-readable directory.
 * @returns The Deno executable and nimi's entry point inside it.
 */
async function publicCopy(dir: string): Promise<{ deno: string; entry: string }> {
  const deno = `${dir}/deno`;
  await Deno.copyFile(Deno.execPath(), deno);
  await Deno.chmod(deno, 0o755);
  const repo = `${dir}/nimi`;
  await Deno.mkdir(repo);
  for (const name of SOURCES) {
    if (!await cp(["-R"], `${REPO}${name}`, `${repo}/`)) {
      throw new Error(`cannot copy ${REPO}${name} to ${repo}`);
    }
  }
  const readable = await new Deno.Command("chmod", { args: ["-R", "a+rX", repo] }).output();
  if (!readable.success) throw new Error(`cannot make ${repo} readable`);
  return { deno, entry: `${repo}/mod.ts` };
}

/**
 * Prepares the modes. Runs as `nobody` need root to switch user, a DENO_DIR that `nobody`
 * can read (root's is usually under /root, mode 0700: its npm and transpiled caches are linked
 * into a fresh one), copies of the Deno binary and nimi's source outside /root, and configs in
 * a directory everyone can read.
 *
 * @returns The modes and a scratch directory.
 */
export async function setup(): Promise<Setup> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-pid1-" });
  await Deno.chmod(dir, 0o755);
  const own = { deno: Deno.execPath(), entry: `${REPO}mod.ts`, skip: null };
  const modes: Mode[] = [
    { name: "PID 1", pid1: true, root: IS_ROOT, prefix: pid1Prefix(), env: {}, ...own },
    { name: "subreaper", pid1: false, root: IS_ROOT, prefix: [], env: {}, ...own },
  ];
  if (!IS_ROOT) {
    const skip = "not root: switching to nobody needs root";
    note(`pid1 tests: the runs as nobody are ignored (${skip})`);
    const nobody = { pid1: true, root: false, prefix: [], env: {}, ...own, skip };
    modes.push(
      { ...nobody, name: "nobody, PID 1" },
      { ...nobody, name: "nobody, subreaper", pid1: false },
    );
  } else {
    // Root's caches linked in read-only; the directory itself belongs to nobody, so deno can
    // add its own code cache there and later runs start faster.
    const denoDir = `${dir}/deno-dir`;
    await Deno.mkdir(denoDir);
    const caches = await denoCaches();
    await linkTree(caches.npm, `${denoDir}/npm`);
    await linkTree(caches.gen, `${denoDir}/gen`);
    const nobody = await new Deno.Command("chown", { args: ["nobody:nogroup", denoDir] }).output();
    if (!nobody.success) throw new Error(`cannot chown ${denoDir} to nobody`);
    const env = { DENO_DIR: denoDir };
    const copy = { ...await publicCopy(dir), cwd: dir };
    // Compiled code is cached by path: compile the copy now, as a root run finds its own
    // compiled, so that the first run as nobody does not start seconds later than the others.
    const warm = await new Deno.Command(copy.deno, {
      args: ["cache", "--quiet", copy.entry],
      env,
      stdout: "null",
    }).output();
    if (!warm.success) {
      throw new Error(`cannot compile the copy of nimi: ${new TextDecoder().decode(warm.stderr)}`);
    }
    const userns = ["unshare", "--user", "--pid", "--fork", "--kill-child", "--mount-proc"];
    modes.push(
      {
        name: "nobody, PID 1",
        pid1: true,
        root: false,
        prefix: [...NOBODY, ...userns],
        env,
        ...copy,
        skip: null,
      },
      {
        name: "nobody, subreaper",
        pid1: false,
        root: false,
        prefix: NOBODY,
        env,
        ...copy,
        skip: null,
      },
    );
  }
  return { modes, dir, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * Runs one step of a mode: ignored when the mode cannot run here.
 *
 * @param t The test's context.
 * @param mode The mode.
 * @param name The step's name.
 * @param fn The step.
 * @returns Whether it passed (as `t.step`).
 */
export function step(
  t: Deno.TestContext,
  mode: Mode,
  name: string,
  fn: () => Promise<void>,
): Promise<boolean> {
  return t.step({ name, ignore: mode.skip !== null, fn });
}

/**
 * Writes a config file everyone can read.
 *
 * @param dir Where.
 * @param name File name.
 * @param config The config.
 * @returns Its path.
 */
export async function writeConfig(dir: string, name: string, config: unknown): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
  await Deno.chmod(path, 0o644);
  return path;
}

/** A running `nimi run`. */
export interface Nimi extends Running {
  /** nimi's pid as seen from here (outside its namespace). */
  pid: number;
  /** `performance.now()` when it was spawned. */
  spawnedAt: number;
  /** Kills everything left (for `finally`). */
  kill(): Promise<void>;
}

/**
 * Starts `nimi --config FILE run` the way a mode says.
 *
 * @param mode How.
 * @param config The config file.
 * @returns The running nimi.
 */
export async function startNimi(mode: Mode, config: string): Promise<Nimi> {
  const spawnedAt = performance.now();
  const run = start(
    [
      ...mode.prefix,
      mode.deno,
      "run",
      "-A",
      mode.entry,
      "--config",
      config,
      "run",
    ],
    mode.env,
    mode.cwd,
  );
  const root = run.child.pid;
  let pid: number;
  try {
    pid = await findDescendant(root, "deno");
  } catch (e) {
    run.child.kill("SIGKILL");
    await run.done;
    throw e;
  }
  return {
    ...run,
    pid,
    spawnedAt,
    async kill(): Promise<void> {
      // Outside a PID namespace killing nimi would leave its services running: take them too.
      const family = descendants(pid).map((p) => p.pid);
      for (const p of [pid, root, ...family]) {
        try {
          Deno.kill(p, "SIGKILL");
        } catch (e) {
          if (!(e instanceof Deno.errors.NotFound)) throw e;
        }
      }
      await run.done;
    },
  };
}

/**
 * Whether a process has a handler for a signal (its `SigCgt` mask in /proc).
 *
 * @param pid The process.
 * @param signum The signal number.
 * @returns True once a handler is installed.
 */
export function catches(pid: number, signum: number): boolean {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch (e) {
    if (isProcessGone(e)) return false;
    throw e;
  }
  const mask = text.match(/^SigCgt:\s*([0-9a-f]+)$/m)?.[1];
  return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(signum - 1)) & 1n) === 1n;
}

/**
 * Every live process whose command line contains a marker (to find what a test started,
 * wherever it was reparented).
 *
 * @param marker The text.
 * @returns Matching pids.
 */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      const state = readStat(Number(entry.name))?.state;
      if (cmdline.includes(marker) && state !== "Z") out.push(Number(entry.name));
    } catch (e) {
      if (!isProcessGone(e) && !(e instanceof Deno.errors.PermissionDenied)) throw e;
    }
  }
  return out;
}

/**
 * Sleeps until a moment measured from nimi's spawn.
 *
 * @param nimi The run.
 * @param ms Milliseconds after the spawn.
 */
export async function untilSinceSpawn(nimi: Nimi, ms: number): Promise<void> {
  const wait = nimi.spawnedAt + ms - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/**
 * Waits for nimi to exit, failing with its output if it has not after `ms`.
 *
 * @param nimi The run.
 * @param ms The deadline.
 * @returns Its exit status.
 */
export async function exited(nimi: Nimi, ms = 20_000): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`nimi did not exit within ${ms} ms:\n${nimi.stdout()}\n${nimi.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([nimi.done, late]);
  } finally {
    clearTimeout(timer);
  }
}
