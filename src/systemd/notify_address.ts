/**
 * The address of a notify socket as the kernel takes it (`struct sockaddr_un`): a path, or an
 * abstract name written `@name` in `NOTIFY_SOCKET` (a leading NUL byte on the wire). Pure.
 *
 * @module
 */

/** `AF_UNIX`. */
export const AF_UNIX = 1;

/** Size of `sun_path` in `struct sockaddr_un` on Linux. */
const SUN_PATH_SIZE = 108;

/**
 * Encodes `NOTIFY_SOCKET` as a `struct sockaddr_un` of exactly the length to pass to
 * `sendto(2)`: family (2 bytes, native order), then the path and its NUL, or a NUL and the
 * abstract name (no terminator: every byte of an abstract name counts).
 *
 * @param address An absolute path or `@name`.
 * @returns The address bytes.
 * @throws {RangeError} When the address is neither, or too long for `sun_path`.
 * @example
 * ```ts
 * sockaddrUn("@nimi").length; // 2 + 1 + 4
 * ```
 */
export function sockaddrUn(address: string): Uint8Array {
  const abstract = address.startsWith("@");
  if (!abstract && !address.startsWith("/")) {
    throw new RangeError(`Cannot use notify socket "${address}": not an absolute path or @name`);
  }
  const name = new TextEncoder().encode(abstract ? address.slice(1) : address);
  // A path needs room for its NUL; an abstract name has a NUL in front instead.
  if (name.length + 1 > SUN_PATH_SIZE) {
    throw new RangeError(
      `Cannot use notify socket "${address}": longer than ${SUN_PATH_SIZE - 1} bytes`,
    );
  }
  if (!abstract && name.includes(0)) {
    throw new RangeError(`Cannot use notify socket "${address}": the path contains a NUL byte`);
  }
  const out = new Uint8Array(2 + 1 + name.length);
  new DataView(out.buffer).setUint16(0, AF_UNIX, true);
  if (abstract) {
    out[2] = 0;
    out.set(name, 3);
  } else {
    out.set(name, 2);
    out[2 + name.length] = 0;
  }
  return out;
}
