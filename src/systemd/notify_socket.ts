/**
 * Sends notify datagrams to systemd through libc (`socket(2)`, `sendto(2)`), because Deno's
 * datagram API reaches neither abstract socket names nor an unbound sender. The socket is
 * non-blocking: if systemd's queue is full the message is dropped and reported, nimi never
 * waits. Needs unscoped `--allow-ffi`, which nimi has for its reaper already.
 *
 * @module
 */
import { AF_UNIX, sockaddrUn } from "./notify_address.ts";
import { errnoAt } from "../pid1/libc.ts";

const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const FLAGS = MSG_DONTWAIT | MSG_NOSIGNAL;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  11: "EAGAIN",
  13: "EACCES",
  90: "EMSGSIZE",
  91: "EPROTOTYPE",
  105: "ENOBUFS",
  107: "ENOTCONN",
  111: "ECONNREFUSED",
};

/** A socket that sends to one notify address. */
export interface NotifySender {
  /** The address it sends to, as given (`/run/systemd/notify`, `@name`). */
  readonly address: string;
  /**
   * Sends one datagram.
   *
   * @param message `KEY=VALUE` lines.
   * @throws {Error} When the kernel refuses it, naming the address and errno.
   */
  send(message: string): void;
  /** Closes the socket. */
  close(): void;
}

/**
 * Opens a datagram socket for `address`.
 *
 * @param address `NOTIFY_SOCKET`'s value.
 * @returns The sender.
 * @throws {RangeError} When the address cannot be encoded.
 * @throws {Error} When no socket can be created.
 * @example
 * ```ts
 * const notify = openNotifySender("/run/systemd/notify");
 * notify.send("READY=1");
 * notify.close();
 * ```
 */
export function openNotifySender(address: string): NotifySender {
  const addr = sockaddrUn(address);
  const lib = Deno.dlopen("libc.so.6", SYMBOLS);
  const errno = (): number => errnoAt(lib.symbols.__errno_location());
  const fd = lib.symbols.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    const e = errno();
    lib.close();
    throw new Error(`Cannot create a socket for NOTIFY_SOCKET "${address}": ${errnoText(e)}`);
  }
  const encoder = new TextEncoder();
  let closed = false;
  return {
    address,
    send(message: string): void {
      if (closed) throw new Error(`Cannot notify "${address}": the socket is closed`);
      const bytes = encoder.encode(message);
      const r = Number(
        lib.symbols.sendto(fd, bytes, BigInt(bytes.length), FLAGS, addr, addr.length),
      );
      if (r < 0) throw new Error(`Cannot notify "${address}": ${errnoText(errno())}`);
    },
    close(): void {
      if (closed) return;
      closed = true;
      lib.symbols.close(fd);
      lib.close();
    },
  };
}

function errnoText(e: number): string {
  const name = ERRNO_NAMES[e];
  return name === undefined ? `errno ${e}` : `${name} (errno ${e})`;
}
