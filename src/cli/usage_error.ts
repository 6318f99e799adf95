/**
 * The error for a wrong command line: exit code 2 and a message that says how to fix the call.
 *
 * @module
 */

/** A mistake in the command line (unknown option, missing --config, bad value). */
export class UsageError extends Error {
  /** Exit code for the CLI. */
  readonly exitCode = 2;
  /**
   * @param message What is wrong and how to fix it.
   * @param options Standard error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}
