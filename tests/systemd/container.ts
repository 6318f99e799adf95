/**
 * What the real-systemd tests share: one Debian container per test file with systemd as PID 1,
 * this checkout and the Deno running the tests bind-mounted read-only (nimi runs from source,
 * as `deno run`), a `bin/<name>` wrapper like the one `mkNimiBinWithConfig` writes, and small
 * readers of `systemctl show` and the journal.
 *
 * @module
 */
import { REPO_ROOT } from "../helpers/cli.ts";
import { type SystemdContainer, systemdContainerOrReason } from "../harness/debian.ts";

/** Packages of the image besides systemd: a user bus and logind for the lingering user. */
export const EXTRA_PACKAGES: readonly string[] = ["dbus-user-session", "libpam-systemd"];

/** Where the checkout and Deno appear in the container. */
export const MOUNTS = { app: "/nimi/app", deno: "/nimi/bin/deno" } as const;

/**
 * Boots this file's container, or says why it cannot (then printed once).
 *
 * @param file The test file, for the skip line and the container's name.
 * @returns The container, or the reason.
 */
export async function bootForNimi(file: string): Promise<SystemdContainer | string> {
  const name = `nimi-test-systemd-${file.replace(/[^a-z0-9]+/gi, "-")}-${Deno.pid}`;
  const result = await systemdContainerOrReason(EXTRA_PACKAGES, {
    name,
    volumes: [`${REPO_ROOT}:${MOUNTS.app}:ro`, `${Deno.execPath()}:${MOUNTS.deno}:ro`],
  });
  if (typeof result === "string") {
    Deno.stderr.writeSync(new TextEncoder().encode(`skipped: tests/systemd/${file}: ${result}\n`));
  }
  return result;
}

/**
 * The wrapper `mkNimiBinWithConfig` makes (`exec nimi --config FILE run "$@"`), with nimi as
 * `deno run` of the mounted checkout. `--cached-only`: `nimi run` needs nothing from npm, and
 * the container has no network.
 *
 * @param config The config's path in the container.
 * @param denoDir A writable DENO_DIR (shell words allowed: `$HOME/.cache/nimi-deno`).
 * @returns The script.
 */
export function nimiWrapper(config: string, denoDir: string): string {
  return `#!/bin/sh
export DENO_DIR="${denoDir}"
exec ${MOUNTS.deno} run -A --cached-only ${MOUNTS.app}/mod.ts --config ${config} run "$@"
`;
}

/**
 * Writes a file in the container.
 *
 * @param c The container.
 * @param path Where.
 * @param text What.
 * @param options Mode, and a user to write it as.
 */
export async function writeIn(
  c: SystemdContainer,
  path: string,
  text: string,
  options: { mode?: string; user?: string } = {},
): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  await c.execOk(
    [
      "sh",
      "-c",
      `mkdir -p "$1" && cat >"$2" && chmod ${options.mode ?? "644"} "$2"`,
      "sh",
      dir,
      path,
    ],
    { stdin: text, ...(options.user === undefined ? {} : { user: options.user }) },
  );
}

/** How to reach a systemd instance: the system one, or a user's. */
export interface Manager {
  /** `systemctl` and its scope flag. */
  systemctl: string[];
  /** Who runs `systemctl` (the user for `--user`). */
  user?: string;
  /** Environment for `systemctl --user`. */
  env?: Record<string, string>;
}

/** The system manager. */
export const SYSTEM: Manager = { systemctl: ["systemctl"] };

/**
 * Runs systemctl against a manager.
 *
 * @param c The container.
 * @param m The manager.
 * @param args systemctl's arguments.
 * @returns Exit code and output.
 */
export function systemctl(
  c: SystemdContainer,
  m: Manager,
  args: string[],
): ReturnType<SystemdContainer["exec"]> {
  return c.exec([...m.systemctl, ...args], {
    ...(m.user === undefined ? {} : { user: m.user }),
    ...(m.env === undefined ? {} : { env: m.env }),
  });
}

/**
 * Reads unit properties.
 *
 * @param c The container.
 * @param m The manager.
 * @param unit The unit.
 * @param props Property names.
 * @returns Their values.
 */
export async function show(
  c: SystemdContainer,
  m: Manager,
  unit: string,
  props: string[],
): Promise<Record<string, string>> {
  const r = await systemctl(c, m, ["show", unit, ...props.map((p) => `--property=${p}`)]);
  if (r.code !== 0) throw new Error(`systemctl show ${unit}: ${r.stderr}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Reads journal entries as root, one JSON object each.
 *
 * @param c The container.
 * @param matches journalctl arguments (`-u X`, `-t X`, `-p err`, `FIELD=value`).
 * @returns The entries' `MESSAGE`, `PRIORITY`, `_PID` and monotonic time (µs), in order.
 */
export async function journal(
  c: SystemdContainer,
  matches: string[],
): Promise<{ message: string; priority: string; pid: string; mono: number }[]> {
  const out = await c.execOk(["journalctl", "--no-pager", "-o", "json", ...matches]);
  return out.split("\n").filter((l) => l !== "").map((l) => {
    const e = JSON.parse(l) as {
      MESSAGE?: unknown;
      PRIORITY?: string;
      _PID?: string;
      __MONOTONIC_TIMESTAMP?: string;
    };
    const message = typeof e.MESSAGE === "string"
      ? e.MESSAGE
      : Array.isArray(e.MESSAGE)
      ? new TextDecoder().decode(new Uint8Array(e.MESSAGE as number[]))
      : "";
    return {
      message,
      priority: e.PRIORITY ?? "",
      pid: e._PID ?? "",
      mono: Number(e.__MONOTONIC_TIMESTAMP ?? 0),
    };
  });
}

/**
 * Waits until `check` returns a value other than null.
 *
 * @param what Named in the timeout error.
 * @param check Polled every 100 ms.
 * @param ms How long to wait.
 * @returns The value.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== null) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

/**
 * The notifications systemd received from a unit's main process, from its debug log ("Got
 * notification message from PID N (READY=1, STATUS=...)"): the manager's log level must be
 * `debug` (`systemd-analyze log-level debug`).
 *
 * @param c The container.
 * @param matches Selects the manager's messages about the unit (`UNIT=x.service`).
 * @returns Each message's fields, in order.
 */
export async function notifications(c: SystemdContainer, matches: string[]): Promise<string[]> {
  const entries = await journal(c, matches);
  const out: string[] = [];
  for (const { message } of entries) {
    const m = /Got notification message from PID \d+ \((.*)\)$/.exec(message);
    if (m) out.push(m[1]!);
  }
  return out;
}
