import assert from "node:assert/strict";
import {
  defaultSocketPath,
  ensurePrivateDir,
  instanceNameProblem,
} from "../../src/control/socket_path.ts";

Deno.test("defaultSocketPath(): XDG_RUNTIME_DIR, else /run/nimi as root, else a per-uid temp dir", () => {
  assert.equal(
    defaultSocketPath("web", { runtimeDir: "/run/user/1000", uid: 1000, tmpDir: "/tmp" }),
    "/run/user/1000/nimi/web.sock",
  );
  assert.equal(
    defaultSocketPath("default", { runtimeDir: null, uid: 0, tmpDir: "/tmp" }),
    "/run/nimi/default.sock",
  );
  assert.equal(
    defaultSocketPath("default", { runtimeDir: null, uid: 1000, tmpDir: "/tmp" }),
    "/tmp/nimi-1000/default.sock",
  );
});

Deno.test("instanceNameProblem() refuses names that would leave the directory", () => {
  assert.equal(instanceNameProblem("web-1.a_b"), null);
  for (const bad of ["", "../x", "a/b", ".hidden", "x".repeat(65)]) {
    assert.match(instanceNameProblem(bad) ?? "", /^--name must be letters/, bad);
  }
});

Deno.test("ensurePrivateDir() creates 0700 and refuses a directory open to others or a symlink", async () => {
  const base = await Deno.makeTempDir();
  try {
    await ensurePrivateDir(`${base}/nimi/x.sock`);
    assert.equal(((await Deno.lstat(`${base}/nimi`)).mode ?? 0) & 0o777, 0o700);
    await Deno.mkdir(`${base}/open`);
    await Deno.chmod(`${base}/open`, 0o755);
    await assert.rejects(ensurePrivateDir(`${base}/open/x.sock`), /is open to others \(mode 0755/);
    await Deno.symlink(`${base}/nimi`, `${base}/link`);
    await assert.rejects(ensurePrivateDir(`${base}/link/x.sock`), /is not a directory/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
