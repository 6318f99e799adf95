/**
 * tests/fixtures/images/<example>.json: what mkContainerImage puts in the image of each
 * `examples/*.nix`, plus one more service (`layout-check`) that uses what needs `/tmp` at run
 * time (a configData file, a credential, a notify readiness probe), from the same Nix evaluation
 * tests/nix/image_layout_test.ts runs (tests/nix/eval.nix, `what = "image"`): nimi's config, the
 * root's directories, /etc/passwd, /etc/group and working directory, and what of the image's
 * closure the config refers to: the store files it names (configData sources, with their
 * contents) and the programs (the minimal pkgs of tests/nix/pkgs.nix point them at this
 * machine's /usr). tests/container/image_layout_test.ts builds a podman image from each, where
 * there is no nixpkgs lib to evaluate them; tests/nix/image_fixtures_test.ts checks that they
 * are what the evaluation gives today. Write them again with
 * `NIXPKGS_LIB=... deno run -A tests/nix/image_fixtures.ts`.
 *
 * @module
 */
import { REPO_ROOT } from "../helpers/cli.ts";
import { evalNimi, exists, withNix } from "./nix_env.ts";

/** Where the fixtures are. */
export const IMAGE_FIXTURES_DIR = `${REPO_ROOT}/tests/fixtures/images`;

/** The service added to each example: configData, a credential and a notify probe. */
export const CHECK_SERVICE = {
  services: {
    "layout-check": {
      process: {
        argv: [
          "/usr/bin/python3",
          "-c",
          [
            "import os, socket",
            "conf = open(os.environ['XDG_CONFIG_HOME'] + '/check.conf').read().strip()",
            "token = open(os.environ['CREDENTIALS_DIRECTORY'] + '/token').read().strip()",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "s.sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])",
            "print('layout-check: conf=' + conf + ' token=' + token, flush=True)",
            "import time; time.sleep(60)",
          ].join("\n"),
        ],
      },
      configData: { "check.conf": { text: "from-config-data\n" } },
      nimi: {
        credentials: { token: "/run/secrets/token" },
        readiness: { type: "notify" },
      },
    },
  },
};

/**
 * The examples' services that wait for `layout-check` to be ready: web-stack's db ends after a
 * second, and with it the run (nimi stops the rest), which would race with a slow start of the
 * check service on a loaded machine.
 */
const WAIT_FOR_CHECK: Record<string, string[]> = { "web-stack.nix": ["db"] };

/**
 * The module added to an example: {@link CHECK_SERVICE}, and `dependsOn` on it for the
 * services of {@link WAIT_FOR_CHECK}.
 *
 * @param example The example's file name.
 * @returns The module, as JSON for tests/nix/eval.nix's `extraModule`.
 */
export function checkModule(example: string): string {
  const services: Record<string, unknown> = { ...CHECK_SERVICE.services };
  for (const name of WAIT_FOR_CHECK[example] ?? []) {
    services[name] = { nimi: { dependsOn: { "layout-check": "ready" } } };
  }
  return JSON.stringify({ services });
}

/** What each example prints once it has run (tests/nix/examples_test.ts's expectations). */
export const EXPECTED: Record<string, RegExp> = {
  "hello.nix": /hello from nimi/,
  "reusable-service.nix": /port 7002: bonjour/,
  "web-stack.nix": /web: serving on port 8080/,
};

/** One example's image, as tests/nix/eval.nix describes it (`what = "image"`). */
export interface ImageDescription {
  /** nimi's config (what the image's mkNimiBin wrapper passes with `--config`). */
  config: unknown;
  /** /etc/passwd. */
  passwd: string;
  /** /etc/group. */
  group: string;
  /** Directories at the root with their octal modes (nix/container-layout.json's). */
  directories: { path: string; mode: string }[];
  /** The image's working directory. */
  workingDir: string;
  /** The image's entrypoint (the wrapper, under the stand-in nimi package's path). */
  entrypoint: string[];
}

/** A committed fixture: the description and what of the closure its config names. */
export interface ImageFixture extends ImageDescription {
  /** Where it comes from, and how to write it again. */
  description: string;
  /** The example file, relative to the repository. */
  example: string;
  /** Each /nix/store file the config names, with its contents. */
  store: Record<string, string>;
  /** Each program the config names by absolute path (on this machine's /usr or /bin). */
  programs: string[];
}

