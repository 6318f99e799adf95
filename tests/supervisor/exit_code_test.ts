import assert from "node:assert/strict";
import { describeStatus, nimiExitCode, statusCode } from "../../src/supervisor/exit_code.ts";

Deno.test("statusCode() gives the exit code, or 128 + N for a signal", () => {
  assert.equal(statusCode({ code: 3, signal: null }), 3);
  assert.equal(statusCode({ code: 143, signal: "SIGTERM" }), 143);
  assert.equal(statusCode({ code: 0, signal: "SIGKILL" }), 137);
  assert.equal(statusCode({ code: 0, signal: null }), 0);
});

Deno.test("describeStatus() names the code or the signal", () => {
  assert.equal(describeStatus({ code: 3, signal: null }), "exited with code 3");
  assert.equal(describeStatus({ code: 137, signal: "SIGKILL" }), "killed by SIGKILL");
});

Deno.test("nimiExitCode() is the first failure's code, else 0", () => {
  assert.equal(nimiExitCode({ firstFailure: null }), 0);
  assert.equal(nimiExitCode({ firstFailure: 42 }), 42);
});
