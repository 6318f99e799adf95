/**
 * The error for a config a target cannot represent at all (exit code 2).
 *
 * @module
 */

/** A config that a target's file format cannot hold (a line break in a line-based format). */
export class RenderError extends Error {
  /** Exit code for the CLI. */
  readonly exitCode = 2;
  /**
   * Creates the error.
   *
   * @param message What cannot be rendered and why.
   * @param options Standard error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RenderError";
  }
}
