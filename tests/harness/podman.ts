/**
 * The podman container harness of the test suite: whether podman can run containers here,
 * podman with the global flags this machine needs, the nimi test image, and podman's Docker
 * API on a private socket for docker-compose.
 *
 * Some machines refuse resource limits inside a container and have cgroups v1 "hybrid" (crun
 * refuses it). There the harness runs podman with `--cgroup-manager=cgroupfs` and an OCI
 * runtime wrapper that removes `process.rlimits` from the bundle's config.json and execs runc;
 * it uses them only when a plain `podman run` fails. docs/development.md says more.
 *
 * @module
 */
import { existsAsync } from "../helpers/files.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

/** What one podman command gave. */
export interface PodmanResult {
  /** Exit code (124 when it was killed after `timeoutMs`). */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Options of {@link podman}. */
export interface PodmanOptions {
  /** Written to podman's standard input. */
  stdin?: string;
  /** Kills podman after this long (default 120 s). */
  timeoutMs?: number;
}

/** Where the harness keeps what outlives one test file: the runtime wrapper, build locks. */
export const HARNESS_DIR = "/var/tmp/nimi-test-images";

const decoder = new TextDecoder();

/** Runs a program to completion with its output collected. */
async function run(
  cmd: string,
  args: string[],
  opts: PodmanOptions = {},
): Promise<PodmanResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      stdin: opts.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: not found` };
    }
    throw e;
  }
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, opts.timeoutMs ?? 120_000);
  try {
    const out = await child.output();
    const stderr = decoder.decode(out.stderr);
    return {
      code: timedOut ? 124 : out.code,
      stdout: decoder.decode(out.stdout),
      stderr: timedOut ? `${stderr}\n(killed after ${opts.timeoutMs ?? 120_000} ms)` : stderr,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Absolute path of a program on PATH (or in the sbin directories), or null. */
async function which(name: string): Promise<string | null> {
  for (const dir of [...(Deno.env.get("PATH") ?? "").split(":"), "/usr/sbin", "/sbin"]) {
    if (dir === "") continue;
    try {
      const info = await Deno.stat(`${dir}/${name}`);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return `${dir}/${name}`;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !(e instanceof Deno.errors.PermissionDenied)) {
        throw e;
      }
    }
  }
  return null;
}

/**
 * The OCI runtime wrapper: runc without `process.rlimits`. podman calls it with runc's
 * arguments; `create` and `run` carry `--bundle DIR`.
 */
function wrapperScript(runc: string, python: string): string {
  return `#!/bin/sh
# Written by tests/harness/podman.ts: runc with the bundle's process.rlimits removed, for
# machines that refuse setrlimit inside a container.
bundle=""
process=""
prev=""
for arg in "$@"; do
  case "$prev" in --bundle | -b) bundle="$arg" ;; --process | -p) process="$arg" ;; esac
  case "$arg" in --bundle=*) bundle="\${arg#--bundle=}" ;; --process=*) process="\${arg#--process=}" ;; esac
  prev="$arg"
done
strip() {
  ${python} -c 'import json, sys
p = sys.argv[1]
with open(p) as f:
    c = json.load(f)
c.get("process", c).pop("rlimits", None)
with open(p, "w") as f:
    json.dump(c, f)' "$1" || exit 1
}
# create and run carry the bundle's config.json; exec (podman exec) its process's own JSON.
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then strip "$bundle/config.json"; fi
if [ -n "$process" ] && [ -f "$process" ]; then strip "$process"; fi
exec ${runc} "$@"
`;
}

/** Writes a file atomically (several test files may write the same one at once). */
async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${Deno.pid}.${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, text, { mode });
  await Deno.chmod(tmp, mode);
  await Deno.rename(tmp, path);
}

/**
 * A root file system holding one dynamically linked program and the libraries `ldd` names,
 * at their own paths (enough to run it in a container with nothing else).
 *
 * @param dir Where to lay it out.
 * @param program Absolute path of the program on the host.
 * @param at Where it goes inside `dir`.
 */
export async function copyWithLibraries(dir: string, program: string, at: string): Promise<void> {
  const ldd = await run("ldd", [program]);
  if (ldd.code !== 0 && !/not a dynamic executable/.test(ldd.stderr + ldd.stdout)) {
    throw new Error(`ldd ${program}: ${ldd.stderr}`);
  }
  const libs = [...ldd.stdout.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
  for (const [from, to] of [[program, at], ...libs.map((l) => [l, l])] as [string, string][]) {
    const target = `${dir}${to}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.copyFile(await Deno.realPath(from), target);
    await Deno.chmod(target, 0o755);
  }
}

