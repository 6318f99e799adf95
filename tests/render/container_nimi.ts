/**
 * nimi inside the containers of the render tests (real systemd, OpenRC, docker-compose): no
 * compiled nimi exists here (deno compile cannot run), so a container gets this source tree at
 * /srv/nimi and the Deno running the tests at /nimi/bin/deno, both read-only, plus Deno's cache
 * (nimi's npm dependencies) at /nimi/deno-dir; a launcher script runs nimi from them, offline.
 *
 * @module
 */
import { REPO_ROOT } from "./helpers.ts";

/** Where this source tree is inside the container. */
export const CONTAINER_SRC = "/srv/nimi";

/** Where Deno's cache is expected inside the container (mount {@link denoCacheDir} there). */
export const CONTAINER_DENO_DIR = "/nimi/deno-dir";

/** The `nimi` launcher for inside the container (install it as an executable file). */
export const CONTAINER_NIMI =
  `#!/bin/sh\nDENO_DIR=${CONTAINER_DENO_DIR} DENO_NO_UPDATE_CHECK=1 exec /nimi/bin/deno run -A ` +
  `--quiet --cached-only ${CONTAINER_SRC}/mod.ts "$@"\n`;

/**
 * The read-only mounts (`host:container:ro`, as podman's `-v` and compose's `volumes` take them)
 * of this tree and the Deno running the tests.
 *
 * @returns The two mounts (Deno's cache is the caller's: read-only, or a writable copy).
 */
export function containerNimiMounts(): string[] {
  return [`${REPO_ROOT}:${CONTAINER_SRC}:ro`, `${Deno.execPath()}:/nimi/bin/deno:ro`];
}

/**
 * The host's Deno cache directory (`deno info --json`), which holds nimi's npm dependencies.
 *
 * @returns Its absolute path.
 */
export async function denoCacheDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir as string;
}
