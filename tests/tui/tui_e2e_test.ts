/**
 * The terminal UI as a person uses it: the real `nimi tui` and `nimi run --tui` in a tmux pane,
 * keys typed with send-keys, the screen read with capture-pane, the terminal's modes read from
 * tmux after leaving. The demo runs on a free port and its web service lives long enough.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { freePort } from "../e2e/deps_helpers.ts";
import { startTmux, type Tmux } from "./tmux.ts";

const DENO = Deno.execPath();
const MOD = `${REPO_ROOT}/mod.ts`;

/** The demo on a free port, its web service serving for ten minutes. */
async function demoConfig(dir: string): Promise<string> {
  const port = String(freePort());
  const text = (await Deno.readTextFile(`${REPO_ROOT}/examples/demo.json`))
    .replaceAll("8765", port)
    .replace("seconds=6", "seconds=600");
  const file = `${dir}/demo.json`;
  await Deno.writeTextFile(file, text);
  return file;
}

function quote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** The row of the table that names the service. */
function row(screen: string[], name: string): string[] {
  const line = screen.find((l) => new RegExp(`^[> ] ${name} `).test(l));
  assert.ok(line, `no row for ${name}:\n${screen.join("\n")}`);
  return line.slice(2).trim().split(/\s+/).slice(1);
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

function isSocket(path: string): boolean {
  try {
    return Deno.statSync(path).isSocket === true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function waitUntil(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `nimi run` in the background on a control socket, once the socket is there. */
async function startNimi(config: string, socket: string, cwd?: string): Promise<Deno.ChildProcess> {
  const nimi = new Deno.Command(DENO, {
    args: ["run", "-A", MOD, "--config", config, "run", "--socket", socket],
    ...(cwd ? { cwd } : {}),
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitUntil("the control socket", () => isSocket(socket));
  return nimi;
}

/** Ends what a test started: the tmux server, nimi, the temp dir. */
async function cleanUp(tmux: Tmux | null, nimi: Deno.ChildProcess | null, dir: string) {
  await tmux?.close();
  nimi?.kill("SIGTERM");
  await nimi?.status;
  await Deno.remove(dir, { recursive: true });
}

Deno.test("nimi tui shows the demo, restarts from the keyboard, follows logs, resizes, restores the terminal", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-tui-" });
  const socket = `${dir}/control.sock`;
  const config = await demoConfig(dir);
  let nimi: Deno.ChildProcess | null = null;
  let tmux: Tmux | null = null;
  try {
    nimi = await startNimi(config, socket, REPO_ROOT);
    const ui = `${quote(DENO)} run -A ${quote(MOD)} tui --socket ${quote(socket)}`;
    tmux = await startTmux(`${ui}; echo "EXIT=$?"; stty -a; echo STTY-DONE; sleep 600`, {
      cwd: REPO_ROOT,
    });
    const pane = tmux;

    await t.step("the table shows the demo's services with their phases", async () => {
      const screen = await pane.waitFor(/client +exited .*code 0/);
      assert.match(screen[0]!, /^ nimi control · \d+ services · \d+ up · \d+ failed/);
      assert.match(screen[1]!, /NAME +PHASE +PID +RESTARTS +UPTIME +READY +LAST EXIT/);
      const web = row(await pane.waitFor(/web +ready/), "web");
      assert.equal(web[0], "ready");
      assert.match(web[1]!, /^\d+$/);
      assert.equal(web[2], "0");
      assert.equal(web[4], "yes");
      assert.deepEqual(row(screen, "client").slice(0, 3), ["exited", "-", "0"]);
    });

    await t.step(
      "r restarts the selected service: new pid and restart count on screen",
      async () => {
        const before = row(await pane.screen(), "web");
        await pane.send(["r"]);
        const screen = await pane.waitFor(/> web +ready +\d+ +1 /);
        const after = row(screen, "web");
        assert.notEqual(after[1], before[1]);
        assert.equal(after[2], "1");
        assert.match(screen[23]!, /restart: web is /);
      },
    );

    await t.step("the log pane shows the service's new lines", async () => {
      const screen = await pane.waitFor(/(listening on http[^\n]*\n(.*\n)*){2}/);
      const pane1 = screen.slice(screen.findIndex((l) => l.startsWith("── logs: web")));
      assert.equal(pane1.filter((l) => l.startsWith("listening on http")).length, 2);
      await pane.send(["a"]);
      await pane.waitFor(/── logs: all services/);
      await pane.waitFor(/^worker +\| run 1: crashing$/m);
      await pane.send(["/"]);
      await pane.send(["crash"], true);
      await pane.send(["Enter"]);
      await pane.waitFor(/── logs: all services · search: crash/);
    });

    await t.step("a resize redraws the whole screen at the new size", async () => {
      await pane.resize(100, 30);
      // The separator spans the new width, the key line moves to the new last row.
      const wide = await pane.waitFor(/^── logs.{93}$/m);
      assert.equal(wide.length, 30);
      assert.match(wide[0]!, /^ nimi control/);
      assert.match(wide[1]!, /^ {2}NAME +PHASE +PID +RESTARTS +UPTIME +READY +LAST EXIT$/);
      assert.match(wide[29]!, /q quit$/);
      await pane.resize(80, 24);
      const small = await pane.waitFor(/^── logs.{73}$/m);
      assert.equal(small.length, 24);
      assert.match(small[23]!, /q quit$/);
    });

    await t.step(
      "x asks before stopping; y stops; q leaves and restores the terminal",
      async () => {
        await pane.send(["x"]);
        await pane.waitFor(/stop web\? y\/n/);
        await pane.send(["y"]);
        await pane.waitFor(/> web +stopped/);
        assert.equal(await pane.format("alternate_on"), "1");
        assert.equal(await pane.format("cursor_flag"), "0");
        await pane.send(["q"]);
        const screen = await pane.waitFor(/EXIT=0[\s\S]*STTY-DONE/);
        assert.equal(await pane.format("alternate_on"), "0", "back on the normal screen");
        assert.equal(await pane.format("cursor_flag"), "1", "cursor visible");
        const stty = screen.join(" ");
        assert.match(stty, /(^|\s)icanon(\s|$)/, "cooked mode");
        assert.match(stty, /(^|\s)echo(\s|$)/, "echo on");
        assert.equal(await pane.format("wrap_flag"), "1", "auto-wrap back on");
      },
    );
  } finally {
    await cleanUp(tmux, nimi, dir);
  }
});

Deno.test("nimi tui restores the terminal on SIGTERM, and honours NO_COLOR", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-tui-" });
  const socket = `${dir}/control.sock`;
  await Deno.writeTextFile(
    `${dir}/c.json`,
    JSON.stringify({ services: { sleeper: { process: { argv: ["sleep", "600"] } } } }),
  );
  let nimi: Deno.ChildProcess | null = null;
  let tmux: Tmux | null = null;
  try {
    nimi = await startNimi(`${dir}/c.json`, socket);
    const ui = `${quote(DENO)} run -A ${quote(MOD)} tui --socket ${quote(socket)}`;
    tmux = await startTmux(`${ui}; echo "EXIT=$?"; sleep 600`, { env: { NO_COLOR: "1" } });
    await tmux.waitFor(/sleeper +ready/);
    const coloured = await new Deno.Command("tmux", {
      args: ["-S", tmux.socket, "capture-pane", "-p", "-e", "-t", "0"],
      stdout: "piped",
    }).output();
    const escapes = new TextDecoder().decode(coloured.stdout);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(escapes, /\x1b\[[0-9;]*3[1-6][;m]/, "no colour under NO_COLOR");
    // deno-lint-ignore no-control-regex
    assert.match(escapes, /\x1b\[[0-9;]*7[;m]/, "reverse video stays");
    assert.equal(await tmux.format("alternate_on"), "1");
    const ps = await new Deno.Command("pgrep", { args: ["-f", `tui --socket ${socket}`] }).output();
    const pids = new TextDecoder().decode(ps.stdout).trim().split("\n").map(Number);
    assert.equal(pids.length, 1, `one nimi tui: ${pids}`);
    Deno.kill(pids[0]!, "SIGTERM");
    await tmux.waitFor(/EXIT=143/);
    assert.equal(await tmux.format("alternate_on"), "0");
    assert.equal(await tmux.format("cursor_flag"), "1");
  } finally {
    await cleanUp(tmux, nimi, dir);
  }
});

Deno.test("nimi run --tui shows its services; q stops every one and exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-tui-" });
  const config = await demoConfig(dir);
  const tmux = await startTmux(
    `${quote(DENO)} run -A ${quote(MOD)} --config ${quote(config)} run --tui --socket ${
      quote(`${dir}/control.sock`)
    }; echo "EXIT=$?"; sleep 600`,
    { cwd: REPO_ROOT },
  );
  try {
    const screen = await tmux.waitFor(/web +ready +\d+/);
    const pid = Number(row(screen, "web")[1]);
    assert.ok(alive(pid));
    await tmux.send(["q"]);
    const after = await tmux.waitFor(/EXIT=\d+/);
    assert.match(after.join("\n"), /EXIT=0/);
    assert.match(after.join("\n"), /exiting with code 0/);
    assert.equal(alive(pid), false, "web is stopped");
    assert.equal(await tmux.format("alternate_on"), "0");
  } finally {
    await tmux.close();
    await Deno.remove(dir, { recursive: true });
  }
});
