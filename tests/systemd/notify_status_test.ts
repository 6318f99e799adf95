import assert from "node:assert/strict";
import {
  INITIAL_NOTIFY_STATE,
  nextNotify,
  type NotifyState,
  startComplete,
  statusText,
} from "../../src/systemd/notify_status.ts";
import type { ServicePhase, ServicePhaseView } from "../../src/supervisor/service_phase.ts";

function phases(spec: Record<string, ServicePhase>): ServicePhaseView[] {
  return Object.entries(spec).map(([name, phase]) => ({ name, phase }));
}

Deno.test("startComplete() waits for every service to be ready or ended for good", () => {
  assert.equal(startComplete(phases({ web: "ready", job: "exited" })), true);
  assert.equal(startComplete(phases({ web: "ready", db: "failed", app: "stopped" })), true);
  assert.equal(startComplete([]), true);
  for (const p of ["waiting", "starting", "running", "restarting", "stopping"] as const) {
    assert.equal(startComplete(phases({ web: "ready", other: p })), false, p);
  }
});

Deno.test("statusText() counts ready services and names the others by phase", () => {
  assert.equal(statusText(phases({ web: "ready", db: "ready" }), false), "2/2 ready");
  assert.equal(
    statusText(phases({ web: "ready", db: "running", app: "waiting", w: "restarting" }), false),
    "1/4 ready; starting: db; waiting: app; restarting: w",
  );
  assert.equal(
    statusText(phases({ a: "failed", b: "failed", c: "failed", d: "failed", e: "exited" }), false),
    "0/5 ready; failed: a, b, c and 1 more; exited: e",
  );
  assert.equal(statusText([], false), "no services");
});

Deno.test("statusText() while stopping counts what still runs", () => {
  assert.equal(
    statusText(phases({ a: "stopping", b: "stopped", c: "ready" }), true),
    "stopping: 2 of 3 still running",
  );
});

Deno.test("statusText() cannot be made to carry another notify line by a service name", () => {
  const text = statusText([{ name: "x\nREADY=1", phase: "running" }], false);
  assert.ok(!text.includes("\n"), text);
  assert.match(text, /x\?READY=1/);
});

Deno.test("nextNotify() sends READY=1 once, when the start is complete, with the status", () => {
  let state: NotifyState = INITIAL_NOTIFY_STATE;
  const sent: (string | null)[] = [];
  for (
    const p of [
      phases({ web: "starting", db: "waiting" }),
      phases({ web: "starting", db: "waiting" }),
      phases({ web: "ready", db: "running" }),
      phases({ web: "ready", db: "ready" }),
      phases({ web: "restarting", db: "ready" }),
      phases({ web: "ready", db: "ready" }),
    ]
  ) {
    const step = nextNotify(state, p, false);
    state = step.state;
    sent.push(step.message);
  }
  assert.deepEqual(sent, [
    "STATUS=0/2 ready; starting: web; waiting: db",
    null,
    "STATUS=1/2 ready; starting: db",
    "READY=1\nSTATUS=2/2 ready",
    "STATUS=1/2 ready; restarting: web",
    "STATUS=2/2 ready",
  ]);
});

Deno.test("nextNotify() sends STOPPING=1 once and never READY=1 after a stop began", () => {
  const first = nextNotify(INITIAL_NOTIFY_STATE, phases({ web: "running" }), true);
  assert.equal(first.message, "STOPPING=1\nSTATUS=stopping: 1 of 1 still running");
  const second = nextNotify(first.state, phases({ web: "stopped" }), true);
  assert.equal(second.message, "STATUS=stopping: 0 of 1 still running");
  assert.equal(second.state.readySent, false);
  assert.equal(second.state.stoppingSent, true);
});
