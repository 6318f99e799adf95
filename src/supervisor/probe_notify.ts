/**
 * The `notify` probe: systemd's readiness protocol. nimi listens on a unix datagram socket in a
 * private directory and passes its path as `NOTIFY_SOCKET`; the service (or `systemd-notify
 * --ready --no-block`, or `sd_notify(3)`) sends `READY=1` when it is ready and `WATCHDOG=1` as a
 * heartbeat.
 *
 * Receiving unix datagrams needs `Deno.listenDatagram` with `transport: "unixpacket"`, which
 * Deno 2.9 only provides under `--unstable-net` (deno.json sets `"unstable": ["net"]`, so
 * `deno run` and `deno compile` of nimi have it). Without it, {@link NotifySocket.open} fails
 * with a {@link NotifyUnavailableError} naming the flag.
 *
 * @module
 */
import { EventCounter } from "./probe_event.ts";
import { errorText } from "./probe_loop.ts";

/** The notify protocol cannot be used in this Deno (no unstable datagram API). */
export class NotifyUnavailableError extends Error {
  /**
   * Creates the error; its message names the missing flag and the alternatives.
   *
   * @param options Standard error options.
   */
  constructor(options?: ErrorOptions) {
    super(
      `the "notify" probe needs unix datagram sockets, which this Deno only has with ` +
        `--unstable-net; run nimi built from its deno.json (it sets "unstable": ["net"]) or ` +
        `use a "log", "tcp", "http" or "exec" probe`,
      options,
    );
    this.name = "NotifyUnavailableError";
  }
}

interface Datagrams {
  receive(): Promise<[Uint8Array, unknown]>;
  close(): void;
}

type ListenDatagram = (options: { transport: "unixpacket"; path: string }) => Datagrams;

function listenDatagram(): ListenDatagram | null {
  const fn = (Deno as unknown as { listenDatagram?: ListenDatagram }).listenDatagram;
  return typeof fn === "function" ? fn : null;
}

/**
 * Whether this Deno can receive notify datagrams.
 *
 * @returns true when `Deno.listenDatagram` exists (Deno started with `--unstable-net`).
 */
export function notifyAvailable(): boolean {
  return listenDatagram() !== null;
}

/** A parsed notify message: `KEY=VALUE` lines. */
export type NotifyMessage = Map<string, string>;

/**
 * Parses one notify datagram.
 *
 * @param text The datagram as text (`READY=1\nSTATUS=up`).
 * @returns Its assignments; lines without `=` are skipped.
 * @example
 * ```ts
 * parseNotifyMessage("READY=1\nSTATUS=listening").get("STATUS"); // "listening"
 * ```
 */
export function parseNotifyMessage(text: string): NotifyMessage {
  const out: NotifyMessage = new Map();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** Options for {@link NotifySocket.open}. */
export interface NotifySocketOptions {
  /**
   * Directory in which a private directory for the socket is created.
   * @default Deno.makeTempDir's default (TMPDIR or /tmp)
   */
  baseDir?: string;
  /** Owner of the socket directory and socket, when the service runs as another user. */
  uid?: number;
  /** Group of the socket directory and socket. */
  gid?: number;
  /** Called with each message, for the log (`STATUS=` lines, for one). */
  onMessage?: (message: NotifyMessage) => void;
}

/** A listening notify socket for one service run. */
export class NotifySocket {
  /** `READY=1` messages received. */
  readonly ready: EventCounter = new EventCounter();
  /** `WATCHDOG=1` messages received. */
  readonly watchdog: EventCounter = new EventCounter();
  /** The socket's path: the service's `NOTIFY_SOCKET`. */
  readonly path: string;
  readonly #dir: string;
  readonly #listener: Datagrams;
  readonly #done: Promise<void>;
  #closed = false;

  private constructor(
    dir: string,
    path: string,
    listener: Datagrams,
    onMessage?: (m: NotifyMessage) => void,
  ) {
    this.#dir = dir;
    this.path = path;
    this.#listener = listener;
    this.#done = this.#receive(onMessage);
  }

  /**
   * Creates a private directory (0700, owned by the service's user) and listens in it.
   *
   * @param options Where, for whom, and a message callback.
   * @returns The listening socket.
   * @throws {NotifyUnavailableError} Without `--unstable-net`.
   */
  static async open(options: NotifySocketOptions = {}): Promise<NotifySocket> {
    const listen = listenDatagram();
    if (listen === null) throw new NotifyUnavailableError();
    const dir = await Deno.makeTempDir({
      prefix: "nimi-notify-",
      ...(options.baseDir === undefined ? {} : { dir: options.baseDir }),
    });
    try {
      const path = `${dir}/notify.sock`;
      const listener = listen({ transport: "unixpacket", path });
      if (options.uid !== undefined || options.gid !== undefined) {
        await Deno.chown(dir, options.uid ?? null, options.gid ?? null);
        await Deno.chown(path, options.uid ?? null, options.gid ?? null);
      }
      return new NotifySocket(dir, path, listener, options.onMessage);
    } catch (e) {
      await Deno.remove(dir, { recursive: true });
      throw e;
    }
  }

  async #receive(onMessage?: (m: NotifyMessage) => void): Promise<void> {
    const decoder = new TextDecoder();
    for (;;) {
      let data: Uint8Array;
      try {
        [data] = await this.#listener.receive();
      } catch (e) {
        if (this.#closed) return;
        throw new Error(`Cannot read notify socket ${this.path}: ${errorText(e)}`, { cause: e });
      }
      const message = parseNotifyMessage(decoder.decode(data));
      onMessage?.(message);
      if (message.get("READY") === "1") this.ready.add();
      if (message.get("WATCHDOG") === "1") this.watchdog.add();
    }
  }

  /**
   * Stops listening and removes the socket's directory.
   *
   * @returns Resolves when the directory is gone.
   * @throws When receiving had failed, with the socket's path.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.close();
    try {
      await this.#done;
    } finally {
      await Deno.remove(this.#dir, { recursive: true });
    }
  }
}
