import assert from "node:assert/strict";
import { NOTIFY_VARIABLES, readNotifyEnv } from "../../src/systemd/notify_env.ts";

function env(vars: Record<string, string>): (name: string) => string | undefined {
  return (name) => vars[name];
}

Deno.test("readNotifyEnv() takes a path or an abstract socket and half of WATCHDOG_USEC", () => {
  assert.deepEqual(
    readNotifyEnv(env({ NOTIFY_SOCKET: "/run/systemd/notify", WATCHDOG_USEC: "10000000" }), 7),
    { socket: "/run/systemd/notify", watchdogMs: 5000, problems: [] },
  );
  assert.deepEqual(readNotifyEnv(env({ NOTIFY_SOCKET: "@/org/x/notify" }), 7), {
    socket: "@/org/x/notify",
    watchdogMs: null,
    problems: [],
  });
  assert.deepEqual(readNotifyEnv(env({}), 7), { socket: null, watchdogMs: null, problems: [] });
  assert.deepEqual(readNotifyEnv(env({ NOTIFY_SOCKET: "" }), 7).socket, null);
});

Deno.test("readNotifyEnv() pings the watchdog only when WATCHDOG_PID is unset or names nimi", () => {
  const base = { NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "2000000" };
  assert.equal(readNotifyEnv(env({ ...base, WATCHDOG_PID: "7" }), 7).watchdogMs, 1000);
  assert.equal(readNotifyEnv(env({ ...base, WATCHDOG_PID: "8" }), 7).watchdogMs, null);
  assert.equal(readNotifyEnv(env({ WATCHDOG_USEC: "2000000" }), 7).watchdogMs, null);
});

Deno.test("readNotifyEnv() reports values it cannot use instead of guessing", () => {
  const relative = readNotifyEnv(env({ NOTIFY_SOCKET: "vsock:2:1" }), 7);
  assert.equal(relative.socket, null);
  assert.match(relative.problems[0]!, /^NOTIFY_SOCKET "vsock:2:1" is not supported/);
  const bad = readNotifyEnv(env({ NOTIFY_SOCKET: "/n", WATCHDOG_USEC: "soon" }), 7);
  assert.equal(bad.watchdogMs, null);
  assert.match(bad.problems[0]!, /^WATCHDOG_USEC "soon" is not a positive number/);
});

Deno.test("NOTIFY_VARIABLES names what the services must not inherit", () => {
  assert.deepEqual([...NOTIFY_VARIABLES].sort(), [
    "NOTIFY_SOCKET",
    "WATCHDOG_PID",
    "WATCHDOG_USEC",
  ]);
});
