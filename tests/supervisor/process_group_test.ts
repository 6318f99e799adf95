import assert from "node:assert/strict";
import { GroupWatcher, signalGroup } from "../../src/supervisor/process_group.ts";

Deno.test("GroupWatcher.waitGone() resolves true once a group's last process exits", async () => {
  // The leader exits at once; its background cat keeps the group alive until the test closes
  // the pipe it reads (fd 3, the leader's stdin), so the group's end is an event, not a timing.
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", "exec 3<&0; cat <&3 >/dev/null & exit 0"],
    detached: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await child.status;
    const watcher = new GroupWatcher(5);
    assert.equal(watcher.alive(child.pid), true, "the background cat keeps the group alive");
    const gone = watcher.waitGone(child.pid, 10_000);
    await writer.close();
    assert.equal(await gone, true);
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
