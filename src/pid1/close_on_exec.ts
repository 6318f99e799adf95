/**
 * File descriptors nimi inherited from whoever started it (a shell's redirections, a CI
 * runner's pipes) are not nimi's to hand on: every fd above 2 without close-on-exec gets it at
 * start, so no service inherits them. nimi's own fds are close-on-exec already (Deno opens
 * everything with O_CLOEXEC). Needs `--allow-ffi` for `fcntl`; without it nothing is changed.
 *
 * @module
 */

const F_GETFD = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;

/**
 * Marks every inherited fd above 2 close-on-exec.
 *
 * @returns The fds that were changed.
 * @example
 * ```ts
 * closeInheritedOnExec(); // [10, 251] when started with those open
 * ```
 */
export function closeInheritedOnExec(): number[] {
  const fds: number[] = [];
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    const fd = Number(e.name);
    if (Number.isInteger(fd) && fd > 2) fds.push(fd);
  }
  if (fds.length === 0) return [];
  const lib = Deno.dlopen("libc.so.6", {
    fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  });
  try {
    const changed: number[] = [];
    for (const fd of fds) {
      const flags = lib.symbols.fcntl(fd, F_GETFD, 0);
      // -1: the fd that listed /proc/self/fd, closed since.
      if (flags === -1 || (flags & FD_CLOEXEC) !== 0) continue;
      if (lib.symbols.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) === 0) changed.push(fd);
    }
    return changed;
  } finally {
    lib.close();
  }
}
