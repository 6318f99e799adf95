import assert from "node:assert/strict";
import { GroupWatcher, signalGroup } from "../../src/supervisor/process_group.ts";

Deno.test("GroupWatcher.waitGone() resolves true once a group's last process exits", async () => {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", "sleep 0.2 & sleep 0.1; exit 0"],
    detached: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await child.status;
    const watcher = new GroupWatcher(5);
    assert.equal(watcher.alive(child.pid), true, "the background sleep keeps the group alive");
    assert.equal(await watcher.waitGone(child.pid, 5000), true);
    assert.equal(watcher.alive(child.pid), false);
  } finally {
    signalGroup(child.pid, "SIGKILL");
  }
});

Deno.test("GroupWatcher.waitGone() resolves false at its timeout", async () => {
  const child = new Deno.Command("/bin/sleep", {
    args: ["100"],
    detached: true,
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    assert.equal(await new GroupWatcher(5).waitGone(child.pid, 30), false);
  } finally {
    assert.equal(signalGroup(child.pid, "SIGKILL"), true);
    await child.status;
  }
  assert.equal(await new GroupWatcher(5).waitGone(child.pid, 5000), true);
  assert.equal(signalGroup(child.pid, "SIGTERM"), false, "a gone group reports false");
});
