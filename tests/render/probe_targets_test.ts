/**
 * tcp readiness through `nimi probe` and the loggers (s6-log, svlogd), under the real s6-svscan
 * and runsvdir: a client that depends on its server being ready reaches it on its first run,
 * and each service's lines land in its log directory.
 */
import assert from "node:assert/strict";
import {
  freePort,
  nimiLauncher,
  readOrEmpty,
  removeWhenQuiet,
  renderTo,
  run,
  waitFor,
} from "./helpers.ts";
import { readinessPair } from "./readiness_pair.ts";

const SUITES = [
  {
    target: "s6",
    scanner: (scan: string) => ["s6-svscan", scan],
    stop: async (scan: string, child: Deno.ChildProcess) => {
      await run("s6-svscanctl", ["-t", scan]);
      await child.status;
    },
  },
  {
    target: "runit",
    scanner: (scan: string) => ["runsvdir", scan],
    stop: async (_scan: string, child: Deno.ChildProcess) => {
      child.kill("SIGHUP");
      await child.status;
    },
  },
];

for (const suite of SUITES) {
  Deno.test(`${suite.target}: tcp readiness through nimi probe orders the client; the logger writes`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `nimi-test-render-probe-${suite.target}-` });
    const scan = `${dir}/scan`;
    let child: Deno.ChildProcess | undefined;
    try {
      const services = readinessPair(freePort(), {
        dependsOn: { server: "ready" },
        restart: { mode: "always", time: 200 },
      });
      await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify({ services }));
      await renderTo(suite.target, `${dir}/c.json`, scan, {
        stateDir: `${dir}/state`,
        nimi: await nimiLauncher(dir),
      });
      const [program, ...args] = suite.scanner(scan);
      child = new Deno.Command(program!, {
        args,
        env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const log = (name: string) => readOrEmpty(`${dir}/state/${name}/log/current`);
      const clientLog = await waitFor(
        "the client's line in its log",
        async () =>
          /client reached server/.test(await log("client")) ? await log("client") : undefined,
      );
      assert.doesNotMatch(
        clientLog,
        /could not connect/,
        "the client ran before the server was ready",
      );
      const serverLog = await log("server");
      assert.match(serverLog, /server starting/);
      assert.match(serverLog, /server listening/);
      assert.doesNotMatch(serverLog, /nimi: probe/, "probe attempts stay out of the log");
      // Both loggers stamp each line with a time.
      assert.match(serverLog, /^\d{4}-\d\d-\d\d[T_ ]\d\d:\d\d:\d\d[.\d]*\s+server listening$/m);
    } finally {
      if (child !== undefined) await suite.stop(scan, child);
      await removeWhenQuiet(dir);
    }
  });
}
