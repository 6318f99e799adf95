/**
 * Every example runs in the layout of the image mkContainerImage builds for it, evaluated here
 * and now: a root with only the Nix store, what nix/container-layout.json lists (/tmp 1777,
 * /root 0700), the image's /etc/passwd and /etc/group, and a mounted secret, with one more
 * service that uses what needs /tmp at run time (a configData file, a credential, a notify
 * readiness probe; tests/nix/image_fixtures.ts). The root is made with bubblewrap from the
 * evaluated image description, with the host's /usr bound in for the examples' programs (the
 * minimal pkgs point them there). Without /tmp the same run fails, so the layout is what makes
 * it work. tests/container/image_layout_test.ts runs the same descriptions (committed as
 * tests/fixtures/images, checked against the evaluation by tests/nix/image_fixtures_test.ts) in
 * real podman containers whose root holds only the image's files, with nimi as PID 1.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { runUntil } from "./run_until.ts";
import { evalNimi, exists, nixSkipReason, printSkip, withNix } from "./nix_env.ts";
import { checkModule, exampleNames, EXPECTED } from "./image_fixtures.ts";

const reason = nixSkipReason();
if (reason !== null) printSkip("tests/nix/image_layout_test.ts (the image layout)", reason);

const decoder = new TextDecoder();

interface Image {
  config: unknown;
  passwd: string;
  group: string;
  directories: { path: string; mode: string }[];
  workingDir: string;
}

function denoDir(): string {
  const out = new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
    .outputSync();
  return (JSON.parse(decoder.decode(out.stdout)) as { denoDir: string }).denoDir;
}

/** Runs nimi as the image's entrypoint would, in a root laid out as the image. */
async function runInLayout(
  image: Image,
  dir: string,
  until: (out: string) => boolean,
): Promise<{ code: number; out: string }> {
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(image.config));
  await Deno.writeTextFile(`${dir}/passwd`, image.passwd);
  await Deno.writeTextFile(`${dir}/group`, image.group);
  await Deno.writeTextFile(`${dir}/token`, "from-a-secret\n");
  const layout = image.directories.flatMap((d) => ["--perms", d.mode, "--dir", d.path]);
  const args = [
    "--unshare-all",
    "--die-with-parent",
    "--tmpfs",
    "/",
    ...layout,
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--ro-bind",
    "/nix/store",
    "/nix/store",
    // The examples' programs and the Deno that runs nimi's code (the package's stand-in).
    ...[
      "--ro-bind",
      "/usr",
      "/usr",
      "--symlink",
      "usr/bin",
      "/bin",
      "--symlink",
      "usr/lib",
      "/lib",
    ],
    ...(exists("/lib64") ? ["--symlink", "usr/lib64", "/lib64"] : []),
    ...["--ro-bind", REPO_ROOT, REPO_ROOT, "--bind", denoDir(), denoDir()],
    ...["--ro-bind", Deno.execPath(), Deno.execPath()],
    ...["--ro-bind", `${dir}/passwd`, "/etc/passwd", "--ro-bind", `${dir}/group`, "/etc/group"],
    ...["--ro-bind", `${dir}/token`, "/run/secrets/token"],
    ...["--ro-bind", `${dir}/config.json`, "/config.json"],
    "--chdir",
    image.workingDir,
    "--setenv",
    "DENO_DIR",
    denoDir(),
    "--",
    Deno.execPath(),
    "run",
    "-A",
    `${REPO_ROOT}/mod.ts`,
    "--config",
    "/config.json",
    "run",
  ];
  // Only what the image's entrypoint would have.
  return await runUntil("bwrap", args, until, {
    clearEnv: true,
    env: { NO_COLOR: "1", PATH: "/usr/bin:/bin" },
    timeoutMs: 60_000,
  });
}

Deno.test({
  name: "every example runs in its image's layout with configData, a credential and notify",
  ignore: reason !== null,
  fn: async (t) => {
    const examples = exampleNames();
    assert.deepEqual(examples, Object.keys(EXPECTED).sort(), "examples changed: update EXPECTED");
    await withNix(async (setup) => {
      if (!setup.storeWritable) {
        printSkip("running the examples", "their configData files need a writable /nix/store");
        return;
      }
      for (const example of examples) {
        await t.step(example, async () => {
          const r = await evalNimi(setup, "image", `${REPO_ROOT}/examples/${example}`, {
            extraModule: checkModule(example),
          });
          assert.equal(r.code, 0, r.stderr);
          const image = JSON.parse(r.stdout) as Image;
          assert.deepEqual(image.directories.find((d) => d.path === "/tmp")?.mode, "1777");
          const dir = await Deno.makeTempDir({ prefix: "nimi-image-layout-" });
          try {
            const wanted = [EXPECTED[example]!, /layout-check: conf=/, /layout-check: ready/];
            const run = await runInLayout(image, dir, (out) => wanted.every((w) => w.test(out)));
            assert.match(run.out, EXPECTED[example]!);
            assert.match(run.out, /layout-check: conf=from-config-data token=from-a-secret/);
            assert.match(run.out, /layout-check: ready/);
          } finally {
            await Deno.remove(dir, { recursive: true });
          }
        });
      }

      await t.step("without /tmp the same service cannot start", async () => {
        const r = await evalNimi(setup, "image", `${REPO_ROOT}/examples/hello.nix`, {
          extraModule: checkModule("hello.nix"),
        });
        assert.equal(r.code, 0, r.stderr);
        const image = JSON.parse(r.stdout) as Image;
        image.directories = image.directories.filter((d) => d.path !== "/tmp");
        const dir = await Deno.makeTempDir({ prefix: "nimi-image-layout-" });
        try {
          const run = await runInLayout(image, dir, (out) => /layout-check: conf/.test(out));
          assert.doesNotMatch(run.out, /layout-check: conf/);
          assert.notEqual(run.code, 0, run.out);
          // nimi itself started and refused the service (not bwrap or Deno failing first).
          assert.match(run.out, /tmp/i);
          assert.doesNotMatch(run.out, /^bwrap:/m);
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    });
  },
});
