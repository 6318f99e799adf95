/**
 * Every example runs in a real podman container laid out as its Nix image (mkContainerImage):
 * nimi is the entrypoint and PID 1 (no `--init`), and the root holds only what the image
 * description of tests/fixtures/images/<example>.json lists (the directories of
 * nix/container-layout.json with their modes, its /etc/passwd and /etc/group, its working
 * directory) and the closure its config names: the configData files at their /nix/store paths
 * and the programs (the example's shell and the programs its scripts name, python3 with its
 * standard library for the `layout-check` service), copied with their shared libraries. nimi
 * itself is the harness's runtime (tests/harness/podman.ts `nimiImage()`: Deno, nimi's code and
 * dependency cache) standing in for the nimi package. The `layout-check` service uses what needs
 * `/tmp` at run time: a configData file, a credential from a secret mounted at
 * /run/secrets/token, and a notify readiness probe. The same image without /tmp fails with
 * nimi's message, so the layout is what makes it work.
 *
 * The descriptions come from the Nix evaluation of the examples (tests/nix/image_fixtures.ts),
 * committed so that this runs where no nixpkgs lib is (CI); tests/nix/image_fixtures_test.ts
 * checks them against the evaluation where one is.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  cachedImage,
  containerLayout,
  contentHash,
  copyWithLibraries,
  IMAGE,
  nimiImage,
  podman,
  podmanOk,
} from "../harness/podman.ts";
import { readStat } from "../../src/pid1/proc.ts";
import { containerSkip, runImage } from "./helpers.ts";
import {
  exampleNames,
  EXPECTED,
  type ImageFixture,
  imageFixturePath,
  readImageFixture,
} from "../nix/image_fixtures.ts";

const skip = await containerSkip("tests/container/image_layout_test.ts");

const decoder = new TextDecoder();

/** Where the image keeps the config the Nix image's mkNimiBin wrapper passes to nimi. */
const CONFIG = "/nimi/config.json";

/** Runs a program here and returns its standard output; fails on a non-zero exit. */
async function output(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: exit ${out.code}: ${decoder.decode(out.stderr)}`);
  }
  return decoder.decode(out.stdout);
}

/**
 * The directories a program needs besides its binary and libraries, as its package's closure
 * holds them: python3's standard library (where the interpreter itself says it is).
 */
async function dataOf(program: string): Promise<string[]> {
  if (!/^python3/.test(program.slice(program.lastIndexOf("/") + 1))) return [];
  const paths = await output(program, [
    "-c",
    "import sysconfig; print(sysconfig.get_path('stdlib')); print(sysconfig.get_path('platstdlib'))",
  ]);
  return [...new Set(paths.split("\n").filter((p) => p !== ""))];
}

/** The root's files: programs, their data, store files, directories, /etc, the config. */
async function stageRoot(root: string, fixture: ImageFixture, drop: string[]): Promise<void> {
  for (const program of fixture.programs) {
    await copyWithLibraries(root, program, program);
    for (const dir of await dataOf(program)) {
      await Deno.mkdir(`${root}${dir.slice(0, dir.lastIndexOf("/"))}`, { recursive: true });
      await output("cp", ["-a", dir, `${root}${dir}`]);
    }
  }
  for (const [path, text] of Object.entries(fixture.store)) {
    await Deno.mkdir(`${root}${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${root}${path}`, text);
    await Deno.chmod(`${root}${path}`, 0o444);
  }
  for (const d of fixture.directories.filter((d) => !drop.includes(d.path))) {
    await Deno.mkdir(`${root}${d.path}`, { recursive: true });
    await Deno.chmod(`${root}${d.path}`, parseInt(d.mode, 8));
  }
  await Deno.mkdir(`${root}/etc`, { recursive: true });
  await Deno.writeTextFile(`${root}/etc/passwd`, fixture.passwd, { mode: 0o644 });
  await Deno.writeTextFile(`${root}/etc/group`, fixture.group, { mode: 0o644 });
  await Deno.mkdir(`${root}${CONFIG.slice(0, CONFIG.lastIndexOf("/"))}`, { recursive: true });
  await Deno.writeTextFile(`${root}${CONFIG}`, JSON.stringify(fixture.config), { mode: 0o444 });
}

/**
 * Builds the image: a container of the harness's nimi image in which Deno removes the test
 * image's own layout (nix/container-layout.json's directories, /etc/passwd, /etc/group), the
 * staged root copied in, committed with nimi (and the fixture's config) as entrypoint.
 */
async function build(tag: string, fixture: ImageFixture, drop: string[]): Promise<void> {
  const base = await nimiImage();
  const stage = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "nimi-test-imagelayout-" });
  const work = `nimi-test-imagelayout-build-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const root = `${stage}/root`;
    await stageRoot(root, fixture, drop);
    const own = [...(await containerLayout()).directories.map((d) => d.path), "/etc/passwd"];
    own.push("/etc/group");
    const remove = `for (const p of ${
      JSON.stringify(own)
    }) Deno.removeSync(p, { recursive: true });`;
    await podmanOk([
      "run",
      "--name",
      work,
      "--network",
      "none",
      "--entrypoint",
      IMAGE.deno,
      base,
      "eval",
      remove,
    ], { timeoutMs: 300_000 });
    await podmanOk(["cp", `${root}/.`, `${work}:/`], { timeoutMs: 300_000 });
    const entrypoint = [IMAGE.deno, "run", "-A", "--cached-only", IMAGE.entry];
    await podmanOk([
      "commit",
      "--quiet",
      "--change",
      `ENTRYPOINT ${JSON.stringify([...entrypoint, "--config", CONFIG, "run"])}`,
      "--change",
      "CMD []",
      "--change",
      `WORKDIR ${fixture.workingDir}`,
      work,
      tag,
    ], { timeoutMs: 300_000 });
  } finally {
    await podman(["rm", "--force", "--ignore", work]);
    await Deno.remove(stage, { recursive: true });
  }
}

