/**
 * Debian containers for the tests that need a real init system (systemd, OpenRC, s6-rc): a
 * bookworm root file system built by `mmdebstrap --variant=minbase` from Debian's packages and
 * imported into podman, cached by package list (the image in podman's storage, its tarball
 * under /var/tmp/nimi-test-images), and built once even when several test files ask at the same
 * time. {@link bootSystemd} runs one with systemd as PID 1.
 *
 * @module
 */
import { existsAsync } from "../helpers/files.ts";
import { HARNESS_DIR, podman, podmanReason, type PodmanResult } from "./podman.ts";

/** The Debian release the images are built from. */
export const DEBIAN_SUITE = "bookworm";

/** How long one image build may take before a waiting test file takes over its lock. */
const BUILD_TIMEOUT_MS = 600_000;

const building = new Map<string, Promise<string>>();

/**
 * A Debian image holding `packages` (and what minbase has: dash, coreutils, util-linux, apt).
 * Built at most once per package list on this machine: another test file asking for the same
 * list waits for the first one's build (a lock directory under /var/tmp/nimi-test-images).
 *
 * @param packages Debian package names (order and duplicates do not matter).
 * @returns The image's tag, `localhost/nimi-test-debian:<hash of the list>`.
 * @throws {Error} When mmdebstrap or podman import fails, with their output.
 * @example
 * ```ts
 * const image = await debianImage(["systemd", "systemd-sysv", "dbus"]);
 * ```
 */
export function debianImage(packages: readonly string[]): Promise<string> {
  const list = [...new Set(packages)].sort();
  for (const p of list) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(p)) {
      throw new RangeError(`Cannot build a Debian image with package "${p}": not a package name`);
    }
  }
  const key = list.join(",");
  let image = building.get(key);
  if (!image) {
    image = buildOnce(list);
    building.set(key, image);
  }
  return image;
}

