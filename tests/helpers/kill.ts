/**
 * Ending processes in a test's clean-up, where the process may have exited already.
 *
 * @module
 */

/**
 * Sends a signal to a pid or a child, unless it is gone (Deno throws NotFound for a pid that
 * no longer exists and TypeError for a child that has exited); any other error is rethrown.
 *
 * @param target A pid or a spawned child.
 * @param signal The signal. @default "SIGKILL"
 */
export function killIfRunning(
  target: number | Deno.ChildProcess,
  signal: Deno.Signal = "SIGKILL",
): void {
  try {
    if (typeof target === "number") Deno.kill(target, signal);
    else target.kill(signal);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound) && !(e instanceof TypeError)) throw e;
  }
}
