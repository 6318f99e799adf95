import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { count } from "./run_helpers.ts";

Deno.test("examples/demo.json runs to its end as README's first command shows", async () => {
  // README: npx -y deno@2.9.1 run -A mod.ts --config examples/demo.json run
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "mod.ts", "--config", "examples/demo.json", "run"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stdout + stderr);
  const at = (s: string) => {
    const i = stdout.indexOf(s);
    assert.ok(i >= 0, `missing ${JSON.stringify(s)} in:\n${stdout}`);
    return i;
  };
  assert.ok(at("startup | preparing the demo") < at("web: started"), "the hook runs first");
  at("web     | read port 8765 from ");
  assert.ok(at("web: ready") < at("client: started"), "client waits for web's readiness");
  at("client  | GET http://127.0.0.1:8765/ -> 200: hello from the demo web service run by nimi");
  assert.equal(count(stdout, /worker: started/g), 3, "the worker is restarted twice");
  at("worker: restarting in 0.5s (restart 1)");
  at("worker: restarting in 1s (restart 2)");
  at("worker  | run 3: finished");
  at("web: exited with code 0");
  at("exiting with code 0");
});
