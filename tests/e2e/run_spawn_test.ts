import assert from "node:assert/strict";
import { runNimi, sh } from "./run_helpers.ts";

Deno.test("nimi run starts nested services under their flattened names", async () => {
  const r = await runNimi({
    services: {
      stack: {
        ...sh("echo top"),
        services: { cache: { ...sh("echo middle"), services: { warmer: sh("echo deep") } } },
      },
    },
    settings: { restart: { mode: "never" } },
  });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^stack +\| top$/m);
  assert.match(r.stdout, /^stack-cache +\| middle$/m);
  assert.match(r.stdout, /^stack-cache-warmer \| deep$/m);
});

Deno.test("nimi run spawns each service without a shell, in its own session, stdin empty", async () => {
  const r = await runNimi({
    services: {
      args: { process: { argv: ["/bin/echo", "a  b", "$HOME", "*"] } },
      session: sh(
        `echo "sid=$(ps -o sid= -p $$ | tr -d ' ') pgid=$(ps -o pgid= -p $$ | tr -d ' ') pid=$$"`,
      ),
      stdin: sh(`if read -r line; then echo "read: $line"; else echo "stdin at EOF"; fi`),
    },
    settings: { restart: { mode: "never" } },
  });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^args +\| a {2}b \$HOME \*$/m, "arguments are passed verbatim");
  const m = r.stdout.match(/sid=(\d+) pgid=(\d+) pid=(\d+)/);
  assert.ok(m, r.stdout);
  assert.equal(m[1], m[3], "leads its own session");
  assert.equal(m[2], m[3], "leads its own process group");
  assert.match(r.stdout, /stdin +\| stdin at EOF/);
});

Deno.test("nimi run applies environment, inheritEnvironment and workingDirectory", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const r = await runNimi({
      services: {
        inherit: sh(`echo "outer=$NIMI_OUTER extra=$EXTRA pwd=$(pwd)"`, {
          environment: { EXTRA: "x y" },
          workingDirectory: dir,
        }),
        clean: sh(`echo "outer=\${NIMI_OUTER-unset} extra=$EXTRA"`, {
          environment: { EXTRA: "only" },
          inheritEnvironment: false,
        }),
        nowhere: sh("true", { workingDirectory: "/nonexistent/dir" }),
      },
      settings: { restart: { mode: "never" } },
    }, { env: { NIMI_OUTER: "from nimi" } });
    assert.match(r.stdout, new RegExp(`inherit +\\| outer=from nimi extra=x y pwd=${dir}\\n`));
    assert.match(r.stdout, /clean +\| outer=unset extra=only\n/);
    assert.match(
      r.stderr,
      /nowhere: cannot start: working directory "\/nonexistent\/dir" not found/,
    );
    assert.equal(r.code, 127);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
