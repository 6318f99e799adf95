/**
 * `podman exec -it CONTAINER nimi tui`, the way a container's nimi is looked at: nimi runs as
 * PID 1 of a real container (the test image, no shell), and the UI started inside it by `podman
 * exec` in a real terminal (a tmux pane) finds the run's default control socket, shows its
 * services, restarts one from the keyboard, and gives the terminal back on `q`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IMAGE, podmanFlags } from "../harness/podman.ts";
import { startTmux, type Tmux } from "../tui/tmux.ts";
import { containerSkip, service, startContainer } from "./helpers.ts";

const skip = await containerSkip("tests/container/tui_test.ts");

const quote = (s: string) => `'${s.replaceAll("'", `'"'"'`)}'`;

Deno.test({
  name: "podman exec -it nimi tui shows the container's services, restarts one, and quits cleanly",
  ignore: skip !== null,
  fn: async () => {
    const c = await startContainer({
      services: {
        web: { process: { argv: service("web") } },
        worker: { process: { argv: service("worker") } },
      },
    });
    let pane: Tmux | null = null;
    try {
      await c.waitFor(/web +\| web ready/);
      await c.waitFor(/worker +\| worker ready/);
      const exec = [
        "podman",
        ...await podmanFlags(),
        "exec",
        "-it",
        "-e",
        "TERM=xterm-256color",
        c.name,
        IMAGE.deno,
        "run",
        "-A",
        "--cached-only",
        IMAGE.entry,
        "tui",
      ].map(quote).join(" ");
      pane = await startTmux(`${exec}; echo "EXIT=$?"; sleep 600`, { columns: 80, rows: 24 });
      const screen = await pane.waitFor(
        /web +(running|ready)[\s\S]*worker +(running|ready)/,
        60_000,
      );
      assert.match(screen[0]!, /^ nimi default · 2 services · 2 up · 0 failed/);
      assert.equal(await pane.format("alternate_on"), "1");
      await pane.send(["r"]);
      await pane.waitFor(/> web +(running|ready) +\d+ +1 /);
      // The pane follows the selected service: its first and its restarted process's lines.
      await pane.waitFor(/^web ready$[\s\S]*^web got SIGTERM$[\s\S]*^web ready$/m);
      await pane.send(["q"]);
      await pane.waitFor(/^EXIT=0$/m);
      assert.equal(await pane.format("alternate_on"), "0");
      // Leaving the UI leaves the container's nimi and its services running.
      assert.match(await c.logs(), /web: started \(pid \d+\)[\s\S]*web: started \(pid \d+\)/);
      assert.doesNotMatch(await c.logs(), /exiting with code/);
    } finally {
      await pane?.close();
      await c.remove();
    }
  },
});
