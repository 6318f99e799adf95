/**
 * Whether a path exists, for tests and their harnesses: a missing path is false, any other
 * error (a permission problem, say) is thrown, so a test never mistakes one for the other.
 *
 * @module
 */

/**
 * Whether a path exists (following symlinks).
 *
 * @param path The path.
 * @returns false when it does not exist; other errors are thrown.
 */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Whether a path exists (following symlinks), without blocking.
 *
 * @param path The path.
 * @returns false when it does not exist; other errors are thrown.
 */
export async function existsAsync(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
