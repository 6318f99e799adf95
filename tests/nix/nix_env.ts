/**
 * What the Nix tests need from the machine: `nix-instantiate`, nixpkgs' lib (from NIXPKGS_LIB)
 * laid out as a nixpkgs tree with the two stand-ins `lib/services/service.nix` imports from
 * outside lib/, and a way to evaluate tests/nix/eval.nix to JSON.
 *
 * @module
 */
import { exists } from "../helpers/files.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

/** A nixpkgs tree the evaluation tests can use. */
export interface NixSetup {
  /** Directory laid out like nixpkgs (lib/, modules/generic/, nixos/modules/misc/). */
  root: string;
  /** Whether `root` is a temporary tree to remove afterwards. */
  temporary: boolean;
  /** Whether `nix-instantiate --read-write-mode` writes files into /nix/store here. */
  storeWritable: boolean;
}

/** The result of one `nix-instantiate` call. */
export interface NixResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

const decoder = new TextDecoder();

let stateDir: string | undefined;

/**
 * Nix's state directory for a user other than root: Debian's Nix wants to create
 * /nix/var/nix/profiles/per-user even to parse a file, which only root may. Others get a
 * private state directory (removed when the test file ends).
 */
function nixStateEnv(): Record<string, string> {
  if (Deno.uid() === 0) return {};
  if (stateDir === undefined) {
    const dir = Deno.makeTempDirSync({ prefix: "nimi-nix-state-" });
    stateDir = dir;
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  }
  return { NIX_STATE_DIR: stateDir };
}

/**
 * Runs nix-instantiate with the given arguments in the repository root.
 *
 * @param args Arguments after `nix-instantiate`.
 * @param env More environment variables (for impure evaluations that read them).
 * @returns Exit code and output.
 */