/** Global podman flags that work here, or the reason podman cannot run containers. */
type Runtime = { flags: string[] } | { reason: string };

let runtime: Promise<Runtime> | undefined;

/** Runs `/true` from a tiny root file system with the given global flags. */
async function tryRun(flags: string[], rootfs: string): Promise<PodmanResult> {
  return await run("podman", [
    ...flags,
    "run",
    "--rm",
    "--network",
    "none",
    "--rootfs",
    rootfs,
    "/true",
  ], { timeoutMs: 60_000 });
}

async function findRuntime(): Promise<Runtime> {
  if (await which("podman") === null) {
    return { reason: "podman is not installed (tests/tools.sh installs it as root)" };
  }
  if (Deno.uid() !== 0) return { reason: "not root: the container tests run podman as root" };
  const rootfs = await Deno.makeTempDir({ prefix: "nimi-test-probe-" });
  try {
    const trueBin = await which("true");
    if (trueBin === null) return { reason: "no `true` program to probe podman with" };
    await copyWithLibraries(rootfs, trueBin, "/true");
    const plain = await tryRun([], rootfs);
    if (plain.code === 0) return { flags: [] };
    const runc = await which("runc");
    const python = await which("python3");
    if (runc === null || python === null) {
      return {
        reason: `podman run fails (${firstLine(plain.stderr)}) and the runc workaround needs ` +
          `runc and python3`,
      };
    }
    await Deno.mkdir(HARNESS_DIR, { recursive: true });
    // Named by its content: checkouts with another version of the script do not replace it.
    const script = wrapperScript(runc, python);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script)),
    );
    const id = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
    const wrapper = `${HARNESS_DIR}/runc-without-rlimits-${id}`;
    await writeAtomically(wrapper, script, 0o755);
    const flags = ["--cgroup-manager=cgroupfs", "--runtime", wrapper];
    const wrapped = await tryRun(flags, rootfs);
    if (wrapped.code === 0) return { flags };
    return {
      reason: `podman cannot run a container here: plain: ${firstLine(plain.stderr)}; with ` +
        `cgroupfs and the runc wrapper: ${firstLine(wrapped.stderr)}`,
    };
  } finally {
    await Deno.remove(rootfs, { recursive: true });
  }
}

function firstLine(text: string): string {
  return text.trim().split("\n").find((l) => !l.startsWith("time=")) ?? text.trim();
}

function detect(): Promise<Runtime> {
  runtime ??= findRuntime();
  return runtime;
}

/**
 * Why podman cannot run containers here, or null when it can. Container tests pass it to
 * `ignore:` and print it.
 *
 * @returns The reason, or null.
 */
export async function podmanReason(): Promise<string | null> {
  const r = await detect();
  return "reason" in r ? r.reason : null;
}

/**
 * The global flags podman needs on this machine (empty where the plain runtime works).
 *
 * @returns The flags; throws when podman cannot run containers.
 */
export async function podmanFlags(): Promise<string[]> {
  const r = await detect();
  if ("reason" in r) throw new Error(`podman: ${r.reason}`);
  return r.flags;
}

/**
 * Runs podman with the global flags this machine needs.
 *
 * @param args podman's arguments.
 * @param opts Standard input and a timeout.
 * @returns Exit code and output.
 */
