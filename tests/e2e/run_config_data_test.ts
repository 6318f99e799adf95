import assert from "node:assert/strict";
import { runNimi, sh } from "./run_helpers.ts";

Deno.test("nimi run exposes configData in a private $XDG_CONFIG_HOME removed at exit", async () => {
  const runtime = await Deno.makeTempDir({ prefix: "nimi-xdg-runtime-" });
  const source = await Deno.makeTempFile({ prefix: "nimi-source-" });
  try {
    await Deno.writeTextFile(source, "from source\n");
    const r = await runNimi({
      services: {
        app: {
          ...sh(
            `echo "dir=$XDG_CONFIG_HOME"; stat -c "mode=%a" "$XDG_CONFIG_HOME"; ` +
              `cat "$XDG_CONFIG_HOME/app/port.conf" "$XDG_CONFIG_HOME/linked.txt"; ` +
              `readlink "$XDG_CONFIG_HOME/linked.txt"`,
          ),
          configData: {
            port: { path: "app/port.conf", text: "port=8123\n" },
            linked: { path: "linked.txt", source },
            off: { enable: false, path: "off.txt", text: "no" },
          },
        },
        plain: sh(`echo "plain=\${XDG_CONFIG_HOME-unset}"`),
      },
    }, { env: { XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: "/nowhere" } });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const dir = r.stdout.match(/app +\| dir=(\S+)/)?.[1];
    assert.ok(dir, r.stdout);
    assert.ok(dir.startsWith(`${runtime}/nimi-app-`), `${dir} is under $XDG_RUNTIME_DIR`);
    assert.match(r.stdout, /app +\| mode=700\n/);
    assert.match(r.stdout, /app +\| port=8123\n/);
    assert.match(r.stdout, /app +\| from source\n/);
    assert.match(r.stdout, new RegExp(`app +\\| ${source}\\n`));
    assert.match(
      r.stdout,
      /plain +\| plain=\/nowhere\n/,
      "no configData: XDG_CONFIG_HOME untouched",
    );
    await assert.rejects(() => Deno.stat(dir), Deno.errors.NotFound, "removed after exit");
    assert.equal(await Deno.readTextFile(source), "from source\n", "the source is left alone");
  } finally {
    await Deno.remove(runtime, { recursive: true });
    await Deno.remove(source);
  }
});

Deno.test("nimi run gives each configData directory an unpredictable name", async () => {
  const config = {
    services: {
      a: { ...sh(`echo "dir=$XDG_CONFIG_HOME"`), configData: { x: { path: "x", text: "1" } } },
    },
  };
  const [one, two] = await Promise.all([runNimi(config), runNimi(config)]);
  const dirOf = (out: string) => out.match(/dir=(\S+)/)?.[1];
  assert.ok(dirOf(one.stdout) && dirOf(two.stdout));
  assert.notEqual(dirOf(one.stdout), dirOf(two.stdout));
});
