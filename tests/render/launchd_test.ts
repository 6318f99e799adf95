import assert from "node:assert/strict";
import { plist, xmlEscape } from "../../src/render/launchd.ts";
import { fixture, renderTo, run } from "./helpers.ts";

Deno.test("xmlEscape() escapes markup and rejects control characters", () => {
  assert.equal(xmlEscape("a<b>&c"), "a&lt;b&gt;&amp;c");
  assert.throws(() => xmlEscape("bell\x07"), /control character/);
});

const READ = `
import json, plistlib, sys
out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        out[path.rsplit("/", 1)[-1]] = plistlib.load(f)
print(json.dumps(out))
`;

Deno.test("every rendered launchd plist parses with plistlib and has the expected keys", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-render-launchd-" });
  try {
    const result = await renderTo("launchd", fixture("full.json"), dir, {
      stateDir: "/var/lib/nimi",
      prefix: "a-",
    });
    const r = await run("python3", ["-c", READ, ...result.files.map((f) => `${dir}/${f.path}`)]);
    assert.equal(r.code, 0, r.stderr);
    const plists = JSON.parse(r.stdout);
    assert.equal(Object.keys(plists).length, 5);
    for (const [file, p] of Object.entries<Record<string, unknown>>(plists)) {
      for (
        const key of ["Label", "ProgramArguments", "RunAtLoad", "KeepAlive", "StandardOutPath"]
      ) {
        assert.ok(key in p, `${file} has no ${key}`);
      }
      assert.equal(file, `${p["Label"]}.plist`);
    }
    const web = plists["org.nimi.a-web.plist"];
    assert.equal(web.EnvironmentVariables.XDG_CONFIG_HOME, "/var/lib/nimi/a-web/config");
    assert.equal(web.EnvironmentVariables.QUOTE, `it's "quoted" $HOME 100% ; # x`);
    assert.equal(web.WorkingDirectory, "/tmp");
    assert.equal(web.UserName, "daemon");
    assert.deepEqual(web.KeepAlive, { SuccessfulExit: false });
    assert.deepEqual(web.ProgramArguments.slice(-3), [
      "/bin/sh",
      "-c",
      "echo web on $PORT; exec sleep 1000",
    ]);
    const stack = plists["org.nimi.a-stack.plist"];
    assert.equal(stack.KeepAlive, false);
    assert.deepEqual(stack.ProgramArguments, [
      "/usr/bin/env",
      "-i",
      "ONLY=this",
      "/bin/echo",
      "a b",
      "it's",
      "$HOME",
      "100%",
      "semi ; colon # hash",
      "tab\there",
    ]);
    assert.equal(plists["org.nimi.a-db.plist"].KeepAlive, true);
    assert.equal(plists["org.nimi.a-db.plist"].ExitTimeOut, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plist() writes nested arrays and dictionaries", () => {
  const text = plist({ A: [1, true, { B: "x" }] });
  assert.ok(text.includes("<key>A</key>\n  <array>\n    <integer>1</integer>\n    <true/>"));
});

Deno.test("launchd: every control character reaches the program through plistlib and sh", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-launchd-ctl-" });
  try {
    const all = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join("").slice(1) +
      "\x7f";
    const words = ["cr\rlf\r\n", `all${all}end`, "tail\n\n", "100% \\ 'q'"];
    await Deno.writeTextFile(
      `${dir}/ctl.json`,
      JSON.stringify({
        services: {
          ctl: {
            process: { argv: ["/usr/bin/printf", "%s\\0", ...words] },
            nimi: { environment: { CTL: "x\x01\ry" }, restart: { mode: "never" } },
          },
        },
      }),
    );
    const result = await renderTo("launchd", `${dir}/ctl.json`, `${dir}/out`, {
      stateDir: `${dir}/state`,
    });
    const file = `${dir}/out/${result.files[0]!.path}`;
    const plist = await Deno.readTextFile(file);
    assert.match(plist, /cr&#13;lf&#13;/);
    // Run the job as launchd would: ProgramArguments with EnvironmentVariables added.
    const py = `import os, plistlib, subprocess, sys
p = plistlib.load(open(sys.argv[1], "rb"))
env = dict(os.environ, **p.get("EnvironmentVariables", {}))
out = subprocess.run(p["ProgramArguments"], env=env, capture_output=True).stdout
env_out = subprocess.run(["/bin/sh", "-c", p["ProgramArguments"][2].rsplit("exec ", 1)[0] + 'printf %s "$CTL"'], env=env, capture_output=True).stdout if p["ProgramArguments"][0] == "/bin/sh" else env.get("CTL", "").encode()
sys.stdout.buffer.write(out + b"|" + env_out)`;
    const r = await run("python3", ["-c", py, file]);
    assert.equal(r.code, 0, r.stderr);
    const [args, env] = r.stdout.split("|");
    assert.deepEqual(args!.split("\0").slice(0, -1), words);
    assert.equal(env, "x\x01\ry");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
