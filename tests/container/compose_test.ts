/**
 * The compose file `nimi render --to compose` writes for a two-service example runs under the
 * real docker-compose against podman's Docker API, and the services reach each other over the
 * compose network by service name.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dockerApi, IMAGE, nimiImage } from "../harness/podman.ts";
import { REPO_ROOT } from "../helpers/cli.ts";
import { containerSkip } from "./helpers.ts";

const skip = await containerSkip("tests/container/compose_test.ts");

const decoder = new TextDecoder();

/** A service of the example: the image's Deno running tests/container/services/net.ts. */
function net(...args: string[]): { process: { argv: string[] } } {
  return {
    process: {
      argv: [IMAGE.deno, "run", "-A", "--cached-only", `${IMAGE.services}/net.ts`, ...args],
    },
  };
}

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd, { args, env, stdin: "null" }).output();
  return { code: r.code, out: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

Deno.test({
  name: "a rendered two-service compose file runs under docker-compose against podman",
  ignore: skip !== null,
  fn: async () => {
    const image = await nimiImage();
    const dir = await Deno.makeTempDir({ prefix: "nimi-test-deploy-compose-" });
    const api = await dockerApi();
    const project = `nimi-test-deploy-${crypto.randomUUID().slice(0, 8)}`;
    const env = { DOCKER_HOST: api.host, NIMI_IMAGE: image, COMPOSE_PROJECT_NAME: project };
    const compose = ["-f", `${dir}/out/compose.yaml`];
    try {
      await Deno.writeTextFile(
        `${dir}/nimi.json`,
        JSON.stringify({
          services: {
            server: net("server", "8080"),
            client: {
              ...net("client", "server", "8080"),
              nimi: { dependsOn: { server: "started" } },
            },
          },
        }),
      );
      const render = await run(Deno.execPath(), [
        "run",
        "-A",
        `${REPO_ROOT}/mod.ts`,
        "--config",
        `${dir}/nimi.json`,
        "render",
        "--to",
        "compose",
        "--out",
        `${dir}/out`,
      ]);
      assert.equal(render.code, 0, render.out);
      const up = await run(
        "docker-compose",
        [...compose, "up", "--no-color", "--exit-code-from", "client"],
        env,
      );
      assert.equal(up.code, 0, `docker-compose up:\n${up.out}`);
      assert.match(up.out, /client.*\| client got: hello from \S+/, up.out);
      assert.match(up.out, /server.*\| server listening on 8080/, up.out);
    } finally {
      const down = await run("docker-compose", [...compose, "down", "--timeout", "1"], env);
      await api.stop();
      await Deno.remove(dir, { recursive: true });
      assert.equal(down.code, 0, `docker-compose down:\n${down.out}`);
    }
  },
});
