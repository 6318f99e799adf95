/**
 * A config file as the Rust Nimi's Nix side writes it (its toNimiJson dumps the whole evaluated
 * config: settings.binName, container and bubblewrap, top-level meta and passthru) runs as under
 * the Rust Nimi: `"mode": "always"` does not restart a service that exited 0, `up-to-count`
 * restarts a failing one `count` times, log files are `logs-N/<service>.txt`, and `nimi
 * validate` and `nimi run` print the one line saying what nimi still does differently. The same
 * file without those keys keeps nimi's meaning (`always` restarts after exit 0 too).
 *
 * @module
 */
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.ts";

/** The parts of a Rust Nimi config that are not services (its defaults). */
function rustSettings(restart: Record<string, unknown>): Record<string, unknown> {
  return {
    binName: "nimi",
    container: { name: "nimi-container", tag: "latest", imageConfig: { WorkingDir: "/root" } },
    bubblewrap: { flags: ["--tmpfs", "/tmp"], environment: {} },
    logging: { enable: true, logsDir: "nimi_logs" },
    restart,
    startup: { runOnStartup: null },
  };
}

async function writeConfig(dir: string, value: unknown): Promise<string> {
  const file = `${dir}/config.json`;
  await Deno.writeTextFile(file, JSON.stringify(value));
  return file;
}

const NOTE = /warning: a Rust Nimi config: restart modes and log file names/;

Deno.test("a Rust Nimi file: always does not restart after exit 0, with one line saying so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-rust-json-" });
  try {
    const file = await writeConfig(dir, {
      assertions: [],
      warnings: [],
      meta: {},
      passthru: {},
      services: {
        once: {
          process: { argv: ["/bin/sh", "-c", "echo ran once"] },
          configData: {},
          services: {},
          meta: { maintainers: [] },
        },
      },
      settings: rustSettings({ mode: "always", time: 100, count: 5 }),
    });
    const validated = await runCli(["--config", file, "validate"]);
    assert.equal(validated.code, 0, validated.stderr);
    assert.equal(
      (validated.stdout + validated.stderr).split("\n").filter((l) => NOTE.test(l)).length,
      1,
    );

    const run = await runCli(["--config", file, "run"], { cwd: dir });
    const out = run.stdout + run.stderr;
    assert.equal(run.code, 0, out);
    assert.equal(out.split("ran once").length - 1, 1, out);
    assert.equal(out.split("\n").filter((l) => NOTE.test(l)).length, 1, out);
    // The Rust Nimi's log file name.
    const logs = await Deno.readTextFile(`${dir}/nimi_logs/logs-0/once.txt`);
    assert.match(logs, /ran once/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Rust Nimi file: up-to-count restarts a failing service count times", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-rust-json-" });
  try {
    const file = await writeConfig(dir, {
      services: { flaky: { process: { argv: ["/bin/sh", "-c", "echo attempt; exit 3"] } } },
      settings: rustSettings({ mode: "up-to-count", time: 10, count: 2 }),
    });
    const run = await runCli(["--config", file, "run"], { cwd: dir });
    const out = run.stdout + run.stderr;
    assert.equal(out.split("attempt").length - 1, 3, out);
    assert.notEqual(run.code, 0, out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nimi's own file: always restarts after exit 0 too, and says nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nimi-rust-json-" });
  try {
    const marker = `${dir}/runs`;
    const file = await writeConfig(dir, {
      services: {
        again: {
          process: {
            argv: [
              "/bin/sh",
              "-c",
              `echo x >> ${marker}; [ $(wc -l < ${marker}) -ge 3 ] && kill -TERM $PPID; exit 0`,
            ],
          },
        },
      },
      settings: { restart: { mode: "always", time: 10 } },
    });
    const run = await runCli(["--config", file, "run"], { cwd: dir });
    const out = run.stdout + run.stderr;
    assert.doesNotMatch(out, NOTE);
    assert.ok((await Deno.readTextFile(marker)).split("\n").length - 1 >= 3, out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
