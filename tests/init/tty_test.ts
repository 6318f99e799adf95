/**
 * Init mode with a terminal, from dumb-init's tty tests: the program sees its standard input
 * as a terminal and owns it as its controlling terminal, Ctrl-C reaches it (exit 130), and a
 * shell's job control works under nimi (`sleep & fg`, Ctrl-Z, `fg` again). nimi runs on a
 * fresh pseudo-terminal as its session leader, the way a terminal emulator or
 * `podman run -it` starts it (tests/init/fixtures/pty_run.py).
 */
import assert from "node:assert/strict";
import { REPO } from "./helpers.ts";

const PTY_RUN = `${REPO}tests/init/fixtures/pty_run.py`;

type Step = { expect: string } | { send: string } | { foreground: string };

async function onPty(steps: Step[], options: string[], program: string[]): Promise<string> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      PTY_RUN,
      JSON.stringify(steps),
      "--",
      Deno.execPath(),
      "run",
      "-A",
      `${REPO}mod.ts`,
      ...options,
      "--",
      ...program,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout).replaceAll("\r\n", "\n");
  assert.equal(out.code, 0, `${text}\n${new TextDecoder().decode(out.stderr)}`);
  return text;
}

// Python installs its SIGINT handler before it prints "ready", and since 3.8 it ends by
// SIGINT itself on an uncaught KeyboardInterrupt: the exit status says the signal arrived.
const CHECK_TTY = [
  "/usr/bin/python3",
  "-c",
  [
    "import os, time",
    "if os.isatty(0): print('stdin is a tty')",
    "os.close(os.open('/dev/tty', os.O_RDWR)); print('has a controlling tty')",
    "if os.tcgetpgrp(0) == os.getpgrp(): print('in the foreground')",
    "print('ready', flush=True)",
    "time.sleep(100)",
  ].join("\n"),
];

for (const [name, options] of [["own session", []], ["-c", ["-c"]]] as const) {
  Deno.test(`init mode on a terminal (${name}): a tty program, Ctrl-C ends it with 130`, async () => {
    const out = await onPty(
      [{ expect: "ready" }, { send: "\u0003" }],
      [...options],
      CHECK_TTY,
    );
    assert.match(out, /stdin is a tty\n/);
    assert.match(out, /has a controlling tty\n/);
    assert.match(out, /in the foreground\n/);
    assert.match(out, /\nexit 130\n$/);
  });

  Deno.test(`init mode on a terminal (${name}): job control with sleep & fg, Ctrl-Z, fg`, async () => {
    const out = await onPty(
      [
        { expect: "sleep 100" },
        { foreground: "sleep" },
        { send: "\u001a" },
        { expect: "stopped 148" },
        { expect: "again" },
        { foreground: "sleep" },
        { send: "\u0003" },
      ],
      [...options],
      ["sh", "-mc", "sleep 100 & fg; echo stopped $?; echo again; fg; echo fg $?; exit 7"],
    );
    // Ctrl-Z stopped the foreground job and gave the shell the terminal back (fg returned
    // 128 + SIGTSTP); the second fg made sleep the foreground again (the step waits for it);
    // Ctrl-C ended it, and dash then ends itself by SIGINT as well (its "a foreground job died
    // of SIGINT" rule; the same run under dumb-init prints the same and exits 130).
    assert.match(out, /^sleep 100\n\^Zstopped 148\nagain\nsleep 100\n\^C\n/);
    assert.doesNotMatch(out, /fg 130/);
    assert.match(out, /\nexit 130\n$/);
  });
}