export async function podman(args: string[], opts: PodmanOptions = {}): Promise<PodmanResult> {
  return await run("podman", [...await podmanFlags(), ...args], opts);
}

/**
 * Runs podman and fails with its output when it exits non-zero.
 *
 * @param args podman's arguments.
 * @param opts Standard input and a timeout.
 * @returns Its standard output.
 */
export async function podmanOk(args: string[], opts: PodmanOptions = {}): Promise<string> {
  const r = await podman(args, opts);
  if (r.code !== 0) {
    throw new Error(`podman ${args.join(" ")}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** A running `podman system service`. */
export interface DockerApi {
  /** DOCKER_HOST for docker-compose: `unix:///.../docker.sock`. */
  host: string;
  /** Stops the service and removes its socket. */
  stop(): Promise<void>;
}

/** Whether something answers HTTP on a unix socket. */
async function answers(path: string): Promise<boolean> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.ConnectionRefused) {
      return false;
    }
    throw e;
  }
  try {
    await conn.write(new TextEncoder().encode("GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n"));
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    return n !== null && decoder.decode(buf.subarray(0, n)).startsWith("HTTP/1.");
  } finally {
    conn.close();
  }
}

/**
 * Starts podman's Docker API (`podman system service`) on a socket in a private temporary
 * directory, in its own session, and waits until it answers.
 *
 * @returns DOCKER_HOST and a way to stop it.
 */