/**
 * The image of one example, cached in podman's storage by the content that makes it: the
 * nimi image's tag, the fixture, this file, the programs and where their data is.
 *
 * @param example The example's file name.
 * @param drop Directories of the description left out (the negative check).
 * @returns The image's tag.
 */
async function layoutImage(example: string, drop: string[] = []): Promise<string> {
  const fixture = await readImageFixture(example);
  const base = await nimiImage();
  const data = await Promise.all(fixture.programs.map(dataOf));
  const files = [
    imageFixturePath(example),
    new URL(import.meta.url).pathname,
    ...await Promise.all(fixture.programs.map((p) => Deno.realPath(p))),
  ];
  const hash = await contentHash(files, JSON.stringify({ base, data, drop }));
  const variant = drop.length === 0 ? "" : `-without${drop.join("").replaceAll("/", "-")}`;
  const repo = `localhost/nimi-test-imagelayout-${example.replace(/\.nix$/, "")}${variant}`;
  return await cachedImage(`${repo}:${hash}`, (tag) => build(tag, fixture, drop));
}

/** A secret for /run/secrets/token, in a temporary directory; removed by `cleanUp`. */
async function secret(): Promise<{ file: string; cleanUp: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-imagelayout-secret-" });
  await Deno.writeTextFile(`${dir}/token`, "from-a-secret\n", { mode: 0o600 });
  return { file: `${dir}/token`, cleanUp: () => Deno.remove(dir, { recursive: true }) };
}

function containerName(example: string): string {
  return `nimi-test-imagelayout-${example.replace(/\.nix$/, "")}-${
    crypto.randomUUID().slice(0, 8)
  }`;
}

/** The image's directory modes, /etc files and top-level entries, read from its storage. */
async function imageRoot(
  image: string,
  paths: string[],
): Promise<{ modes: Record<string, string | null>; passwd: string; group: string }> {
  const mounted = (await podmanOk(["image", "mount", image])).trim();
  try {
    const modes: Record<string, string | null> = {};
    for (const p of paths) {
      try {
        const info = await Deno.lstat(`${mounted}${p}`);
        modes[p] = info.isDirectory ? (info.mode! & 0o7777).toString(8).padStart(4, "0") : "file";
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        modes[p] = null;
      }
    }
    return {
      modes,
      passwd: await Deno.readTextFile(`${mounted}/etc/passwd`),
      group: await Deno.readTextFile(`${mounted}/etc/group`),
    };
  } finally {
    await podman(["image", "unmount", image]);
  }
}

Deno.test({
  name: "every example runs as PID 1 of a podman container laid out as its Nix image",
  ignore: skip !== null,
  fn: async (t) => {
    const examples = exampleNames();
    assert.deepEqual(examples, Object.keys(EXPECTED).sort(), "examples changed: update EXPECTED");
    for (const example of examples) {
      await t.step(example, async () => {
        const fixture = await readImageFixture(example);
        const image = await layoutImage(example);
        const root = await imageRoot(image, fixture.directories.map((d) => d.path));
        for (const d of fixture.directories) {
          assert.equal(root.modes[d.path], d.mode.padStart(4, "0"), `${d.path} in the image`);
        }
        assert.equal(root.passwd, fixture.passwd);
        assert.equal(root.group, fixture.group);

        const token = await secret();
        const c = await runImage(image, {
          name: containerName(example),
          podmanArgs: ["-v", `${token.file}:/run/secrets/token:ro`],
          cleanUp: token.cleanUp,
        });
        try {
          await c.waitFor(EXPECTED[example]!, 120_000);
          await c.waitFor(/layout-check: conf=from-config-data token=from-a-secret/, 120_000);
          await c.waitFor(/layout-check: ready/, 120_000);
          const pid = await c.pid();
          const stat = readStat(pid);
          assert.ok(stat !== null, "PID 1 of the container is alive");
          assert.match(await Deno.readTextFile(`/proc/${pid}/status`), /^NSpid:\s+\d+\s+1$/m);
          assert.equal(stat.comm, "deno", "PID 1 is nimi (the Deno runtime), not an init");
          const argv = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
          assert.ok(argv.includes(IMAGE.entry), `PID 1 runs nimi: ${argv.join(" ")}`);
        } finally {
          await c.remove();
        }
      });
    }

    await t.step("the same image without /tmp fails with nimi's message", async () => {
      const image = await layoutImage("hello.nix", ["/tmp"]);
      assert.equal((await imageRoot(image, ["/tmp"])).modes["/tmp"], null, "/tmp is left out");
      const token = await secret();
      const c = await runImage(image, {
        name: containerName("hello-without-tmp"),
        podmanArgs: ["-v", `${token.file}:/run/secrets/token:ro`],
        cleanUp: token.cleanUp,
      });
      try {
        const waited = await podman(["wait", c.name], { timeoutMs: 120_000 });
        assert.equal(waited.code, 0, waited.stderr);
        const logs = await c.logs();
        assert.equal(
          waited.stdout.trim(),
          "2",
          `nimi's exit code for an environment error\n${logs}`,
        );
        assert.doesNotMatch(logs, /layout-check: conf/);
        assert.match(logs, /No such file or directory.*tmpdir/, logs);
      } finally {
        await c.remove();
      }
    });
  },
});
