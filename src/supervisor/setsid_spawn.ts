/**
 * A faster start for detached services. Deno starts a `detached` child (own session and process
 * group) with `fork()`, which copies the page tables of the whole runtime: about 1.6 ms a
 * process at nimi's size, most of the time it takes to start 200 services (bench/README.md,
 * "Start"). Without `detached`, Deno uses `posix_spawn` (`vfork`), whose cost does not grow
 * with the parent. So nimi starts such a service through `setsid PROGRAM ARGS...` (util-linux
 * or busybox), spawned without `detached`: the helper calls `setsid()` and execs the program in
 * the same process, so the pid, session, group, argv and exit status are the service's own.
 *
 * The helper is used only where it changes nothing else: an absolute program that the kernel
 * will run (a regular executable file whose ELF loader or `#!` interpreter exists), no user or
 * group switch, and a `setsid` found on this machine. Otherwise the service is spawned as before,
 * so a program that cannot start fails with nimi's own message (spawner.ts). {@link startProcess}
 * is the entry the process seam (child.ts) calls.
 *
 * Between the spawn and the helper's `setsid()` the child is still in nimi's group, and a stop
 * signal to its group would find no such group. So whoever signals the group, or asks whether
 * it is gone, first calls {@link Started.leading}, which returns once the child leads its own
 * group ({@link awaitLeader}). The spawn itself does not wait: by the time anyone signals a
 * service it has long led its group, and waiting at every spawn cost 1 to 3 ms each on a busy
 * machine (the parent polled /proc while the child waited for a core), most of the time it
 * took to start 2,000 services.
 *
 * @module
 */

/** Where nimi looks for the helper, before PATH. */
const HELPER_DIRS = ["/run/current-system/sw/bin", "/usr/bin", "/bin"];

let cachedHelper: string | null | undefined;

/**
 * The `setsid` program nimi uses, or null when there is none (looked up once).
 *
 * @returns Its absolute path, or null.
 */
export function setsidHelper(): string | null {
  if (cachedHelper !== undefined) return cachedHelper;
  const path = Deno.env.get("PATH") ?? "";
  const dirs = [...HELPER_DIRS, ...path.split(":").filter((d) => d.startsWith("/"))];
  cachedHelper = null;
  for (const dir of dirs) {
    const candidate = `${dir}/setsid`;
    if (startable(candidate) && canExec(realPath(candidate))) {
      cachedHelper = candidate;
      break;
    }
  }
  return cachedHelper;
}

/** A process just started. */
export interface Started {
  /** The child process. */
  process: Deno.ChildProcess;
  /**
   * Returns once a detached child leads its own group: at once when Deno spawned it detached,
   * after at most one short wait when it started through the helper (see the module comment).
   */
  leading(): void;
}

/**
 * Starts a process: through the helper when {@link viaSetsid} allows, else with
 * `new Deno.Command(program, options).spawn()`.
 *
 * @param program The program.
 * @param options Its command options.
 * @returns The child process, and the wait for its group.
 * @throws What `Deno.Command.spawn` throws when the program cannot be started.
 */
export function startProcess(program: string, options: Deno.CommandOptions): Started {
  const fast = viaSetsid(program, options);
  if (fast === null) return { process: new Deno.Command(program, options).spawn(), leading() {} };
  const process = new Deno.Command(fast.program, fast.options).spawn();
  let pending = true;
  return {
    process,
    leading() {
      if (pending) pending = !awaitLeader(process.pid);
    },
  };
}

/**
 * Rewrites a detached spawn into a `posix_spawn` of the helper, when that is equivalent.
 *
 * @param program The service's program.
 * @param options Its command options.
 * @param helper The `setsid` program (default: {@link setsidHelper}).
 * @returns The helper and options to spawn instead, or null to spawn as given.
 * @example
 * ```ts
 * viaSetsid("/bin/sleep", { args: ["1"], detached: true }, "/usr/bin/setsid");
 * // { program: "/usr/bin/setsid", options: { args: ["/bin/sleep", "1"], detached: false } }
 * ```
 */
export function viaSetsid(
  program: string,
  options: Deno.CommandOptions,
  helper: string | null = setsidHelper(),
): { program: string; options: Deno.CommandOptions } | null {
  if (helper === null || options.detached !== true) return null;
  if (options.uid !== undefined || options.gid !== undefined) return null;
  if (!program.startsWith("/") || !startable(program)) return null;
  return {
    program: helper,
    options: { ...options, args: [program, ...(options.args ?? [])], detached: false },
  };
}

