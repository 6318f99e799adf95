/**
 * The package's npm dependencies (nix/npm-deps.nix): every fetch it makes carries the integrity
 * hash deno.lock holds for that package, the URL and hash match the tarball the npm registry
 * serves, and a Deno cache laid out from those tarballs by nix/deno-npm-cache.sh (the script
 * the Nix build runs) lets nimi run with `--cached-only --frozen`. Also: no placeholder hash
 * (the lib helper for one, all A's, all zeros) anywhere in the repository.
 *
 * Runs on CI with the small lib of tests/nix/stubs/mini-lib.nix; with NIXPKGS_LIB set it also
 * evaluates npm-deps.nix with the real nixpkgs lib. The registry is reached through `npm`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { nixInstantiate, nixSkipReason, printSkip } from "./nix_env.ts";

interface NpmPackage {
  name: string;
  version: string;
  url: string;
  hash: string;
  fetch: { name: string; url: string; hash: string };
}

interface Evaluated {
  packages: NpmPackage[];
  cacheScript: string;
}

const decoder = new TextDecoder();

async function evaluate(libPath: string): Promise<Evaluated> {
  const r = await nixInstantiate([
    "--eval",
    "--strict",
    "--json",
    `${REPO_ROOT}/tests/nix/npm_deps.nix`,
    "--argstr",
    "libPath",
    libPath,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Evaluated;
}

/** name@version -> integrity, from deno.lock (peer-resolved copies folded into one). */
async function lockIntegrities(): Promise<Map<string, string>> {
  const lock = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.lock`)) as {
    npm?: Record<string, { integrity: string }>;
  };
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(lock.npm ?? {})) {
    const m = /^(@?[^@]+)@([^_]+)/.exec(key);
    assert.ok(m, `deno.lock: unreadable npm key "${key}"`);
    out.set(`${m[1]}@${m[2]}`, value.integrity);
  }
  return out;
}

async function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: opts.cwd ?? REPO_ROOT,
    env: opts.env ?? {},
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

async function sha512(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-512", await Deno.readFile(path));
  return `sha512-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`;
}

/** Runs `f` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

Deno.test("nix/npm-deps.nix fetches exactly deno.lock's packages with deno.lock's hashes", async (t) => {
  const lock = await lockIntegrities();
  const mini = await evaluate("");
  assert.ok(mini.packages.length > 0, "npm-deps.nix fetches nothing");

  await t.step("one fetch per locked package, with the lock's integrity", () => {
    const fetched = new Map(mini.packages.map((p) => [`${p.name}@${p.version}`, p]));
    assert.deepEqual([...fetched.keys()].sort(), [...lock.keys()].sort());
    for (const [id, p] of fetched) {
      assert.equal(p.hash, lock.get(id), `${id}: hash differs from deno.lock`);
      assert.equal(p.fetch.hash, p.hash, `${id}: fetchurl gets another hash`);
      assert.equal(p.fetch.url, p.url);
      assert.match(p.hash, /^sha512-[A-Za-z0-9+/]{86}==$/, `${id}: not a sha512 integrity`);
    }
  });

  const reason = nixSkipReason();
  if (reason !== null) printSkip("npm-deps.nix with the real nixpkgs lib", reason);
  await t.step({
    name: "the real nixpkgs lib gives the same fetches",
    ignore: reason !== null,
    fn: async () => {
      const env = Deno.env.get("NIXPKGS_LIB")!.replace(/\/lib\/?$/, "");
      const real = await evaluate(`${env}/lib`);
      assert.deepEqual(real.packages, mini.packages);
    },
  });

  const dir = await Deno.makeTempDir({ prefix: "nimi-npm-deps-" });
  try {
    await t.step("each URL and hash is what the npm registry serves", async () => {
      const specs = mini.packages.map((p) => `${p.name}@${p.version}`);
      // `npm pack` in six groups and one `npm view` per URL, side by side.
      const groups = Array.from({ length: 6 }, (_, i) => specs.filter((_, j) => j % 6 === i));
      const [packs, urls] = await Promise.all([
        pool(
          groups.filter((g) => g.length > 0),
          6,
          (group) =>
            run("npm", ["pack", "--json", "--pack-destination", dir, ...group], { cwd: dir }),
        ),
        pool(mini.packages, 10, async (p) => {
          const view = await run("npm", ["view", `${p.name}@${p.version}`, "dist.tarball"], {
            cwd: dir,
          });
          assert.equal(view.code, 0, view.out);
          return view.out.trim();
        }),
      ]);
      const tarballs = packs.flatMap((packed) => {
        assert.equal(packed.code, 0, `npm pack failed:\n${packed.out}`);
        return JSON.parse(packed.out.slice(packed.out.indexOf("["))) as {
          id: string;
          filename: string;
        }[];
      });
      const files = new Map(tarballs.map((x) => [x.id, `${dir}/${x.filename}`]));
      for (const [i, p] of mini.packages.entries()) {
        const id = `${p.name}@${p.version}`;
        assert.equal(p.url, urls[i], `${id}: the registry's tarball URL differs`);
        const file = files.get(id);
        assert.ok(file !== undefined, `npm pack gave no tarball for ${id}`);
        assert.equal(await sha512(file), p.hash, `${id}: the registry's tarball has another hash`);
      }
    });

    await t.step("nimi runs offline from a cache laid out by deno-npm-cache.sh", async () => {
      const cache = `${dir}/deno-dir`;
      const args = [`${REPO_ROOT}/nix/deno-npm-cache.sh`, cache];
      for (const p of mini.packages) {
        const file = `${dir}/${p.name.replace(/^@/, "").replace("/", "-")}-${p.version}.tgz`;
        args.push(p.name, p.version, file);
      }
      const laid = await run("sh", args);
      assert.equal(laid.code, 0, laid.out);
      const nimi = await run(Deno.execPath(), [
        "run",
        "--cached-only",
        "--frozen",
        "-A",
        `${REPO_ROOT}/mod.ts`,
        "--config",
        `${REPO_ROOT}/examples/demo.json`,
        "validate",
      ], { env: { DENO_DIR: cache, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" } });
      assert.equal(nimi.code, 0, nimi.out);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Built from pieces so that this file does not match itself.
const PLACEHOLDERS = [
  new RegExp("fake" + "(Hash|Sha256|Sha512)"),
  new RegExp("sha(256|512)-" + "A{20,}"),
  new RegExp("sha(256|512)[:-]" + "0{40,}"),
  new RegExp('"' + "A{43}=" + '"'),
];

Deno.test("no placeholder hash in any file of the repository", async () => {
  const listed = await run("git", ["ls-files", "--cached", "--others", "--exclude-standard"]);
  assert.equal(listed.code, 0, listed.out);
  const offenders: string[] = [];
  for (const file of listed.out.split("\n").filter((f) => f !== "")) {
    let text: string;
    try {
      text = await Deno.readTextFile(`${REPO_ROOT}/${file}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory) continue;
      throw e;
    }
    for (const re of PLACEHOLDERS) {
      const m = re.exec(text);
      if (m) offenders.push(`${file}: ${m[0]}`);
    }
  }
  assert.deepEqual(offenders, []);
});
