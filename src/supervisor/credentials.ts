/**
 * Credentials, the way systemd's `LoadCredential=` provides them: before a service starts, each
 * `nimi.credentials.<name>` file is copied into a fresh private directory (0700, files 0400,
 * owned by the service's user), whose path the service gets as `CREDENTIALS_DIRECTORY`. The
 * directory is removed when the service run ends, so secrets do not outlive it.
 *
 * @module
 */
import type { ServiceSpec } from "../config/mod.ts";
import { readBoundedFile } from "../config/bounded_read.ts";
import { describeFsError } from "../config/load.ts";
import { MAX_CREDENTIAL_BYTES } from "../config/limits.ts";

/** A credential file that cannot be provided; the message names service, credential and path. */
export class CredentialError extends Error {
  /**
   * Creates the error.
   *
   * @param message What failed.
   * @param options Standard error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CredentialError";
  }
}

/** Options for {@link prepareCredentials}. */
export interface CredentialOptions {
  /**
   * Directory in which the private credentials directory is created.
   * @default Deno.makeTempDir's default (TMPDIR or /tmp)
   */
  baseDir?: string;
  /** Owner of the directory and files (the service's user), when it runs as another user. */
  uid?: number;
  /** Group of the directory and files. */
  gid?: number;
}

/** A service run's credentials directory. */
export interface PreparedCredentials {
  /** The directory's path. */
  readonly dir: string;
  /** `{ CREDENTIALS_DIRECTORY: dir }`, to add to the service's environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Removes the directory and its files. */
  remove(): Promise<void>;
}

/**
 * Copies a service's credential files into a new private directory.
 *
 * @param spec The service (its name and credentials).
 * @param options Where, and for which user.
 * @returns The directory, or null when the service has no credentials.
 * @throws {CredentialError} When a source file cannot be read, is not a regular file or is
 *   larger than 1 MiB; nothing is left behind.
 * @example
 * ```ts
 * const creds = await prepareCredentials(spec, { uid: 65534, gid: 65534 });
 * try { await run({ env: { ...env, ...creds?.environment } }); } finally { await creds?.remove(); }
 * ```
 */
export async function prepareCredentials(
  spec: Pick<ServiceSpec, "name" | "credentials">,
  options: CredentialOptions = {},
): Promise<PreparedCredentials | null> {
  if (spec.credentials.length === 0) return null;
  const dir = await Deno.makeTempDir({
    prefix: `nimi-credentials-${spec.name}-`,
    ...(options.baseDir === undefined ? {} : { dir: options.baseDir }),
  });
  const remove = () => Deno.remove(dir, { recursive: true });
  try {
    await Deno.chmod(dir, 0o700);
    for (const c of spec.credentials) {
      let data: Uint8Array;
      try {
        // A FIFO, a device or a huge file is refused, not read forever.
        data = await readBoundedFile(c.path, MAX_CREDENTIAL_BYTES);
      } catch (e) {
        const why = describeFsError(e);
        throw new CredentialError(
          `Cannot read credential "${c.name}" of service "${spec.name}" from ` +
            `${JSON.stringify(c.path)}: ${why}`,
          { cause: e },
        );
      }
      const target = `${dir}/${c.name}`;
      await Deno.writeFile(target, data, { mode: 0o400, createNew: true });
      await Deno.chmod(target, 0o400);
      if (options.uid !== undefined || options.gid !== undefined) {
        await Deno.chown(target, options.uid ?? null, options.gid ?? null);
      }
    }
    if (options.uid !== undefined || options.gid !== undefined) {
      await Deno.chown(dir, options.uid ?? null, options.gid ?? null);
    }
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    dir,
    environment: { CREDENTIALS_DIRECTORY: dir },
    remove,
  };
}
