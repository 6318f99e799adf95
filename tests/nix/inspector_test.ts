/**
 * The `deno` CLI 2.9.2 and later opens an inspector on 127.0.0.1:9229 when it gets SIGUSR1.
 * With Deno 2.9.6 from npm (`npx -y deno@2.9.6`): a plain Deno program does open it (so the check
 * sees an inspector when there is one), and `nimi run` does not, while its service still
 * receives every SIGUSR1 (src/pid1/usr1_guard.ts). Each run has a network namespace of its own
 * with loopback up, so no other program on this machine can disturb the port check; listening
 * sockets are read from the process's own /proc/<pid>/net/tcp.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/cli.ts";
import { signal, start } from "../pid1/helpers.ts";
import { denoFromNpm } from "./nix_env.ts";
import { inspectorOnUsr1, usr1Blocked } from "../../src/pid1/usr1_guard.ts";
import { killIfRunning } from "../helpers/kill.ts";

const DENO_VERSION = "2.9.6";
const INSPECTOR_PORT = 9229;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `pid`'s network namespace has a socket listening on `port`. */
function listens(pid: number, port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return ["tcp", "tcp6"].some((file) => {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/net/${file}`);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
    return text.split("\n").slice(1).some((line) => {
      const f = line.trim().split(/\s+/);
      return f[1]?.endsWith(hex) === true && f[3] === "0A";
    });
  });
}

/** Runs argv in a new network namespace with loopback up. */
function inOwnNetwork(argv: string[]): ReturnType<typeof start> {
  const quoted = argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  return start([
    "unshare",
    "--net",
    "--map-root-user",
    "sh",
    "-c",
    `ip link set lo up && exec ${quoted}`,
  ]);
}

Deno.test(`Deno ${DENO_VERSION}: SIGUSR1 opens no inspector in nimi run and reaches the service`, async (t) => {
  const deno = await denoFromNpm(DENO_VERSION);
  const dir = await Deno.makeTempDir({ prefix: "nimi-inspector-" });
  try {
    await t.step("control: a plain Deno program opens the inspector on SIGUSR1", async () => {
      const script = `${dir}/plain.ts`;
      await Deno.writeTextFile(
        script,
        `Deno.addSignalListener("SIGUSR1", () => console.log("got USR1"));\n` +
          `console.log("ready");\nsetTimeout(() => {}, 30000);\n`,
      );
      const run = inOwnNetwork([deno, "run", script]);
      try {
        await run.waitFor(/^ready$/m);
        // Deno listens for SIGUSR1 itself only after a 500 ms grace, which a loaded machine can
        // stretch: send SIGUSR1 again every 250 ms until the inspector listens (or 30 s pass).
        const end = Date.now() + 30_000;
        while (!listens(run.child.pid, INSPECTOR_PORT) && Date.now() < end) {
          Deno.kill(run.child.pid, "SIGUSR1");
          for (let i = 0; i < 12 && !listens(run.child.pid, INSPECTOR_PORT); i++) await sleep(20);
        }
        assert.ok(listens(run.child.pid, INSPECTOR_PORT), `no inspector:\n${run.stderr()}`);
      } finally {
        signal(run.child.pid, "SIGKILL");
        await run.done;
      }
    });

    await t.step(
      "nimi run: every SIGUSR1 reaches the service, nothing listens on 9229",
      async () => {
        const config = `${dir}/usr1.json`;
        await Deno.writeTextFile(
          config,
          JSON.stringify({
            services: {
              trap: {
                process: {
                  argv: [
                    "/bin/sh",
                    "-c",
                    "trap 'echo got USR1' USR1; echo ready; while :; do sleep 0.1 & wait $!; done",
                  ],
                },
              },
            },
          }),
        );
        const run = inOwnNetwork([
          deno,
          "run",
          "-A",
          `${REPO_ROOT}/mod.ts`,
          "--config",
          config,
          "run",
        ]);
        try {
          await run.waitFor(/ready/, 120_000); // a cold start of mod.ts under Deno from npm
          const pid = run.child.pid;
          // Once early and once well after Deno's grace; the inspector would open within ~150 ms.
          for (const [i, delay] of [0, 900].entries()) {
            await sleep(delay);
            Deno.kill(pid, "SIGUSR1");
            await run.waitFor(new RegExp(`(got USR1[^]*){${i + 1}}`));
            const end = Date.now() + 1000;
            do {
              assert.ok(!listens(pid, INSPECTOR_PORT), `9229 listens:\n${run.stderr()}`);
              assert.doesNotMatch(run.stderr() + run.stdout(), /Debugger listening/);
              await sleep(20);
            } while (Date.now() < end);
          }
          Deno.kill(pid, "SIGTERM");
          assert.equal((await run.done).code, 0, run.stderr());
        } finally {
          killIfRunning(run.child.pid);
          await run.done;
        }
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("inspectorOnUsr1() is true for the deno CLI from 2.9.2, never for a compiled nimi", () => {
  assert.equal(inspectorOnUsr1("2.9.1", false), false);
  assert.equal(inspectorOnUsr1("2.9.2", false), true);
  assert.equal(inspectorOnUsr1("2.10.0", false), true);
  assert.equal(inspectorOnUsr1("3.0.0-rc.1", false), true);
  assert.equal(inspectorOnUsr1("2.9.6", true), false);
});

Deno.test("usr1Blocked() reads SIGUSR1 from the SigBlk mask of /proc/self/status", () => {
  assert.equal(usr1Blocked("Name:\tdeno\nSigBlk:\t0000000000000200\n"), true);
  assert.equal(usr1Blocked("SigBlk:\t0000000000010000\n"), false);
  assert.equal(usr1Blocked("Name:\tdeno\n"), false);
});
