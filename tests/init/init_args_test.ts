import assert from "node:assert/strict";
import { initSeparator, parseInitArgs, parseRewrites } from "../../src/cli/init_args.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";

const COMMANDS = ["run", "validate", "render", "schema", "help"];

Deno.test("initSeparator() finds init mode: a -- with no command word before it", () => {
  assert.equal(initSeparator(["--", "app"], COMMANDS), 0);
  assert.equal(initSeparator(["-c", "-r", "15:3", "--", "app", "run"], COMMANDS), 3);
  assert.equal(initSeparator(["--config", "x.json", "run"], COMMANDS), -1);
  assert.equal(initSeparator(["run", "--", "x"], COMMANDS), -1);
});

Deno.test("parseInitArgs() reads tini's and dumb-init's options", () => {
  const argv = [
    "-c",
    "-g",
    "-r",
    "TERM:QUIT",
    "--rewrite",
    "2:0",
    "-e",
    "143",
    "-e",
    "3",
    "-p",
    "KILL",
    "-w",
    "-v",
    "--",
    "app",
    "-x",
  ];
  const args = parseInitArgs(argv, argv.indexOf("--"), {});
  assert.deepEqual(args.argv, ["app", "-x"]);
  assert.equal(args.singleChild, true);
  assert.equal(args.processGroup, true);
  assert.deepEqual([...args.rewrite], [[15, 3], [2, 0]]);
  assert.deepEqual([...args.remapExit], [143, 3]);
  assert.equal(args.parentDeathSignal, 9);
  assert.equal(args.warnReaping, true);
  assert.equal(args.verbose, true);
  assert.equal(args.subreaper, true);
});

Deno.test("parseInitArgs() takes the environment variables tini and dumb-init know", () => {
  const env = {
    DUMB_INIT_SETSID: "0",
    TINI_KILL_PROCESS_GROUP: "1",
    TINI_VERBOSITY: "2",
  };
  const args = parseInitArgs(["--", "app"], 0, env);
  assert.equal(args.singleChild, true);
  assert.equal(args.processGroup, true);
  assert.equal(args.verbose, true);
  assert.equal(parseInitArgs(["--", "app"], 0, { DUMB_INIT_DEBUG: "1" }).verbose, true);
  assert.equal(parseInitArgs(["--", "app"], 0, { DUMB_INIT_SETSID: "1" }).singleChild, false);
  assert.equal(parseInitArgs(["--no-subreaper", "--", "app"], 1, {}).subreaper, false);
  const own = parseInitArgs(["--", "app"], 0, {
    NIMI_SINGLE_CHILD: "1",
    NIMI_PROCESS_GROUP: "1",
    NIMI_SUBREAPER: "0",
    NIMI_WARN_REAPING: "1",
    NIMI_VERBOSE: "1",
  });
  assert.deepEqual(
    [own.singleChild, own.processGroup, own.subreaper, own.warnReaping, own.verbose],
    [true, true, false, true, true],
  );
  const none = parseInitArgs(["--", "app"], 0, {});
  assert.deepEqual(
    [none.singleChild, none.processGroup, none.subreaper, none.warnReaping, none.verbose],
    [false, false, true, false, false],
  );
});

Deno.test("parseInitArgs() refuses bad values with one clear message", () => {
  const cases: [string[], RegExp][] = [
    [["--"], /nothing to run after "--"/],
    [["-r", "TERM", "--", "a"], /--rewrite "TERM": expected SIGNAL:SIGNAL/],
    [["-r", "0:1", "--", "a"], /--rewrite "0:1"/],
    [["-r", "TERM:32", "--", "a"], /--rewrite "TERM:32"/],
    [["-e", "256", "--", "a"], /--remap-exit "256": expected an exit code from 0 to 255/],
    [["-p", "NOPE", "--", "a"], /--parent-death-signal "NOPE"/],
    [["--bogus", "--", "a"], /Unknown option '--bogus'/],
    [["-s", "--no-subreaper", "--", "a"], /contradict/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseInitArgs(argv, argv.indexOf("--"), {}), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, message);
      return true;
    });
  }
  assert.deepEqual([...parseRewrites(["1:31", "SIGUSR1:usr2"])], [[1, 31], [10, 12]]);
});

Deno.test("main() runs init mode and reports usage errors with exit 2", async () => {
  const io = new MemoryOutput();
  assert.equal(await main(["-r", "x", "--", "true"], io), 2);
  assert.match(io.stderr, /^nimi: --rewrite "x": expected/);
  const help = new MemoryOutput();
  assert.equal(await main(["-h", "--"], help), 0);
  assert.match(help.stdout, /^Usage: nimi \[OPTIONS\] -- PROGRAM \[ARGS\.\.\.\]/);
});
