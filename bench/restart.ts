/**
 * Restart latency with zero delay: a service that prints `$EPOCHREALTIME` and exits 1 at once,
 * restarted by nimi with `mode: always, time: 0`. The gap between consecutive starts is compared
 * with the same program run in a tight shell loop (the floor: fork, exec and bash start-up).
 *
 * @module
 */
import { median, nimiArgv, ROOT, say, sleep } from "./lib.ts";
import { writeNimi } from "./peers.ts";

const SCRIPT = 'echo "$EPOCHREALTIME"; exit 1';

function gaps(stamps: number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < stamps.length; i++) out.push((stamps[i]! - stamps[i - 1]!) * 1000);
  return out;
}

function stampsIn(text: string): number[] {
  return [...text.matchAll(/(\d{9,}\.\d{6})/g)].map((m) => Number(m[1]));
}

/** Median milliseconds between consecutive starts: nimi and a shell loop. */
export async function benchRestart(): Promise<{ nimi: number; loop: number }> {
  const dir = Deno.makeTempDirSync({ prefix: "nimi-bench-restart-" });
  try {
    const config = writeNimi(dir, [{ name: "crash", argv: ["/bin/bash", "-c", SCRIPT] }], {
      restart: true,
    });
    const [cmd, ...args] = nimiArgv(config);
    const child = new Deno.Command(cmd!, { args, cwd: ROOT, stdout: "piped", stderr: "null" })
      .spawn();
    const output = new Response(child.stdout).text();
    await sleep(3000);
    child.kill("SIGTERM");
    await child.status;
    const nimi = median(gaps(stampsIn(await output)).slice(10));
    const loop = await new Deno.Command("/bin/bash", {
      args: ["-c", `for i in $(seq 500); do /bin/bash -c '${SCRIPT}'; done`],
      stdout: "piped",
    }).output();
    const base = median(gaps(stampsIn(new TextDecoder().decode(loop.stdout))));
    return { nimi, loop: base };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

if (import.meta.main) say(JSON.stringify(await benchRestart()));