export async function dockerApi(): Promise<DockerApi> {
  const flags = await podmanFlags();
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-deploy-docker-" });
  const socket = `${dir}/docker.sock`;
  const child = new Deno.Command("setsid", {
    args: ["podman", ...flags, "system", "service", "--time=0", `unix://${socket}`],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stop = async (): Promise<void> => {
    try {
      child.kill("SIGTERM");
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // already exited
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true });
  };
  const end = Date.now() + 30_000;
  let exited = false;
  child.status.then(() => exited = true);
  while (!await answers(socket)) {
    if (exited || Date.now() > end) {
      await stop();
      throw new Error(`podman system service did not answer on ${socket}: ${await stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: `unix://${socket}`, stop };
}

/** What the test image holds, besides the Deno runtime (see {@link nimiImage}). */
const APP_FILES = ["mod.ts", "src", "deno.json", "deno.lock"];
/** The example services' programs (TypeScript, run by the image's Deno). */
const SERVICES_DIR = "tests/container/services";

/** Paths inside the test image. */
export const IMAGE = {
  /** The Deno runtime. */
  deno: "/nimi/bin/deno",
  /** nimi's entry point. */
  entry: "/nimi/app/mod.ts",
  /** The example services' programs. */
  services: "/nimi/services",
  /** Deno's dependency and compiled-code cache. */
  denoDir: "/nimi/cache",
} as const;

/** The layout the Nix image and the test image share (nix/container-layout.json). */
export interface ContainerLayout {
  /** Directories at the image root besides the programs' own, with octal modes. */
  directories: { path: string; mode: string }[];
  /** The users of /etc/passwd. */
  users: { name: string; uid: number; gid: number; home: string }[];
  /** The groups of /etc/group. */
  groups: { name: string; gid: number }[];
}

/**
 * /etc/passwd and /etc/group of a layout, in the format nix/lib/image-root.nix writes.
 *
 * @param layout The layout.
 * @returns Both files' text.
 */
export function layoutFiles(layout: ContainerLayout): { passwd: string; group: string } {
  return {
    passwd: layout.users
      .map((u) => `${u.name}:x:${u.uid}:${u.gid}::${u.home}:/sbin/nologin\n`).join(""),
    group: layout.groups.map((g) => `${g.name}:x:${g.gid}:\n`).join(""),
  };
}

/**
 * Reads nix/container-layout.json.
 *
 * @returns The layout.
 */
export async function containerLayout(): Promise<ContainerLayout> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/nix/container-layout.json`));
}

/**
 * sha256 over the files that go into an image (paths and contents), the Deno version and more
 * text that decides the image (another image's tag, a description), as 16 hex digits: the tag
 * of an image cached in podman's storage.
 *
 * @param files Absolute paths of the files.
 * @param extra More text that goes into the hash.
 * @returns The hash.
 */
export async function contentHash(files: string[], extra = ""): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(new TextEncoder().encode(`${f}\0`), await Deno.readFile(f));
  }
  parts.push(new TextEncoder().encode(Deno.version.deno));
  parts.push(new TextEncoder().encode(extra));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/**
 * Every file under a path, sorted.
 *
 * @param path A file or directory.
 * @returns Absolute paths of its files.
 */
export async function listFiles(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (info.isFile) return [path];
  const out: string[] = [];
  for await (const e of Deno.readDir(path)) out.push(...await listFiles(`${path}/${e.name}`));
  return out.sort();
}

async function cp(args: string[]): Promise<void> {
  const r = await run("cp", args);
  if (r.code !== 0) throw new Error(`cp ${args.join(" ")}: ${r.stderr}`);
}

/** Deno's npm cache on this machine. */
async function npmCache(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(decoder.decode(out.stdout)).npmCache;
}

let image: Promise<string> | undefined;

/** The test image's repository name in podman's storage. */
const IMAGE_REPO = "localhost/nimi-test-deploy-nimi";

/**
 * The nimi test image, built once per content (nimi's source, the example services, the
 * layout and the Deno version) and cached in podman's storage under that hash: nimi as the
 * entrypoint (`deno run` of mod.ts; arguments after the image name are nimi's), the Deno
 * runtime and the shared libraries it links, nimi's code and its dependency cache (compiled
 * once at build time), the example services' programs, and the directories, users and groups
 * of nix/container-layout.json (/etc/passwd and /etc/group as the Nix image has them). No
 * shell, no coreutils.
 *
 * @returns The image's tag.
 */
export function nimiImage(): Promise<string> {
  image ??= buildImage();
  return image;
}

async function buildImage(): Promise<string> {
  const sources = [
    ...APP_FILES,
    SERVICES_DIR,
    "nix/container-layout.json",
    "tests/harness/podman.ts",
  ];
  const files = (await Promise.all(sources.map((s) => listFiles(`${REPO_ROOT}/${s}`)))).flat();
  return await cachedImage(`${IMAGE_REPO}:${await contentHash(files)}`, build);
}

/**
 * An image built once per tag: when podman's storage has no image of that tag, `build` makes
 * it, under a lock directory in {@link HARNESS_DIR} (another test file that wants the same tag
 * at once waits for it); then the repository's images older than a day are removed.
 *
 * @param tag `repository:hash` (the hash from {@link contentHash}).
 * @param build Builds the image under `tag`.
 * @returns `tag`.
 */
export async function cachedImage(
  tag: string,
  build: (tag: string) => Promise<void>,
): Promise<string> {
  if ((await podman(["image", "exists", tag])).code === 0) return tag;

  const [repo, hash] = tag.split(":") as [string, string];
  const lock = `${HARNESS_DIR}/build-${repo.slice(repo.lastIndexOf("/") + 1)}-${hash}.lock`;
  await Deno.mkdir(HARNESS_DIR, { recursive: true });
  if (!await takeLock(lock)) {
    // Another test file builds the same image: wait for it.
    const end = Date.now() + 600_000;
    while (Date.now() < end) {
      if ((await podman(["image", "exists", tag])).code === 0) return tag;
      if (!await existsAsync(lock)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    if ((await podman(["image", "exists", tag])).code === 0) return tag;
    await takeLock(lock);
  }
  try {
    await build(tag);
    await pruneImages(repo);
    return tag;
  } finally {
    await Deno.remove(lock, { recursive: true }).catch(ignoreNotFound);
  }
}

/**
 * Removes a repository's test images built more than a day ago (other checkouts' source gives
 * other hashes, so they pile up). An image a container still uses is refused by podman and
 * stays: that refusal is expected and not an error of the test run.
 */
async function pruneImages(repo: string): Promise<void> {
  const old = await podman([
    "images",
    "--filter",
    `reference=${repo}:*`,
    "--filter",
    "until=24h",
    "--format",
    "{{.ID}}",
  ]);
  const ids = [...new Set(old.stdout.split("\n").filter((l) => l !== ""))];
  for (const id of ids) await podman(["rmi", id]);
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}

/** Takes a lock directory; a lock older than ten minutes is stale and taken over. */
async function takeLock(path: string): Promise<boolean> {
  try {
    await Deno.mkdir(path);
    return true;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    const age = Date.now() - ((await Deno.stat(path)).mtime?.getTime() ?? 0);
    if (age > 600_000) {
      await Deno.remove(path, { recursive: true }).catch(ignoreNotFound);
      return await takeLock(path);
    }
    return false;
  }
}

async function build(tag: string): Promise<void> {
  const stage = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "nimi-test-deploy-image-" });
  const base = `${tag}-base`;
  const warm = `nimi-test-deploy-warm-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const root = `${stage}/root`;
    await copyWithLibraries(root, Deno.execPath(), IMAGE.deno);
    await Deno.mkdir(`${root}/nimi/app`, { recursive: true });
    for (const f of APP_FILES) await cp(["-R", `${REPO_ROOT}/${f}`, `${root}/nimi/app/`]);
    await cp(["-R", `${REPO_ROOT}/${SERVICES_DIR}`, `${root}${IMAGE.services}`]);
    await Deno.mkdir(`${root}${IMAGE.denoDir}`, { recursive: true });
    await cp(["-R", await npmCache(), `${root}${IMAGE.denoDir}/npm`]);
    const layout = await containerLayout();
    for (const d of layout.directories) {
      await Deno.mkdir(`${root}${d.path}`, { recursive: true });
      await Deno.chmod(`${root}${d.path}`, parseInt(d.mode, 8));
    }
    const { passwd, group } = layoutFiles(layout);
    await Deno.mkdir(`${root}/etc`, { recursive: true });
    await Deno.writeTextFile(`${root}/etc/passwd`, passwd, { mode: 0o644 });
    await Deno.writeTextFile(`${root}/etc/group`, group, { mode: 0o644 });
    const tar = await run("tar", ["-C", root, "--numeric-owner", "-cf", `${stage}/root.tar`, "."]);
    if (tar.code !== 0) throw new Error(`tar: ${tar.stderr}`);
    const env = [
      `DENO_DIR=${IMAGE.denoDir}`,
      "DENO_NO_UPDATE_CHECK=1",
      "DENO_NO_PROMPT=1",
      "NO_COLOR=1",
    ];
    const entrypoint = JSON.stringify([IMAGE.deno, "run", "-A", "--cached-only", IMAGE.entry]);
    await podmanOk([
      "import",
      ...env.flatMap((e) => ["--change", `ENV ${e}`]),
      `${stage}/root.tar`,
      base,
    ], { timeoutMs: 300_000 });
    // Compile nimi's code and the services once, into the image's cache.
    const programs = (await listFiles(`${REPO_ROOT}/${SERVICES_DIR}`))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `${IMAGE.services}/${f.slice(`${REPO_ROOT}/${SERVICES_DIR}/`.length)}`);
    await podmanOk([
      "run",
      "--name",
      warm,
      "--network",
      "none",
      base,
      IMAGE.deno,
      "cache",
      IMAGE.entry,
      ...programs,
    ], { timeoutMs: 300_000 });
    await podmanOk([
      "commit",
      "--quiet",
      "--change",
      `ENTRYPOINT ${entrypoint}`,
      "--change",
      "CMD []",
      warm,
      tag,
    ], { timeoutMs: 300_000 });
  } finally {
    await podman(["rm", "--force", "--ignore", warm]);
    await podman(["rmi", "--force", "--ignore", base]);
    await Deno.remove(stage, { recursive: true });
  }
}