export async function nixInstantiate(
  args: string[],
  env: Record<string, string> = {},
): Promise<NixResult> {
  const out = await new Deno.Command("nix-instantiate", {
    args,
    cwd: REPO_ROOT,
    env: { ...nixStateEnv(), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

export { exists };

function libBase(env: string): string {
  return env.replace(/\/lib\/?$/, "");
}

/**
 * Why the evaluation tests cannot run here, or null when they can.
 *
 * @param env NIXPKGS_LIB's value (undefined when unset).
 * @returns A reason to print, or null.
 */
export function nixSkipReason(
  env: string | undefined = Deno.env.get("NIXPKGS_LIB"),
): string | null {
  if (env === undefined || env === "") {
    return "NIXPKGS_LIB is not set: set it to a checkout of " +
      "https://github.com/nix-community/nixpkgs.lib (or of nixpkgs) to evaluate the Nix side";
  }
  if (!exists(`${libBase(env)}/lib/default.nix`)) {
    return `NIXPKGS_LIB="${env}" has no lib/default.nix: point it at a nixpkgs.lib checkout`;
  }
  return null;
}

/**
 * Why the tests that read a checkout of the Rust Nimi (NIMI_RUST_NIMI) cannot run here, or null
 * when they can.
 *
 * @param dir NIMI_RUST_NIMI's value (undefined when unset).
 * @param needs The part of the checkout the test reads (`docs`, `examples`).
 * @returns A reason to print, or null.
 */
export function rustNimiSkipReason(dir: string | undefined, needs: string): string | null {
  return dir === undefined || !exists(`${dir}/${needs}`)
    ? "NIMI_RUST_NIMI is not set to a checkout of https://github.com/weyl-ai/nimi"
    : null;
}

/**
 * Prepares the nixpkgs tree from NIXPKGS_LIB, runs `fn` with it and removes what it made: a
 * full nixpkgs checkout is used as it is; a nixpkgs.lib checkout (only lib/) gets a temporary
 * tree with links to its lib/ and to the stand-ins in tests/nix/stubs.
 *
 * @param fn What to do with the tree.
 * @param env NIXPKGS_LIB's value.
 * @returns What `fn` returns.
 */
export async function withNix<T>(
  fn: (setup: NixSetup) => Promise<T>,
  env: string | undefined = Deno.env.get("NIXPKGS_LIB"),
): Promise<T> {
  const reason = nixSkipReason(env);
  if (reason !== null || env === undefined) throw new Error(`withNix(): ${reason}`);
  const base = libBase(env);
  let root = base;
  const temporary = !exists(`${base}/modules/generic/meta-maintainers.nix`);
  if (temporary) {
    root = await Deno.makeTempDir({ prefix: "nimi-nixpkgs-" });
    await Deno.symlink(`${base}/lib`, `${root}/lib`);
    await Deno.symlink(`${REPO_ROOT}/tests/nix/stubs/modules`, `${root}/modules`);
    await Deno.symlink(`${REPO_ROOT}/tests/nix/stubs/nixos`, `${root}/nixos`);
  }
  try {
    return await fn({ root, temporary, storeWritable: await storeIsWritable() });
  } finally {
    if (temporary) await Deno.remove(root, { recursive: true });
  }
}

async function storeIsWritable(): Promise<boolean> {
  const probe = await nixInstantiate([
    "--read-write-mode",
    "--eval",
    "--json",
    "-E",
    `builtins.toFile "nimi-store-probe" "nimi"`,
  ]);
  if (probe.code !== 0) return false;
  return exists(JSON.parse(probe.stdout) as string);
}

/**
 * Evaluates tests/nix/eval.nix to JSON.
 *
 * @param setup From {@link nixSetup}, with a root.
 * @param what What to evaluate (see tests/nix/eval.nix).
 * @param module Absolute path of a nimi module file (a NixOS module for "nixos" and "home").
 * @param extra More `--argstr` arguments of eval.nix (nimiDir, extraModule).
 * @returns The nix-instantiate result.
 */
export function evalNimi(
  setup: NixSetup,
  what:
    | "config"
    | "options"
    | "lib"
    | "nixos"
    | "home"
    | "overlay"
    | "flake"
    | "flake-parts"
    | "vm"
    | "image",
  module?: string,
  extra: Record<string, string> = {},
): Promise<NixResult> {
  const args = [
    "--eval",
    "--strict",
    "--json",
    `${REPO_ROOT}/tests/nix/eval.nix`,
    "--argstr",
    "root",
    setup.root,
    "--argstr",
    "what",
    what,
  ];
  if (setup.storeWritable) args.unshift("--read-write-mode");
  if (module !== undefined) args.push("--argstr", "module", module);
  for (const [name, value] of Object.entries(extra)) args.push("--argstr", name, value);
  return nixInstantiate(args);
}

/**
 * Writes a skip reason where the test run shows it.
 *
 * @param what The tests skipped.
 * @param reason Why.
 */
export function printSkip(what: string, reason: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`skipped: ${what}: ${reason}\n`));
}

/**
 * Writes a stand-in for the nimi package: `<dir>/bin/nimi` runs this checkout's mod.ts with the
 * deno running the tests.
 *
 * @param dir The package directory to create.
 * @param deno The deno binary to run it with.
 * @returns `dir`.
 */
export async function writeNimiStandIn(dir: string, deno = Deno.execPath()): Promise<string> {
  await Deno.mkdir(`${dir}/bin`, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/bin/nimi`,
    `#!/bin/sh\nexec ${deno} run -A ${REPO_ROOT}/mod.ts "$@"\n`,
  );
  await Deno.chmod(`${dir}/bin/nimi`, 0o755);
  return dir;
}

/**
 * The path of a Deno release's binary, installed from npm by `npx -y deno@VERSION` (npm caches
 * it after the first call).
 *
 * @param version The Deno version.
 * @returns The binary's absolute path.
 */
export async function denoFromNpm(version: string): Promise<string> {
  const out = await new Deno.Command("npx", {
    args: ["-y", `deno@${version}`, "eval", "console.log(Deno.execPath())"],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (out.code !== 0) {
    throw new Error(`npx -y deno@${version} failed: ${decoder.decode(out.stderr)}`);
  }
  return decoder.decode(out.stdout).trim();
}

/**
 * Copies the scripts `writeScript` made in the minimal pkgs (tests/nix/pkgs.nix) to where their
 * paths point, executable: each `<nimiDir>/scripts/<store name>` named in `argv`.
 *
 * @param argv A service's `process.argv` from the JSON.
 * @param nimiDir The `nimiDir` the evaluation got.
 */
export async function installScripts(argv: string[], nimiDir: string): Promise<void> {
  for (const arg of argv) {
    if (!arg.startsWith(`${nimiDir}/scripts/`)) continue;
    const store = `/nix/store/${arg.slice(`${nimiDir}/scripts/`.length)}`;
    await Deno.mkdir(`${nimiDir}/scripts`, { recursive: true });
    await Deno.copyFile(store, arg);
    await Deno.chmod(arg, 0o755);
  }
}
