/**
 * Credentials: private copies, modes, ownership, CREDENTIALS_DIRECTORY, removal, and the error
 * for a missing source file.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CredentialError, prepareCredentials } from "../../src/supervisor/credentials.ts";
import { rootTest } from "../helpers/root.ts";

async function withSources(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/cert.pem`, "CERT\n");
    await Deno.writeTextFile(`${dir}/key.pem`, "KEY\n");
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("prepareCredentials() returns null for a service without credentials", async () => {
  assert.equal(await prepareCredentials({ name: "web", credentials: [] }), null);
});

Deno.test("prepareCredentials() copies each file into a 0700 directory with 0400 files", async () => {
  await withSources(async (src) => {
    const creds = await prepareCredentials({
      name: "web",
      credentials: [{ name: "cert", path: `${src}/cert.pem` }, {
        name: "key",
        path: `${src}/key.pem`,
      }],
    });
    assert.ok(creds !== null);
    try {
      assert.deepEqual(creds.environment, { CREDENTIALS_DIRECTORY: creds.dir });
      assert.match(creds.dir, /\/nimi-credentials-web-[^/]+$/);
      assert.equal((await Deno.stat(creds.dir)).mode! & 0o777, 0o700);
      assert.equal(await Deno.readTextFile(`${creds.dir}/cert`), "CERT\n");
      assert.equal(await Deno.readTextFile(`${creds.dir}/key`), "KEY\n");
      for (const f of ["cert", "key"]) {
        assert.equal((await Deno.stat(`${creds.dir}/${f}`)).mode! & 0o777, 0o400);
      }
      const names = [];
      for await (const e of Deno.readDir(creds.dir)) names.push(e.name);
      assert.deepEqual(names.sort(), ["cert", "key"]);
    } finally {
      await creds.remove();
    }
    await assert.rejects(Deno.stat(creds.dir), Deno.errors.NotFound);
    // The sources are untouched.
    assert.equal(await Deno.readTextFile(`${src}/cert.pem`), "CERT\n");
  });
});

rootTest(
  "prepareCredentials() gives the directory and files to the service's user",
  "it chowns the credentials",
  async () => {
    await withSources(async (src) => {
      const creds = await prepareCredentials(
        { name: "web", credentials: [{ name: "cert", path: `${src}/cert.pem` }] },
        { uid: 65534, gid: 65534 },
      );
      assert.ok(creds !== null);
      try {
        for (const p of [creds.dir, `${creds.dir}/cert`]) {
          const s = await Deno.stat(p);
          assert.deepEqual([s.uid, s.gid], [65534, 65534], p);
        }
        const read = await new Deno.Command("/bin/sh", {
          args: ["-c", `cat "$CREDENTIALS_DIRECTORY/cert"`],
          env: creds.environment,
          uid: 65534,
          gid: 65534,
          // As nobody the checkout (maybe under /root, 0700) is no working directory.
          cwd: "/",
        }).output();
        assert.equal(new TextDecoder().decode(read.stdout), "CERT\n");
      } finally {
        await creds.remove();
      }
    });
  },
);

Deno.test("prepareCredentials() names service, credential and path when a source is missing, leaving nothing behind", async () => {
  await withSources(async (src) => {
    const base = await Deno.makeTempDir();
    try {
      await assert.rejects(
        prepareCredentials({
          name: "web",
          credentials: [{ name: "cert", path: `${src}/cert.pem` }, {
            name: "key",
            path: `${src}/missing.pem`,
          }],
        }, { baseDir: base }),
        (e: unknown) => {
          assert.ok(e instanceof CredentialError);
          assert.equal(
            e.message,
            `Cannot read credential "key" of service "web" from "${src}/missing.pem": no such file`,
          );
          return true;
        },
      );
      const left = [];
      for await (const e of Deno.readDir(base)) left.push(e.name);
      assert.deepEqual(left, []);
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  });
});
