/**
 * The containers of the render tests (real systemd, OpenRC, docker-compose): their Debian image
 * (or why they cannot run here), and nimi inside them. No compiled nimi exists here (deno
 * compile cannot run), so a container gets this source tree at /srv/nimi and the Deno running
 * the tests at /nimi/bin/deno, both read-only, plus Deno's cache (nimi's npm dependencies) at
 * /nimi/deno-dir; a launcher script runs nimi from them, offline.
 *
 * @module
 */
import { debianImage } from "../harness/debian.ts";
import { podmanReason } from "../harness/podman.ts";
import { REPO_ROOT } from "./helpers.ts";

/**
 * The Debian image a container test runs, or why it cannot run here (no podman, not root, the
 * image does not build); the reason is printed as the test's one skip line.
 *
 * @param packages The Debian packages of the image.
 * @param test The test file's name, for the skip line.
 * @returns The image's tag ("" when skipped) and the reason (null when it runs).
 */
export async function debianImageOrReason(
  packages: readonly string[],
  test: string,
): Promise<{ image: string; reason: string | null }> {
  let reason = await podmanReason();
  if (reason === null && Deno.uid() !== 0) reason = "needs root for podman";
  let image = "";
  if (reason === null) {
    try {
      image = await debianImage(packages);
    } catch (e) {
      reason = `cannot build the Debian image: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (reason !== null) {
    Deno.stderr.writeSync(new TextEncoder().encode(`${test}: skipping: ${reason}\n`));
  }
  return { image, reason };
}

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
