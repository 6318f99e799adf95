/**
 * What an idle control socket costs: `nimi run` with 200 idle services, with the socket and
 * with `--no-control`, interleaved run by run. Prints RssAnon after settling and CPU ticks
 * over 5 s of idleness, as medians. Not run by CI (numbers, not pass/fail).
 *
 * deno run -A bench/control_idle.ts [runs]
 *
 * @module
 */
const runs = Number(Deno.args[0] ?? 3);
const repo = new URL("..", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "nimi-bench-control-" });
const services: Record<string, unknown> = {};
for (let i = 0; i < 200; i++) services[`s${i}`] = { process: { argv: ["sleep", "1000"] } };
const config = `${dir}/idle.json`;
await Deno.writeTextFile(config, JSON.stringify({ services }));

function field(pid: number, name: string): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(
    new RegExp(`^${name}:\\s+(\\d+)`, "m"),
  );
  return m ? Number(m[1]) : NaN;
}

function ticks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}

async function one(control: boolean): Promise<{ anon: number; cpu: number }> {
  const args = ["run", "-A", `${repo}mod.ts`, "--config", config, "run"];
  args.push(...(control ? ["--socket", `${dir}/nimi.sock`] : ["--no-control"]));
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Start-up garbage is given back after 2 s of quiet (src/pid1/heap.ts): wait past it.
  await new Promise((r) => setTimeout(r, 8000));
  const before = ticks(child.pid);
  await new Promise((r) => setTimeout(r, 5000));
  const cpu = ticks(child.pid) - before;
  const anon = field(child.pid, "RssAnon");
  child.kill("SIGTERM");
  await child.status;
  return { anon, cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const on: { anon: number; cpu: number }[] = [];
const off: { anon: number; cpu: number }[] = [];
for (let i = 0; i < runs; i++) {
  off.push(await one(false));
  on.push(await one(true));
}
const line = (name: string, r: { anon: number; cpu: number }[]) =>
  `${name.padEnd(14)} RssAnon ${(median(r.map((x) => x.anon)) / 1024).toFixed(1)} MiB, ` +
  `CPU ${median(r.map((x) => x.cpu))} ticks / 5 s idle (runs: ${
    r.map((x) => x.anon).join(", ")
  } kB)`;
const out = [
  line("--no-control", off),
  line("control socket", on),
  `difference     ${
    ((median(on.map((x) => x.anon)) - median(off.map((x) => x.anon))) / 1024).toFixed(2)
  } MiB RssAnon`,
];
await Deno.stdout.write(new TextEncoder().encode(out.join("\n") + "\n"));
await Deno.remove(dir, { recursive: true });
