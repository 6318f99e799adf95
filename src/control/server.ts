/**
 * The control socket: an HTTP/1.1 server (http1.ts) on a Unix socket that answers the routes of
 * routes.ts. The socket is 0600 in a 0700 directory owned by nimi's user; a stale socket of a
 * nimi that died is replaced, a live one is left alone; the socket is removed when nimi exits.
 *
 * @module
 */
import { dirname } from "../path.ts";
import { ensurePrivateDir } from "./socket_path.ts";
import { type ControlContext, handleControl } from "./routes.ts";
import { Http1Server } from "./http1.ts";

/** Why the control socket could not be opened; nimi runs on without it. */
export class ControlUnavailable extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   * @param options Standard error options (cause).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ControlUnavailable";
  }
}

/** Options for {@link ControlServer.open}. */
export interface ControlServerOptions {
  /** The socket path. */
  path: string;
  /** Whether the directory is nimi's default one, created private and checked. */
  defaultDir: boolean;
  /** What the routes act on (`track` is provided by the server). */
  context: Omit<ControlContext, "track">;
  /** Hears a connection that failed in a way nimi did not foresee (it is dropped). */
  onFailure: (e: unknown) => void;
}

/** A listening control socket. */
export class ControlServer {
  readonly #server: Http1Server;
  readonly #path: string;
  readonly #ino: number | null;
  readonly #streams: Set<{ close(): void }>;
  readonly #defaultDir: boolean;

  private constructor(
    server: Http1Server,
    path: string,
    ino: number | null,
    streams: Set<{ close(): void }>,
    defaultDir: boolean,
  ) {
    this.#server = server;
    this.#path = path;
    this.#ino = ino;
    this.#streams = streams;
    this.#defaultDir = defaultDir;
  }

  /** The socket's path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Opens the socket.
   *
   * @param options Path and context.
   * @returns The server.
   * @throws {ControlUnavailable} When the directory is not private, another nimi listens on
   *   the path, or something that is not a socket is in the way.
   */
  static async open(options: ControlServerOptions): Promise<ControlServer> {
    const { path } = options;
    try {
      if (options.defaultDir) await ensurePrivateDir(path);
    } catch (e) {
      throw new ControlUnavailable(errorText(e), { cause: e });
    }
    await clearStale(path);
    const streams = new Set<{ close(): void }>();
    const context: ControlContext = {
      ...options.context,
      track: (s) => {
        streams.add(s);
        return () => streams.delete(s);
      },
    };
    let listener: Deno.Listener;
    // The socket is created 0600, not chmod-ed after: between a bind under the usual umask and
    // the chmod, anyone who can reach the directory could connect. The bind is synchronous, so
    // the narrower umask covers nothing else.
    const umask = Deno.umask(0o177);
    try {
      listener = Deno.listen({ path, transport: "unix" });
    } catch (e) {
      if (e instanceof Deno.errors.AddrInUse) {
        throw new ControlUnavailable(`control socket "${path}" is in use by another nimi`);
      }
      throw new ControlUnavailable(`cannot listen on "${path}": ${errorText(e)}`, { cause: e });
    } finally {
      Deno.umask(umask);
    }
    const server = new Http1Server(
      listener,
      (req) => handleControl(req, context),
      internalError,
      options.onFailure,
    );
    await Deno.chmod(path, 0o600);
    const ino = (await Deno.lstat(path)).ino;
    return new ControlServer(server, path, ino, streams, options.defaultDir);
  }

  /** Ends open streams, stops listening and removes the socket (only if it is still ours). */
  async close(): Promise<void> {
    for (const s of [...this.#streams]) s.close();
    await this.#server.shutdown();
    try {
      const info = await Deno.lstat(this.#path);
      if (info.isSocket && (this.#ino === null || info.ino === this.#ino)) {
        await Deno.remove(this.#path);
      }
    } catch (e) {
      // Deno removes the socket itself on shutdown; gone is what we want.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (this.#defaultDir) await removeIfEmpty(dirname(this.#path));
  }
}

/** Removes nimi's default socket directory once no other instance has a socket in it. */
async function removeIfEmpty(dir: string): Promise<void> {
  for await (const _ of Deno.readDir(dir)) return;
  try {
    await Deno.remove(dir);
  } catch (e) {
    // Another nimi put its socket there meanwhile, or removed the directory itself.
    if (e instanceof Deno.errors.NotFound) return;
    if (e instanceof Error && /not empty/i.test(e.message)) return;
    throw e;
  }
}

/** Removes a socket nobody listens on; refuses one someone does, and anything else. */
async function clearStale(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw new ControlUnavailable(`cannot check "${path}": ${errorText(e)}`, { cause: e });
  }
  if (!info.isSocket) {
    throw new ControlUnavailable(`"${path}" exists and is not a socket; remove it or use --socket`);
  }
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused || e instanceof Deno.errors.NotFound) {
      await Deno.remove(path).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
      return;
    }
    throw new ControlUnavailable(`cannot check "${path}": ${errorText(e)}`, { cause: e });
  }
  throw new ControlUnavailable(
    `control socket "${path}" is in use by another nimi; give this one --name NAME or --socket PATH`,
  );
}

function internalError(e: unknown): Response {
  return new Response(`${JSON.stringify({ error: errorText(e) })}\n`, {
    status: 500,
    headers: { "content-type": "application/json" },
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
