/**
 * The `exec` probe: a command that exits 0 means the service is fine. It runs with the service's
 * environment, working directory and identity, in its own process group so a timeout kills
 * everything it started.
 *
 * @module
 */
import { errorText, type ProbeAttempt, type ProbeCheck } from "./probe_loop.ts";

/** The parts of the service's spawn options an exec probe shares with it. */
export type ExecProbeOptions = Pick<
  Deno.CommandOptions,
  "env" | "clearEnv" | "cwd" | "uid" | "gid"
>;

/**
 * Builds an exec probe check.
 *
 * @param command Program and arguments.
 * @param options Environment, working directory and identity to run it with.
 * @returns A check that passes when the command exits 0.
 * @example
 * ```ts
 * const check = execCheck(["pg_isready", "-q"]);
 * await check(AbortSignal.timeout(1000)); // { ok: true, detail: "exit code 0" }
 * ```
 */
export function execCheck(command: readonly string[], options: ExecProbeOptions = {}): ProbeCheck {
  const [program, ...args] = command;
  if (program === undefined) throw new RangeError("Cannot build an exec probe: empty command");
  return async (signal: AbortSignal): Promise<ProbeAttempt> => {
    signal.throwIfAborted();
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        ...options,
        args,
        stdin: "null",
        stdout: "null",
        stderr: "null",
        detached: true,
      }).spawn();
    } catch (e) {
      return { ok: false, detail: `cannot run ${JSON.stringify(program)}: ${errorText(e)}` };
    }
    const kill = () => killGroup(child.pid);
    signal.addEventListener("abort", kill, { once: true });
    try {
      const status = await child.status;
      if (status.signal !== null) return { ok: false, detail: `killed by ${status.signal}` };
      return { ok: status.code === 0, detail: `exit code ${status.code}` };
    } finally {
      signal.removeEventListener("abort", kill);
      // Whatever the command left running in its group goes with it.
      killGroup(child.pid);
    }
  };
}

function killGroup(pid: number): void {
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch (e) {
    // The group is already empty: nothing left to kill.
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