/**
 * The example files, sorted by name.
 *
 * @returns Their file names (`hello.nix`, ...).
 */
export function exampleNames(): string[] {
  return [...Deno.readDirSync(`${REPO_ROOT}/examples`)]
    .filter((e) => e.isFile && e.name.endsWith(".nix")).map((e) => e.name).sort();
}

/**
 * The fixture's path for an example.
 *
 * @param example Its file name (`hello.nix`).
 * @returns `tests/fixtures/images/hello.json`, absolute.
 */
export function imageFixturePath(example: string): string {
  return `${IMAGE_FIXTURES_DIR}/${example.replace(/\.nix$/, "")}.json`;
}

/**
 * Reads a committed fixture.
 *
 * @param example The example's file name.
 * @returns The fixture.
 */
export async function readImageFixture(example: string): Promise<ImageFixture> {
  return JSON.parse(await Deno.readTextFile(imageFixturePath(example)));
}

/** Every string in a JSON value. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

/** configData `source` -> `text` over every service, at every nesting level. */
function configDataTexts(services: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of Object.values(services) as Record<string, unknown>[]) {
    const files = (s.configData ?? {}) as Record<string, { source?: string; text?: string }>;
    for (const f of Object.values(files)) {
      if (typeof f.source === "string" && typeof f.text === "string") out.set(f.source, f.text);
    }
    for (const [k, v] of configDataTexts((s.services ?? {}) as Record<string, unknown>)) {
      out.set(k, v);
    }
  }
  return out;
}

/**
 * What of the image's closure a config names, found as Nix finds references: store paths
 * (`/nix/store/<hash>-<name>`) and, since the minimal pkgs point packages at /usr, absolute
 * paths of programs under /bin and /usr/bin, anywhere in the config's strings (an argv, a
 * script). A store file's contents are read from the store when the evaluation wrote it there,
 * else taken from the configData entry whose source it is.
 *
 * @param config nimi's config.
 * @returns The store files with their contents and the programs, sorted.
 */
export function closureOf(config: unknown): { store: Record<string, string>; programs: string[] } {
  const all = strings(config);
  const storePaths = new Set(
    all.flatMap((s) =>
      [...s.matchAll(/\/nix\/store\/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+/g)].map((m) => m[0])
    ),
  );
  const programs = new Set(
    all.flatMap((s) =>
      [...s.matchAll(/(?:^|[\s"'`;|&(])((?:\/usr)?\/bin\/[A-Za-z0-9._+-]+)/g)].map((m) => m[1]!)
    ),
  );
  const texts = configDataTexts(
    ((config as { services?: Record<string, unknown> }).services) ?? {},
  );
  const store: Record<string, string> = {};
  for (const path of [...storePaths].sort()) {
    const text = exists(path) ? Deno.readTextFileSync(path) : texts.get(path);
    if (text === undefined) {
      throw new Error(`${path}: the config names this store path, which has no contents here`);
    }
    store[path] = text;
  }
  return { store, programs: [...programs].sort() };
}

/**
 * Evaluates one example's image with the nixpkgs lib in NIXPKGS_LIB.
 *
 * @param example The example's file name.
 * @returns The fixture's text (two-space JSON and a final newline), or throws with Nix's
 *   message when the evaluation fails.
 */
export async function generateImageFixture(example: string): Promise<string> {
  const r = await withNix((setup) =>
    evalNimi(setup, "image", `${REPO_ROOT}/examples/${example}`, {
      extraModule: checkModule(example),
    })
  );
  if (r.code !== 0) throw new Error(`examples/${example}: evaluation failed:\n${r.stderr}`);
  const image = JSON.parse(r.stdout) as ImageDescription;
  const fixture: ImageFixture = {
    description: `The image of examples/${example} with the layout-check service ` +
      "(tests/nix/image_fixtures.ts); write it again with " +
      "`NIXPKGS_LIB=... deno run -A tests/nix/image_fixtures.ts`.",
    example: `examples/${example}`,
    ...image,
    ...closureOf(image.config),
  };
  return `${JSON.stringify(fixture, null, 2)}\n`;
}

if (import.meta.main) {
  await Deno.mkdir(IMAGE_FIXTURES_DIR, { recursive: true });
  for (const example of exampleNames()) {
    await Deno.writeTextFile(imageFixturePath(example), await generateImageFixture(example));
  }
}
