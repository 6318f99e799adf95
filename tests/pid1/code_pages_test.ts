/**
 * Paging out the runtime's cold code (src/pid1/code_pages.ts): which mappings qualify (pure),
 * and, in a real Deno process running on its own copy of the executable (pages nobody else
 * maps, as a compiled nimi's are), that the kernel takes the pages back and the process goes on
 * working afterwards.
 */
import assert from "node:assert/strict";
import { readOnlyFileMappings } from "../../src/pid1/code_pages.ts";
import { REPO_ROOT } from "../helpers/cli.ts";

const MAPS = [
  "55c885694000-55c885a00000 r--p 00000000 fe:01 1234 /usr/bin/deno",
  "55c885a00000-55c887000000 r-xp 0036c000 fe:01 1234 /usr/bin/deno",
  "55c887000000-55c887100000 rw-p 01000000 fe:01 1234 /usr/bin/deno",
  "55c8b3319000-55c8b3a00000 rw-p 00000000 00:00 0          [heap]",
  "7fc774000000-7fc7b4000000 rwxp 00000000 00:00 0 ",
  "7fc7ab000000-7fc7ab100000 r-xp 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6",
  "7fc7ab200000-7fc7ab201000 r--p 00000000 00:05 7 /memfd:x (deleted)",
  "7ffcc1f00000-7ffcc1f02000 r-xp 00000000 00:00 0                  [vdso]",
  "",
].join("\n");

Deno.test("only read-only mappings of files qualify", () => {
  assert.deepEqual(readOnlyFileMappings(MAPS), [
    { start: 0x55c885694000n, length: 0x55c885a00000n - 0x55c885694000n },
    { start: 0x55c885a00000n, length: 0x55c887000000n - 0x55c885a00000n },
    { start: 0x7fc7ab000000n, length: 0x100000n },
    { start: 0x7fc7ab200000n, length: 0x1000n },
  ]);
});

Deno.test("a real process gives its cold executable pages back and goes on working", async () => {
  const dir = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "nimi-code-pages-" });
  try {
    // A private copy: the test runner maps the same Deno executable, and shared pages stay.
    const deno = `${dir}/deno`;
    await Deno.copyFile(Deno.execPath(), deno);
    await Deno.chmod(deno, 0o755);
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      [
        `import { pageOutCode } from "${REPO_ROOT}/src/pid1/code_pages.ts";`,
        `const file = () => Number(/RssFile:\\s+(\\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))![1]);`,
        `const before = file();`,
        `const advised = pageOutCode();`,
        `const after = file();`,
        // Work that needs code the page-out dropped: a spawn, a timer, JSON.
        `const out = await new Deno.Command("/bin/echo", { args: ["still", "here"], stdout: "piped" }).output();`,
        `await new Promise((r) => setTimeout(r, 20));`,
        `console.log(JSON.stringify({ before, advised, after, echo: new TextDecoder().decode(out.stdout).trim() }));`,
      ].join("\n"),
    );
    const out = await new Deno.Command(deno, {
      args: ["run", "-A", "--quiet", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const r = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      before: number;
      advised: number;
      after: number;
      echo: string;
    };
    assert.ok(r.advised > 0, "no mapping was advised");
    assert.equal(r.echo, "still here");
    // Start-up touched tens of MB of the executable; most of it must be gone.
    assert.ok(r.after < r.before / 2, `RssFile ${r.before} kB -> ${r.after} kB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
