/**
 * The README demo rendered for compose runs under the real docker-compose against podman's
 * Docker API: `condition: service_healthy` holds the client back until web's healthcheck
 * (`nimi probe tcp`) passes, and the client, placed in web's network namespace, reaches it at
 * 127.0.0.1. The image is a Debian one with python3 (the demo's programs); nimi (the Deno
 * runtime and this tree) and the demo are bind-mounted by a test-only override file, as a user
 * would bake them into their image.
 *
 * This machine's podman has no systemd to schedule healthchecks (podman runs them from systemd
 * timers), so the test runs `podman healthcheck run` itself, the way the timer would.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { SYSTEMD_PACKAGES } from "../harness/debian.ts";
import { dockerApi, podman } from "../harness/podman.ts";
import { main } from "../../src/cli/main.ts";
import { MemoryOutput } from "../../src/cli/output.ts";
import {
  CONTAINER_DENO_DIR,
  CONTAINER_NIMI,
  CONTAINER_SRC,
  containerNimiMounts,
  debianImageOrReason,
  denoCacheDir,
} from "./container_nimi.ts";
import { demoConfig, run, waitFor } from "./helpers.ts";
import { killIfRunning } from "../helpers/kill.ts";

// The same package list as the systemd test: one cached image for both.
const { image, reason } = await debianImageOrReason(
  [...SYSTEMD_PACKAGES, "python3"],
  "compose_podman_test",
);

async function containerOf(project: string, service: string): Promise<
  { id: string; status: string } | undefined
> {
  const r = await podman([
    "ps",
    "-a",
    "-q",
    "--filter",
    `label=com.docker.compose.project=${project}`,
    "--filter",
    `label=com.docker.compose.service=${service}`,
  ]);
  const id = r.stdout.trim().split("\n").find((l) => l !== "");
  if (id === undefined) return undefined;
  const state = await podman(["inspect", "--format", "{{.State.Status}}", id]);
  return { id, status: state.stdout.trim() };
}

Deno.test({
  name: "compose: the demo runs under docker-compose against podman; service_healthy waits",
  ignore: reason !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-render-compose-" });
    const api = await dockerApi();
    const project = `nimi-test-render-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      DOCKER_HOST: api.host,
      COMPOSE_PROJECT_NAME: project,
      PATH: Deno.env.get("PATH") ?? "",
    };
    const files = ["-f", `${dir}/out/compose.yaml`, "-f", `${dir}/override.yaml`];
    let up: Deno.ChildProcess | undefined;
    try {
      const io = new MemoryOutput();
      const rendered = await main([
        "--config",
        await demoConfig(dir, 60),
        "render",
        "--to",
        "compose",
        "--out",
        `${dir}/out`,
        "--image",
        image,
        "--nimi",
        "/usr/local/bin/nimi",
      ], io);
      assert.equal(rendered, 0, io.stderr);
      assert.doesNotMatch(io.stderr, /readiness|localhost/);
      const copied = await run("cp", ["-a", await denoCacheDir(), `${dir}/deno-dir`]);
      assert.equal(copied.code, 0, copied.stderr);
      await Deno.writeTextFile(`${dir}/nimi`, CONTAINER_NIMI, { mode: 0o755 });
      const mounts = [
        ...containerNimiMounts(),
        // A writable copy: Deno keeps what it compiled there, so each healthcheck's nimi
        // starts fast (a read-only cache compiles nimi again at every run).
        `${dir}/deno-dir:${CONTAINER_DENO_DIR}`,
        `${dir}/nimi:/usr/local/bin/nimi:ro`,
      ];
      const services = Object.fromEntries(
        ["startup", "web", "client", "worker"].map((
          s,
        ) => [s, { volumes: mounts, working_dir: CONTAINER_SRC }]),
      );
      await Deno.writeTextFile(`${dir}/override.yaml`, stringify({ services }));

      up = new Deno.Command("docker-compose", {
        args: [...files, "up", "-d", "--no-color"],
        cwd: `${dir}/out`,
        env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const upOut = Promise.all([new Response(up.stdout).text(), new Response(up.stderr).text()]);
      let upEnded: Deno.CommandStatus | null = null;
      void up.status.then((s) => (upEnded = s));
      const web = await waitFor(
        "web to run",
        async () => {
          const c = await containerOf(project, "web");
          if (c?.status === "running") return c;
          // compose gave up (an image or network it could not make): say why at once, instead
          // of waiting out the whole bound for a container that will never run.
          if (upEnded !== null && !(upEnded as Deno.CommandStatus).success) {
            const [out, err] = await upOut;
            throw new Error(`docker-compose up failed before web ran:\n${out}${err}`);
          }
          return undefined;
        },
        480,
        250,
      );
      // No healthcheck has run yet: compose must hold the client back.
      await new Promise((r) => setTimeout(r, 3000));
      const early = await containerOf(project, "client");
      assert.ok(
        early === undefined || early.status === "created" || early.status === "configured",
        `the client is ${early?.status} before web is healthy`,
      );
      let last = "";
      await waitFor(
        "web's healthcheck to pass",
        async () => {
          const r = await podman(["healthcheck", "run", web.id]);
          last = `exit ${r.code}: ${r.stdout}${r.stderr}`;
          return r.code === 0 ? true : undefined;
        },
        240,
        250,
      ).catch(async (e) => {
        const logs = await podman(["logs", web.id]);
        const health = await podman(["inspect", "--format", "{{json .State.Health}}", web.id]);
        throw new Error(`${e.message}: ${last}\n${logs.stdout}${logs.stderr}\n${health.stdout}`);
      });
      const status = await up.status;
      const [out, err] = await upOut;
      assert.equal(status.code, 0, `docker-compose up:\n${out}${err}`);
      await waitFor(
        "the client to finish",
        async () => {
          // Healthchecks go on (the timer podman would use), so web stays healthy.
          await podman(["healthcheck", "run", web.id]);
          const c = await containerOf(project, "client");
          return c?.status === "exited" ? c : undefined;
        },
        480,
        250,
      );
      const logs = await run("docker-compose", [...files, "logs", "--no-color", "client", "web"], {
        cwd: `${dir}/out`,
        env,
      });
      assert.match(
        logs.stdout,
        /GET http:\/\/127\.0\.0\.1:8765\/ -> 200: hello from the demo web service/,
        logs.stdout,
      );
      const inspect = await podman([
        "inspect",
        "--format",
        "{{.State.ExitCode}}",
        (await containerOf(project, "client"))!.id,
      ]);
      assert.equal(inspect.stdout.trim(), "0");
    } finally {
      if (up !== undefined) {
        killIfRunning(up, "SIGTERM");
        await up.status;
      }
      // podman removes the containers at once; web, whose network namespace the client
      // shares, is refused until the client is gone: a second down removes it.
      let down = await run("docker-compose", [...files, "down", "--timeout", "1"], {
        cwd: `${dir}/out`,
        env,
      });
      if (down.code !== 0) {
        down = await run("docker-compose", [...files, "down", "--timeout", "1"], {
          cwd: `${dir}/out`,
          env,
        });
      }
      await api.stop();
      await Deno.remove(dir, { recursive: true });
      assert.equal(down.code, 0, `docker-compose down:\n${down.stdout}${down.stderr}`);
    }
  },
});
