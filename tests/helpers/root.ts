/**
 * Tests that need root (switching users, chown): registered as ignored, with one printed line
 * naming each, when the suite runs as another user. CI runs as root and runs them all.
 *
 * @module
 */

/** Whether the tests run as root. */
export const IS_ROOT: boolean = Deno.uid() === 0;

/**
 * Registers a test that needs root: ignored, with one line on stderr saying why, otherwise.
 *
 * @param name The test's name.
 * @param why What it needs root for.
 * @param fn The test.
 */
export function rootTest(name: string, why: string, fn: () => Promise<void> | void): void {
  if (!IS_ROOT) {
    Deno.stderr.writeSync(new TextEncoder().encode(`skipped (not root; ${why}): ${name}\n`));
  }
  Deno.test({ name, ignore: !IS_ROOT, fn });
}
