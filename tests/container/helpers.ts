/**
 * Helpers of the container tests: the skip reason, a config written where a container can
 * mount it, and a nimi container started from the test image with its output followed.
 *
 * @module
 */
import {
  IMAGE,
  nimiImage,
  podman,
  podmanFlags,
  podmanOk,
  podmanReason,
} from "../harness/podman.ts";

/** Why the container tests cannot run here (printed once per file), or null. */
export async function containerSkip(file: string): Promise<string | null> {
  const reason = await podmanReason();
  if (reason !== null) {
    Deno.stderr.writeSync(new TextEncoder().encode(`skipped: ${file}: ${reason}\n`));
  }
  return reason;
}

/**
 * argv of an example service (tests/container/services/service.ts) inside the image.
 *
 * @param args Its arguments (name first).
 * @returns The argv.
 */
export function service(...args: string[]): string[] {
  return [IMAGE.deno, "run", "-A", "--cached-only", `${IMAGE.services}/service.ts`, ...args];
}

/** A nimi container. */
export interface Container {
  /** Its name (`nimi-test-deploy-...`). */
  name: string;
  /** Everything it wrote to stdout and stderr so far (`podman logs`). */
  logs(): Promise<string>;
  /** Waits until its output matches; fails with the output after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** The host pid of its PID 1. */
  pid(): Promise<number>;
  /** Removes it, running or not. */
  remove(): Promise<void>;
}

/**
 * Starts `podman run -d` of the test image (no `--init`) with a config mounted read-only at
 * /config/nimi.json and nimi's arguments `--config /config/nimi.json run`.
 *
 * @param config nimi's config.
 * @param podmanArgs More `podman run` options.
 * @returns The container.
 */
export async function startContainer(
  config: unknown,
  podmanArgs: string[] = [],
): Promise<Container> {
  const image = await nimiImage();
  const dir = await Deno.makeTempDir({ prefix: "nimi-test-deploy-config-" });
  await Deno.chmod(dir, 0o755);
  await Deno.writeTextFile(`${dir}/nimi.json`, JSON.stringify(config, null, 2));
  return await runImage(image, {
    name: `nimi-test-deploy-${crypto.randomUUID().slice(0, 12)}`,
    podmanArgs: ["-v", `${dir}:/config:ro`, ...podmanArgs],
    args: ["--config", "/config/nimi.json", "run"],
    cleanUp: () => Deno.remove(dir, { recursive: true }),
  });
}

/** Options of {@link runImage}. */
export interface RunImageOptions {
  /** The container's name (unique, with the test area in it). */
  name: string;
  /** More `podman run` options. */
  podmanArgs?: string[];
  /** The arguments after the image name (the entrypoint's). */
  args?: string[];
  /** Run once the container is removed (temporary files of the caller). */
  cleanUp?: () => Promise<void>;
}

/**
 * Starts `podman run -d` of an image (no `--init`, no network) with its output followed.
 *
 * @param image The image.
 * @param opts Name, podman options, arguments and what to clean up.
 * @returns The container.
 */
export async function runImage(image: string, opts: RunImageOptions): Promise<Container> {
  const { name } = opts;
  await podmanOk([
    "run",
    "-d",
    "--name",
    name,
    "--network",
    "none",
    ...opts.podmanArgs ?? [],
    image,
    ...opts.args ?? [],
  ]);
  const logs = async (): Promise<string> => {
    const r = await podman(["logs", name]);
    return r.stdout + r.stderr;
  };
  const follow = await followLogs(name);
  return {
    name,
    logs,
    async waitFor(pattern: RegExp, ms = 30_000): Promise<string> {
      if (await follow.until(() => pattern.test(follow.text), ms)) return follow.text;
      throw new Error(`${name}: no ${pattern} after ${ms} ms:\n${await logs()}`);
    },
    async pid(): Promise<number> {
      return Number((await podmanOk(["inspect", "--format", "{{.State.Pid}}", name])).trim());
    },
    async remove(): Promise<void> {
      await podman(["rm", "--force", "--time", "0", name]);
      await follow.stop();
      await opts.cleanUp?.();
    },
  };
}

/** A container's output as one `podman logs --follow` reads it. */
interface FollowedLogs {
  /** What arrived so far (stdout and stderr, in arrival order). */
  readonly text: string;
  /** Resolves true once `done()` holds (checked as output arrives), false after `ms`. */
  until(done: () => boolean, ms: number): Promise<boolean>;
  /** Ends the follower (the container's removal ends it too) and waits for it. */
  stop(): Promise<void>;
}

/**
 * Follows a container's output with one `podman logs --follow` process, so that waiting for a
 * line is keyed on its arrival instead of running podman again and again (each run costs a
 * podman start, which under a loaded machine is what the waits spent their time on).
 */
async function followLogs(name: string): Promise<FollowedLogs> {
  const child = new Deno.Command("podman", {
    args: [...await podmanFlags(), "logs", "--follow", name],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters = new Set<() => void>();
  const arrived = () => {
    for (const w of waiters) w();
  };
  const read = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      arrived();
    }
  };
  const reading = Promise.all([read(child.stdout), read(child.stderr)]).finally(arrived);
  let ended = false;
  reading.then(() => ended = true, () => ended = true);
  return {
    get text() {
      return text;
    },
    async until(done, ms) {
      const end = Date.now() + ms;
      while (!done()) {
        const left = end - Date.now();
        if (left <= 0 || ended) return done();
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
      return true;
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // it has already exited
      }
      await reading;
      await child.status;
    },
  };
}
