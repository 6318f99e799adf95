/**
 * tests/fixtures/modular-services.json: what nixpkgs' lib/services makes of
 * tests/nix/fixtures/modular-services.nix (tests/nix/lib_services.nix), as pretty JSON. The
 * config and Nix tests read this copy; `NIXPKGS_LIB=... deno run -A
 * tests/nix/lib_services_fixture.ts` writes it again from the real nixpkgs lib.
 *
 * @module
 */
import { REPO_ROOT } from "../helpers/cli.ts";
import { nixInstantiate, withNix } from "./nix_env.ts";

/** The committed fixture. */
export const LIB_SERVICES_FIXTURE = `${REPO_ROOT}/tests/fixtures/modular-services.json`;

/**
 * Evaluates tests/nix/lib_services.nix with the nixpkgs lib in NIXPKGS_LIB.
 *
 * @returns The fixture's text (two-space JSON and a final newline), or throws with Nix's
 *   message when the evaluation fails.
 */
export async function generateLibServicesFixture(): Promise<string> {
  const r = await withNix((setup) =>
    nixInstantiate([
      "--eval",
      "--strict",
      "--json",
      `${REPO_ROOT}/tests/nix/lib_services.nix`,
      "--argstr",
      "root",
      setup.root,
    ])
  );
  if (r.code !== 0) throw new Error(`tests/nix/lib_services.nix failed:\n${r.stderr}`);
  return `${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`;
}

if (import.meta.main) {
  await Deno.writeTextFile(LIB_SERVICES_FIXTURE, await generateLibServicesFixture());
}