async function hash(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

async function imageExists(tag: string): Promise<boolean> {
  return (await podman(["image", "exists", tag])).code === 0;
}

async function buildOnce(packages: string[]): Promise<string> {
  const id = await hash(`${DEBIAN_SUITE} minbase ${packages.join(",")}`);
  const tag = `localhost/nimi-test-debian:${id}`;
  if (await imageExists(tag)) return tag;
  await Deno.mkdir(HARNESS_DIR, { recursive: true });
  const lock = `${HARNESS_DIR}/debian-${id}.lock`;
  const end = Date.now() + BUILD_TIMEOUT_MS;
  while (!(await takeLock(lock))) {
    // Another test file builds it: wait for its image, or for its lock to go stale.
    if (await imageExists(tag)) return tag;
    if (Date.now() > end) throw new Error(`Debian image ${tag}: gave up waiting for ${lock}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    if (await imageExists(tag)) return tag;
    const tarball = `${HARNESS_DIR}/debian-${id}.tar`;
    if (!(await existsAsync(tarball))) await mmdebstrap(packages, tarball);
    const imported = await podman(["import", tarball, tag], { timeoutMs: 300_000 });
    if (imported.code !== 0) throw new Error(`podman import ${tarball}: ${describe(imported)}`);
    return tag;
  } finally {
    await Deno.remove(lock, { recursive: true }).catch(ignoreNotFound);
  }
}

async function mmdebstrap(packages: string[], tarball: string): Promise<void> {
  // mmdebstrap picks the output format from the name: keep ".tar" at the end.
  const partial = tarball.replace(/\.tar$/, `.${Deno.pid}.partial.tar`);
  const args = [
    "--variant=minbase",
    `--include=${packages.join(",")}`,
    "--quiet",
    DEBIAN_SUITE,
    partial,
  ];
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("mmdebstrap", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error("Cannot build a Debian image: mmdebstrap is not installed (tests/tools.sh)");
    }
    throw e;
  }
  if (out.code !== 0) {
    await Deno.remove(partial).catch(ignoreNotFound);
    const dec = new TextDecoder();
    throw new Error(
      `mmdebstrap ${args.join(" ")}: exit ${out.code}\n${dec.decode(out.stderr).slice(-4000)}`,
    );
  }
  await Deno.rename(partial, tarball);
}

function ignoreNotFound(e: unknown): void {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}

/**
 * Takes a lock directory holding its owner's pid. A lock whose owner is gone (a test run
 * interrupted mid-build) or older than the build timeout is stale and taken over.
 */
async function takeLock(path: string): Promise<boolean> {
  try {
    await Deno.mkdir(path);
    await Deno.writeTextFile(`${path}/pid`, String(Deno.pid));
    return true;
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    let age = 0;
    let owner = "";
    try {
      age = Date.now() - ((await Deno.stat(path)).mtime?.getTime() ?? 0);
      owner = (await Deno.readTextFile(`${path}/pid`)).trim();
    } catch (err) {
      ignoreNotFound(err);
      // Gone meanwhile, or its owner has not written its pid yet (then it is fresh).
      if (!(await existsAsync(path))) return takeLock(path);
    }
    const ownerGone = /^[0-9]+$/.test(owner) && !(await existsAsync(`/proc/${owner}`));
    if (!ownerGone && age <= BUILD_TIMEOUT_MS) return false;
    await Deno.remove(path, { recursive: true }).catch(ignoreNotFound);
    return takeLock(path);
  }
}

function describe(r: PodmanResult): string {
  return `exit ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`;
}

/** The packages a container with systemd as PID 1 needs. */
export const SYSTEMD_PACKAGES: readonly string[] = ["systemd", "systemd-sysv", "dbus"];

/** Options for {@link bootSystemd}. */
export interface BootOptions {
  /** The container's name; make it unique with your area (`nimi-test-<area>-...`). */
  name: string;
  /** `podman run -v` arguments (`/host:/container:ro`). */
  volumes?: string[];
  /** `podman run --network`. @default "none" */
  network?: string;
  /** How long the boot may take. @default 90000 */
  timeoutMs?: number;
}

/** A running container with systemd as PID 1. */
export interface SystemdContainer {
  /** The container's name. */
  name: string;
  /** What `systemctl is-system-running` said once the boot finished. */
  state: "running" | "degraded";
  /** Units that failed during boot (when `degraded`). */
  failedUnits: string;
  /**
   * Runs a command in the container (`podman exec`).
   *
   * @param args The command and its arguments.
   * @param opts `user` to run as, standard input, a timeout.
   * @returns Exit code and output.
   */
  exec(
    args: string[],
    opts?: { user?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number },
  ): Promise<PodmanResult>;
  /**
   * Like {@link SystemdContainer.exec}, but fails with the output when the command does.
   *
   * @param args The command and its arguments.
   * @param opts As for exec.
   * @returns Its standard output.
   */
  execOk(
    args: string[],
    opts?: { user?: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number },
  ): Promise<string>;
  /** Removes the container (`podman rm -f`). */
  remove(): Promise<void>;
}

/**
 * Boots `image` with systemd as PID 1 (`podman run -d --systemd=always IMAGE
 * /lib/systemd/systemd`) and waits until `systemctl is-system-running` says the boot finished.
 *
 * @param image An image from {@link debianImage} with {@link SYSTEMD_PACKAGES}.
 * @param options Name, volumes, timeout.
 * @returns The running container; `state` says `running` or `degraded`.
 * @throws {Error} When systemd does not finish booting, with its state and the container's
 *   log; the container is removed.
 */
export async function bootSystemd(image: string, options: BootOptions): Promise<SystemdContainer> {
  const { name } = options;
  await podman(["rm", "-f", "--time", "0", name]);
  const args = ["run", "-d", "--name", name, "--systemd=always"];
  args.push("--network", options.network ?? "none");
  for (const v of options.volumes ?? []) args.push("-v", v);
  const started = await podman([...args, image, "/lib/systemd/systemd"]);
  if (started.code !== 0) throw new Error(`podman run ${image}: ${describe(started)}`);
  const execArgs = (
    command: string[],
    opts: { user?: string; env?: Record<string, string>; stdin?: string } = {},
  ) => {
    const a = ["exec"];
    if (opts.stdin !== undefined) a.push("-i");
    if (opts.user !== undefined) a.push("--user", opts.user);
    for (const [k, v] of Object.entries(opts.env ?? {})) a.push("--env", `${k}=${v}`);
    return [...a, name, ...command];
  };
  const container: SystemdContainer = {
    name,
    state: "running",
    failedUnits: "",
    exec: (command, opts = {}) =>
      podman(execArgs(command, opts), {
        ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }),
        timeoutMs: opts.timeoutMs ?? 60_000,
      }),
    execOk: async (command, opts = {}) => {
      const r = await container.exec(command, opts);
      if (r.code !== 0) throw new Error(`in ${name}: ${command.join(" ")}: ${describe(r)}`);
      return r.stdout;
    },
    remove: async () => {
      await podman(["rm", "-f", "--time", "0", name]);
    },
  };
  const timeoutMs = options.timeoutMs ?? 90_000;
  const end = Date.now() + timeoutMs;
  let state = "";
  while (Date.now() < end) {
    // --wait returns once the boot finished (or at once when it already has).
    const r = await container.exec(["systemctl", "is-system-running", "--wait"], {
      timeoutMs: Math.max(1000, end - Date.now()),
    });
    state = r.stdout.trim();
    if (state === "running" || state === "degraded") {
      container.state = state;
      if (state === "degraded") {
        container.failedUnits = (await container.exec(["systemctl", "--failed", "--plain"]))
          .stdout;
      }
      return container;
    }
    // Before systemd's bus is up, systemctl fails at once: try again shortly.
    await new Promise((r) => setTimeout(r, 200));
  }
  const logs = await podman(["logs", name]);
  await container.remove();
  throw new Error(
    `systemd in ${image} did not finish booting within ${timeoutMs} ms (state "${state}"):\n` +
      logs.stdout.slice(-3000) + logs.stderr.slice(-1000),
  );
}

/**
 * Builds the image and boots it, or says why a systemd container cannot run here (no podman,
 * not root, no mmdebstrap, no network for Debian's mirror, systemd failing to boot). Test files
 * call it once at load time and pass a string to `ignore:` (printing it).
 *
 * @param packages Packages besides {@link SYSTEMD_PACKAGES}.
 * @param options As for {@link bootSystemd}.
 * @returns The booted container, or the reason as a string.
 */
export async function systemdContainerOrReason(
  packages: readonly string[],
  options: BootOptions,
): Promise<SystemdContainer | string> {
  const reason = await podmanReason();
  if (reason !== null) return reason;
  let image: string;
  try {
    image = await debianImage([...SYSTEMD_PACKAGES, ...packages]);
  } catch (e) {
    return `cannot build the Debian image: ${e instanceof Error ? e.message : String(e)}`;
  }
  try {
    return await bootSystemd(image, options);
  } catch (e) {
    return `systemd cannot boot in a container here: ${e instanceof Error ? e.message : String(e)}`;
  }
}
