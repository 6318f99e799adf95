/**
 * What init mode passes straight to the program, from tini's and dumb-init's documented
 * behaviour: standard input, output and error unchanged (no prefix, no lines of nimi's own
 * unless `-v`, which writes to stderr), the working directory and the environment, and the
 * signals nimi's parent ignored, which stay ignored in the program (tini keeps them; Deno's own
 * handlers would otherwise reset them to default at exec).
 */
import assert from "node:assert/strict";
import { watchOutput } from "../helpers/output.ts";
import { descendants } from "../pid1/helpers.ts";
import { PRINT_SIGNALS, REPO, startInit } from "./helpers.ts";
import { killIfRunning } from "../helpers/kill.ts";

Deno.test("stdin reaches the program; its exit code comes back", async () => {
  const init = await startInit(["sh"], { stdin: "piped" });
  const writer = init.child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("echo from stdin; exit 3\n"));
  await writer.close();
  const status = await init.done;
  assert.equal(status.code, 3, init.stderr());
  assert.equal(init.stdout(), "from stdin\n");
});

Deno.test("stdout and stderr pass through unchanged, -v lines go to stderr only", async () => {
  const program = ["sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; printf 'no newline'"];
  const plain = await startInit(program);
  assert.equal((await plain.done).code, 0);
  assert.equal(plain.stdout(), "out\nno newline");
  assert.equal(plain.stderr(), "err\n");
  const verbose = await startInit(program, { options: ["-v"] });
  assert.equal((await verbose.done).code, 0);
  assert.equal(verbose.stdout(), "out\nno newline");
  assert.match(verbose.stderr(), /^nimi: started sh \(pid \d+\)\n/m);
  assert.match(verbose.stderr(), /^err\n/m);
  assert.match(verbose.stderr(), /^nimi: sh exited with code 0: exiting with code 0\n/m);
});

Deno.test("the working directory and the environment are the program's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-init-cwd-" });
  try {
    const init = await startInit(["sh", "-c", 'pwd; echo "$NIMI_TEST_INIT_VAR"'], {
      cwd: dir,
      env: { NIMI_TEST_INIT_VAR: "kept" },
    });
    assert.equal((await init.done).code, 0, init.stderr());
    assert.equal(init.stdout(), `${await Deno.realPath(dir)}\nkept\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** SigIgn of the program, as signal numbers (SIGPIPE aside, see src/pid1/ignored.ts). */
function ignoredIn(stdout: string): number[] {
  const mask = BigInt(`0x${stdout.match(/^SigIgn:\s*([0-9a-f]+)$/m)![1]}`);
  const out = [];
  for (let n = 1; n <= 31; n++) if (n !== 13 && ((mask >> BigInt(n - 1)) & 1n) === 1n) out.push(n);
  return out;
}

for (const pid1 of [false, true]) {
  Deno.test(`signals the parent ignored stay ignored${pid1 ? " (PID 1)" : ""}`, async (t) => {
    const show = ["sh", "-c", "grep SigIgn /proc/self/status"];
    await t.step(
      "INT, TERM, HUP (the three Deno handles itself) and USR1 stay ignored",
      async () => {
        const init = await startInit(show, {
          pid1,
          wrapper: ["sh", "-c", 'trap "" INT TERM HUP USR1; exec "$@"', "sh"],
        });
        assert.equal((await init.done).code, 0, init.stderr());
        assert.deepEqual(ignoredIn(init.stdout()), [1, 2, 10, 15]);
        assert.equal(init.stderr(), "");
      },
    );
    await t.step("nothing is ignored when the parent ignored nothing", async () => {
      const init = await startInit(show, { pid1 });
      assert.equal((await init.done).code, 0, init.stderr());
      assert.deepEqual(ignoredIn(init.stdout()), []);
    });
    await t.step("nimi itself ignores them too: SIGINT does not reach the program", async () => {
      const init = await startInit(["sh", "-c", "echo ready; read line; echo got $line"], {
        pid1,
        stdin: "piped",
        wrapper: ["sh", "-c", 'trap "" INT; exec "$@"', "sh"],
      });
      await init.waitFor(/^ready$/m);
      Deno.kill(init.pid, "SIGINT");
      Deno.kill(init.pid, "SIGUSR2");
      // SIGUSR2 is not ignored: sh dies of it (proving nimi was listening all along).
      assert.equal((await init.done).code, 128 + 12, init.stderr());
    });
  });
}

Deno.test("-p SIG: nimi gets SIG when its parent dies, and passes it on (tini's -p)", async () => {
  // A parent that starts nimi and then exits when told (its stdin closes).
  const parent = [
    "/usr/bin/python3",
    "-c",
    [
      "import subprocess, sys",
      "p = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)",
      "sys.stdin.read()",
    ].join("\n"),
    Deno.execPath(),
    "run",
    "-A",
    `${REPO}mod.ts`,
    "-p",
    "USR2",
    "--",
    "/usr/bin/python3",
    PRINT_SIGNALS,
  ];
  const child = new Deno.Command(parent[0]!, {
    args: parent.slice(1),
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = watchOutput(child);
  // Taken while the parent lives: afterwards nimi and the program belong to another parent.
  let family: number[] = [];
  try {
    await output.waitFor(/^ready \d+$/m, 30_000);
    family = descendants(child.pid).map((d) => d.pid);
    await child.stdin.close();
    await output.waitFor(/^12$/m, 10_000);
  } finally {
    for (const p of family) killIfRunning(p);
    await output.done;
  }
});
