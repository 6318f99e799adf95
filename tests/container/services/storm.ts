/**
 * An orphan storm for the container tests: starts COUNT short-lived processes (the image's
 * Deno printing its version) without waiting for any of them, then exits at once, so that they
 * (running or already zombies) become children of the container's PID 1.
 *   storm.ts COUNT
 *
 * @module
 */
const count = Number(Deno.args[0] ?? "200");
for (let i = 0; i < count; i++) {
  new Deno.Command(Deno.execPath(), {
    args: ["--version"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
// deno-lint-ignore no-console
console.log(`storm started ${count}`);
Deno.exit(0);
