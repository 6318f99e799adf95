/**
 * Init mode as a container's entrypoint: an image run with
 * `ENTRYPOINT ["nimi", "--", PROGRAM...]` (here `podman run --entrypoint` with that JSON list
 * on the test image of tests/harness/podman.ts) runs the program with nimi as PID 1, its output
 * unchanged, and `podman stop` gives the program's own exit status: its code when it handles
 * SIGTERM, 143 when SIGTERM's default action ends it (what tini reports).
 */
import assert from "node:assert/strict";
import { IMAGE, nimiImage, podman, podmanOk, podmanReason } from "../harness/podman.ts";
import { REPO } from "./helpers.ts";

const skip = await podmanReason();
if (skip !== null) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`skipped: tests/init/container_test.ts: ${skip}\n`),
  );
}

const FIXTURES = `${REPO}tests/init/fixtures`;

async function stopGives(arg: string, expected: number): Promise<void> {
  const image = await nimiImage();
  const name = `nimi-test-init-${crypto.randomUUID().slice(0, 12)}`;
  const entrypoint = JSON.stringify([
    IMAGE.deno,
    "run",
    "-A",
    "--cached-only",
    IMAGE.entry,
    "--",
    IMAGE.deno,
    "run",
    "--cached-only",
    "/init/term_exit.js",
    arg,
  ]);
  try {
    await podmanOk([
      "run",
      "-d",
      "--name",
      name,
      "--network",
      "none",
      "-v",
      `${FIXTURES}:/init:ro`,
      "--entrypoint",
      entrypoint,
      image,
    ]);
    let logs = "";
    const end = Date.now() + 60_000;
    while (!/^ready pid=\d+$/m.test(logs)) {
      if (Date.now() > end) throw new Error(`${name}: never ready:\n${logs}`);
      await new Promise((r) => setTimeout(r, 100));
      const r = await podman(["logs", name]);
      logs = r.stdout + r.stderr;
    }
    const top = await podmanOk(["top", name, "pid", "args"]);
    assert.match(top, /^\s*1\s+\S*deno run -A --cached-only \/nimi\/app\/mod\.ts --/m, top);
    await podmanOk(["stop", "--time", "10", name], { timeoutMs: 30_000 });
    const code = (await podmanOk(["inspect", "--format", "{{.State.ExitCode}}", name])).trim();
    const r = await podman(["logs", name]);
    logs = r.stdout + r.stderr;
    assert.equal(code, String(expected), `exit code (137 would be podman's SIGKILL)\n${logs}`);
    // The program's output, unchanged: no prefix, no lines of nimi's own.
    const expectedLogs = arg === "default"
      ? /^ready pid=\d+\n$/
      : /^ready pid=\d+\ngot SIGTERM, exiting \d+\n$/;
    assert.match(logs, expectedLogs);
  } finally {
    await podman(["rm", "--force", "--time", "0", name]);
  }
}

Deno.test({
  name: "ENTRYPOINT nimi -- program: podman stop gives the program's own exit code",
  ignore: skip !== null,
  fn: () => stopGives("7", 7),
});

Deno.test({
  name: "ENTRYPOINT nimi -- program: podman stop gives 143 when SIGTERM ends the program",
  ignore: skip !== null,
  fn: () => stopGives("default", 143),
});
