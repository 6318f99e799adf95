/**
 * The s6-rc target: its tree's layout, and a run under the real s6-rc (s6-rc-compile,
 * s6-svscan, s6-rc-init, s6-rc -u change user) with dependencies, tcp readiness through
 * `nimi probe`, a oneshot and s6-log. Debian 12 has no s6-rc package: the run needs s6-rc on
 * PATH (or NIMI_TEST_S6RC_BIN) and is skipped, with a printed reason, without it.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/mod.ts";
import { execlineQuote, renderS6Rc } from "../../src/render/s6_rc.ts";
import {
  freePort,
  nimiLauncher,
  readOrEmpty,
  removeWhenQuiet,
  renderTo,
  REPO_ROOT,
  run,
  waitFor,
} from "./helpers.ts";
import { readinessPair } from "./readiness_pair.ts";

const S6RC_BIN = Deno.env.get("NIMI_TEST_S6RC_BIN") ?? "";

async function s6rcReason(): Promise<string | null> {
  const path = `${S6RC_BIN ? `${S6RC_BIN}:` : ""}${Deno.env.get("PATH") ?? ""}`;
  const r = await run("sh", ["-c", "command -v s6-rc-compile && command -v s6-svscan"], {
    env: { PATH: path },
  });
  return r.code === 0 ? null : "s6-rc is not installed (Debian 12 has no s6-rc package)";
}

const reason = await s6rcReason();
if (reason !== null) {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`s6_rc_test: skipping the s6-rc run: ${reason}\n`),
  );
}

Deno.test("execlineQuote() escapes backslashes and double quotes", () => {
  assert.equal(execlineQuote('say "hi" \\ $x'), '"say \\"hi\\" \\\\ $x"');
});

Deno.test("renderS6Rc() lays out s6-overlay's s6-rc.d: longruns, loggers, oneshots, user bundle", async () => {
  const config = await loadConfig(`${REPO_ROOT}/examples/demo.json`);
  const { withStartupService } = await import("../../src/render/mod.ts");
  const result = renderS6Rc(withStartupService(config), {
    prefix: "",
    user: false,
    stateDir: "/var/lib/nimi",
    rawConfig: null,
    nimi: "/usr/bin/nimi",
  });
  const file = (p: string) => result.files.find((f) => f.path === `s6-rc.d/${p}`)?.content;
  assert.equal(file("web/type"), "longrun\n");
  assert.equal(file("web/producer-for"), "web-log\n");
  assert.equal(file("web-log/consumer-for"), "web\n");
  assert.match(file("web-log/run")!, /exec s6-log .* \/var\/lib\/nimi\/web\/log\n$/);
  assert.equal(file("web/notification-fd"), "3\n");
  assert.match(
    file("web/data/check")!,
    /^exec \/usr\/bin\/nimi probe --timeout|^exec \/usr\/bin\/nimi probe tcp/m,
  );
  assert.equal(file("startup/type"), "oneshot\n");
  assert.equal(file("client/dependencies.d/web"), "");
  assert.equal(file("client/dependencies.d/startup"), "");
  assert.equal(file("user/type"), "bundle\n");
  for (const n of ["startup", "web", "web-log", "client", "worker", "worker-log"]) {
    assert.equal(file(`user/contents.d/${n}`), "", n);
  }
  assert.doesNotMatch(file("client/up")!, /s6-svwait/);
});

Deno.test({
  name: "s6-rc runs the tree: dependencies and readiness honoured, s6-log writes the lines",
  ignore: reason !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-s6rc-" });
    const env = {
      PATH: `${S6RC_BIN ? `${S6RC_BIN}:` : ""}${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    };
    let scanner: Deno.ChildProcess | undefined;
    try {
      await Deno.writeTextFile(
        `${dir}/c.json`,
        JSON.stringify({
          services: {
            prep: {
              process: {
                argv: ["/bin/sh", "-c", `echo "prep \\"ran\\" \\\\ 100%" > ${dir}/prep.done`],
              },
              nimi: { type: "oneshot", restart: { mode: "never" } },
            },
            ...readinessPair(freePort(), {
              dependsOn: { server: "ready", prep: "completed-successfully" },
              restart: { mode: "never" },
            }),
          },
        }),
      );
      await renderTo("s6-rc", `${dir}/c.json`, `${dir}/overlay`, {
        stateDir: `${dir}/state`,
        nimi: await nimiLauncher(dir),
      });
      const compiled = await run("s6-rc-compile", [`${dir}/db`, `${dir}/overlay/s6-rc.d`], { env });
      assert.equal(compiled.code, 0, compiled.stderr);
      await Deno.mkdir(`${dir}/scan`);
      scanner = new Deno.Command("s6-svscan", {
        args: [`${dir}/scan`],
        env,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      await waitFor("s6-svscan's control fifo", async () => {
        try {
          await Deno.stat(`${dir}/scan/.s6-svscan/control`);
          return true;
        } catch (e) {
          if (e instanceof Deno.errors.NotFound) return undefined;
          throw e;
        }
      });
      const init = await run(
        "s6-rc-init",
        ["-c", `${dir}/db`, "-l", `${dir}/live`, `${dir}/scan`],
        {
          env,
        },
      );
      assert.equal(init.code, 0, init.stderr);
      const up = await run("s6-rc", ["-l", `${dir}/live`, "-u", "change", "user"], { env });
      assert.equal(up.code, 0, up.stderr);
      // s6-rc returns once everything is up: the client came up after server was ready.
      assert.equal(await readOrEmpty(`${dir}/prep.done`), 'prep "ran" \\ 100%\n');
      const log = (n: string) => readOrEmpty(`${dir}/state/${n}/log/current`);
      const clientLog = await waitFor(
        "the client's line in its s6-log directory",
        async () =>
          /client reached server/.test(await log("client")) ? await log("client") : undefined,
      );
      assert.doesNotMatch(clientLog, /could not connect|Error|Traceback/);
      assert.match(await log("server"), /server starting[\s\S]*server listening/);
      const down = await run("s6-rc", ["-l", `${dir}/live`, "-d", "change", "user"], { env });
      assert.equal(down.code, 0, down.stderr);
    } finally {
      if (scanner !== undefined) {
        await run("s6-svscanctl", ["-t", `${dir}/scan`], { env });
        await scanner.status;
      }
      await removeWhenQuiet(dir);
    }
  },
});
