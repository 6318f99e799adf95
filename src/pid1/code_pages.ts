/**
 * Gives the runtime's cold code pages back once the run goes quiet. Most of what a running nimi
 * has resident is not its own: it is the Deno executable (and libc), mapped read-only from
 * their files, of which start-up touched 40 to 50 MB (module loading, the transpiler, spawning)
 * and the idle supervisor uses a few MB. Those pages are clean page cache: the kernel can drop
 * them at any time and reads them back from the file when they are needed again. Left alone,
 * they count in nimi's RSS and in the container's memory until the machine runs short.
 *
 * `madvise(MADV_PAGEOUT)` (Linux 5.4) asks the kernel to reclaim them now. It is applied only
 * to read-only file mappings, so it never touches nimi's private data (that would need swap,
 * and the kernel leaves it alone), and the kernel skips pages other processes map too (another
 * Deno program's), so nothing is taken from anyone else. A page used again afterwards is faulted
 * back in from the page cache or the file: the cost of one idle spell is a few milliseconds of
 * page faults on the next burst of work.
 *
 * @module
 */

/** `madvise` advice: reclaim these pages (Linux 5.4 and later). */
export const MADV_PAGEOUT = 21;

/** One address range to advise. */
export interface Range {
  /** First address. */
  start: bigint;
  /** Bytes from there. */
  length: bigint;
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ (\d+)\s+(\/.*)$/;

/**
 * The read-only file mappings in a `/proc/PID/maps` text: a path, an inode, and no `w` in the
 * permissions (code and read-only data of executables and libraries). Anonymous memory, the
 * heap, stacks, writable file mappings and special mappings (`[vdso]`) are left out.
 *
 * @param maps The text of `/proc/self/maps`.
 * @returns The ranges, in the order listed.
 * @example
 * ```ts
 * readOnlyFileMappings("7f00-7f10 r-xp 00000000 08:01 42 /usr/bin/deno\n");
 * // [{ start: 0x7f00n, length: 0x10n }]
 * ```
 */
export function readOnlyFileMappings(maps: string): Range[] {
  const ranges: Range[] = [];
  for (const line of maps.split("\n")) {
    const m = MAPS_LINE.exec(line);
    if (m === null || m[4] === "0" || m[3]!.includes("w")) continue;
    const start = BigInt(`0x${m[1]}`);
    const end = BigInt(`0x${m[2]}`);
    if (end > start) ranges.push({ start, length: end - start });
  }
  return ranges;
}

type Madvise = (start: bigint, length: bigint, advice: number) => number;

let madvise: Madvise | null | undefined;

function bindMadvise(): Madvise | null {
  if (madvise !== undefined) return madvise;
  try {
    const lib = Deno.dlopen("libc.so.6", {
      madvise: { parameters: ["usize", "usize", "i32"], result: "i32" },
    });
    madvise = (start, length, advice) => lib.symbols.madvise(start, length, advice);
  } catch (e) {
    // No FFI (a run without --allow-ffi, a libc without that name): the pages stay resident,
    // which costs memory and nothing else.
    if (!(e instanceof Error)) throw e;
    madvise = null;
  }
  return madvise;
}

/**
 * Asks the kernel to reclaim this process's cold read-only file pages (see the module comment).
 * Does nothing where that cannot be done: no FFI, no `/proc`, a kernel before 5.4 (the first
 * refusal stops later attempts).
 *
 * @returns How many bytes of mappings were advised (resident or not), 0 when nothing was done.
 */
export function pageOutCode(): number {
  const advise = bindMadvise();
  if (advise === null) return 0;
  let maps: string;
  try {
    maps = Deno.readTextFileSync("/proc/self/maps");
  } catch (e) {
    // No /proc (a container without it): nothing to go by.
    if (!(e instanceof Error)) throw e;
    return 0;
  }
  let advised = 0n;
  for (const r of readOnlyFileMappings(maps)) {
    if (advise(r.start, r.length, MADV_PAGEOUT) !== 0) {
      // EINVAL: a kernel without MADV_PAGEOUT, which will refuse every range; a mapping that
      // went away since the read is refused too, and the next spell tries again.
      if (advised === 0n) madvise = null;
      break;
    }
    advised += r.length;
  }
  return Number(advised);
}