/**
 * Whether the kernel will run this file: a regular file nimi may execute, whose ELF loader
 * (PT_INTERP) or `#!` interpreter exists and may be executed too (checked two levels deep).
 * A false answer only means "spawn it the ordinary way".
 *
 * @param path An absolute path.
 * @returns true when exec will not fail for a reason nimi would report itself.
 */
export function startable(path: string, depth = 0): boolean {
  if (depth > 2 || !path.startsWith("/")) return false;
  let file: Deno.FsFile;
  try {
    if (!canExec(path)) return false;
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied) {
      return false;
    }
    if (e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
  try {
    const head = new Uint8Array(256);
    const n = file.readSync(head) ?? 0;
    if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) {
      const line = new TextDecoder().decode(head.subarray(2, n)).split("\n")[0]!;
      const interpreter = line.trim().split(/\s+/)[0] ?? "";
      return startable(interpreter, depth + 1);
    }
    if (n >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      const loader = elfInterpreter(file, head.subarray(0, n));
      if (loader === undefined) return false;
      return loader === null || startable(loader, depth + 1);
    }
    return false; // neither: let the kernel (and nimi's error message) decide
  } finally {
    file.close();
  }
}

/** Whether `path` is a regular file with an execute bit that applies to nimi. */
function canExec(path: string): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (
      e instanceof Deno.errors.NotFound || e instanceof Deno.errors.PermissionDenied ||
      e instanceof Deno.errors.NotADirectory
    ) return false;
    throw e;
  }
  if (!info.isFile || info.mode === null) return false;
  const uid = Deno.uid();
  if (uid === 0) return (info.mode & 0o111) !== 0;
  if (info.uid === uid) return (info.mode & 0o100) !== 0;
  if (info.gid === Deno.gid()) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

/**
 * Waits (synchronously, at most `limitMs`) until `pid` leads its own process group or has
 * exited, so the caller can signal its group from the first moment.
 *
 * @param pid A child just spawned through the helper.
 * @param limitMs Longest wait; past it the caller goes on (the child is then very late).
 * @returns true when the child leads its group (or is gone), false after the limit.
 */
export function awaitLeader(pid: number, limitMs = 50): boolean {
  const deadline = performance.now() + limitMs;
  for (;;) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return true; // gone already
      throw e;
    }
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pid || fields[0] === "Z") return true;
    if (performance.now() > deadline) return false;
  }
}

function realPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return path;
    throw e;
  }
}

/** ELF machine numbers of the architectures Deno runs on. */
const MACHINES: Record<string, number> = { x86_64: 62, aarch64: 183 };

/**
 * The PT_INTERP path of an ELF file for this machine: null for a static one, undefined for one
 * nimi cannot read or that is built for another machine.
 */
function elfInterpreter(file: Deno.FsFile, head: Uint8Array): string | null | undefined {
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  if (head.length < (is64 ? 64 : 52)) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint16(18, little) !== MACHINES[Deno.build.arch]) return undefined;
  const phoff = is64 ? Number(view.getBigUint64(32, little)) : view.getUint32(28, little);
  const phentsize = view.getUint16(is64 ? 54 : 42, little);
  const phnum = view.getUint16(is64 ? 56 : 44, little);
  if (phnum === 0 || phnum > 64 || phentsize < (is64 ? 56 : 32)) return undefined;
  const table = readAt(file, phoff, phentsize * phnum);
  if (table === null) return undefined;
  const t = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (t.getUint32(at, little) !== 3) continue; // PT_INTERP
    const offset = is64 ? Number(t.getBigUint64(at + 8, little)) : t.getUint32(at + 4, little);
    const size = is64 ? Number(t.getBigUint64(at + 32, little)) : t.getUint32(at + 16, little);
    if (size <= 1 || size > 4096) return undefined;
    const bytes = readAt(file, offset, size);
    if (bytes === null) return undefined;
    return new TextDecoder().decode(bytes.subarray(0, size - 1)); // without its NUL
  }
  return null;
}

function readAt(file: Deno.FsFile, offset: number, size: number): Uint8Array | null {
  const out = new Uint8Array(size);
  file.seekSync(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < size) {
    const n = file.readSync(out.subarray(got));
    if (n === null || n === 0) return null;
    got += n;
  }
  return out;
}
