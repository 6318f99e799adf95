/**
 * Hostile names and paths: `validate` refuses what `run` could not create or start, `run`
 * refuses the same with the same message and exit code 2, and nothing is created anywhere:
 * the sandbox's TMPDIR and working directory hold only the config afterwards.
 */
import assert from "node:assert/strict";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import { listTree, sandbox } from "./helpers.ts";

const TRUE = { process: { argv: ["/bin/true"] } };

function svc(extra: Record<string, unknown>): Record<string, unknown> {
  return { ...TRUE, ...extra };
}

const REJECTED: [string, unknown, RegExp][] = [
  [
    "a 300-character service name",
    { services: { ["s".repeat(300)]: TRUE } },
    /is 300 characters long; at most 128/,
  ],
  [
    "nested names longer than 128 together",
    { services: { ["a".repeat(70)]: svc({ services: { ["b".repeat(70)]: TRUE } }) } },
    /is 141 characters long/,
  ],
  ["a service named nimi", { services: { nimi: TRUE } }, /service name "nimi" is reserved/],
  [
    "a service named startup beside runOnStartup",
    { services: { startup: TRUE }, settings: { startup: { runOnStartup: "/bin/true" } } },
    /taken by settings.startup.runOnStartup/,
  ],
  ["a service name with a newline", { services: { "a\nb": TRUE } }, /is not usable/],
  ["a service name with ..", { services: { "..": TRUE } }, /is not usable/],
  ...([
    ["NUL", "a\u0000b", /must not contain control characters/],
    ["newline", "a\nb", /must not contain control characters/],
    ["slash", "a/b", /must be a plain file name/],
    ["..", "..", /must be a plain file name/],
    ["10,000 characters", "c".repeat(10_000), /is 10000 bytes long; at most 255/],
  ] as const).map(([what, name, message]): [string, unknown, RegExp] => [
    `a credential name with ${what}`,
    { services: { web: svc({ nimi: { credentials: { [name]: "/etc/hostname" } } }) } },
    message,
  ]),
  ...([
    ["NUL", "a\u0000b", /must not contain control characters/],
    ["a newline", "a\nb", /must not contain control characters/],
    ["10,000 characters", "p".repeat(10_000), /is 10000 bytes long; at most 1024/],
    ["a 300-byte component", `d/${"q".repeat(300)}`, /component of 300 bytes/],
    ["..", "../x", /must stay inside/],
    ["an absolute path", "/etc/x", /must be a relative path/],
  ] as const).map(([what, path, message]): [string, unknown, RegExp] => [
    `a configData path with ${what}`,
    { services: { web: svc({ configData: { c: { path, text: "x" } } }) } },
    message,
  ]),
  [
    "a configData path inside another entry's file",
    {
      services: {
        web: svc({
          configData: { d: { path: "d", source: "/tmp" }, e: { path: "d/evil", text: "x" } },
        }),
      },
    },
    /path "d\/evil" is inside "d", which configData."d" makes a file/,
  ],
  [
    "a NUL in argv",
    { services: { web: { process: { argv: ["/bin/echo", "a\u0000b"] } } } },
    /argv\[1\]: must not contain a NUL/,
  ],
  [
    "an environment name with =",
    { services: { web: svc({ nimi: { environment: { "A=B": "x" } } }) } },
    /environment variable name must be non-empty, without "="/,
  ],
];

Deno.test("validate and run refuse hostile names and paths alike, with exit 2", async (t) => {
  const box = await sandbox("names");
  try {
    for (const [what, config, message] of REJECTED) {
      await t.step(what, async () => {
        const file = await box.config(config);
        // In this process, through the CLI entry: both commands stop at the config, before
        // anything would be started (the real processes below check that nothing is created).
        for (const command of ["validate", "run"]) {
          const io = new MemoryOutput();
          const code = await main(["--config", file, command], io);
          assert.equal(code, 2, `${command}: ${io.stderr}${io.stdout}`);
          assert.match(io.stderr, message, command);
          assert.ok(io.stderr.length < 2000, `${command}: a long message: ${io.stderr.length}`);
          assert.doesNotMatch(io.stderr, /internal error|\n\s+at /);
        }
      });
    }
  } finally {
    await box.remove();
  }
});

Deno.test("nimi run refuses a configData escape and hostile credential names, creating nothing", async () => {
  const box = await sandbox("strays");
  try {
    const outside = await Deno.makeTempDir({ prefix: "nimi-test-reliability-outside-" });
    try {
      const picked = REJECTED.filter(([what]) =>
        /inside another entry's file|credential name with slash|10,000 characters/.test(what)
      );
      assert.equal(picked.length, 4);
      for (const [what, config, message] of picked) {
        const text = JSON.stringify(config).replaceAll('"source":"/tmp"', `"source":"${outside}"`);
        const file = await box.config(JSON.parse(text));
        const r = await box.nimi(file, "run");
        assert.equal(r.code, 2, `${what}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.deepEqual(await listTree(box.tmp), [], what);
        assert.deepEqual(await listTree(box.work), ["nimi.json"], what);
        assert.deepEqual(await listTree(outside), [], what);
      }
    } finally {
      await Deno.remove(outside, { recursive: true });
    }
  } finally {
    await box.remove();
  }
});

Deno.test("what validate accepts at the limits, run runs", async () => {
  const box = await sandbox("limits");
  try {
    const long = "n".repeat(128);
    const cred = "k".repeat(255);
    const path = `${"d".repeat(255)}/${"e".repeat(255)}/f.txt`;
    const file = await box.config({
      services: {
        [long]: {
          process: {
            argv: [
              "/bin/sh",
              "-c",
              `cat "$CREDENTIALS_DIRECTORY/${cred}" "$XDG_CONFIG_HOME/${path}"`,
            ],
          },
          configData: { c: { path, text: "from configData\n" } },
          nimi: { credentials: { [cred]: await box.config("secret-ok", "secret") } },
        },
      },
      settings: { restart: { mode: "never" }, logging: { enable: true } },
    });
    const v = await box.nimi(file, "validate");
    assert.equal(v.code, 0, v.stderr);
    const r = await box.nimi(file, "run");
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /"secret-ok"/);
    assert.match(r.stdout, /from configData/);
    assert.deepEqual(await listTree(box.tmp), [], "configData and credentials left behind");
    const logs = await listTree(`${box.work}/nimi_logs`);
    assert.deepEqual(logs, ["logs-0", `logs-0/${long}.log`]);
  } finally {
    await box.remove();
  }
});
