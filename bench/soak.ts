/**
 * Soak: one `nimi run` for a long time (default an hour) with a service restarting as fast as
 * its policy allows, services flooding their output in bursts (lines, a stream without
 * newlines, binary), and bursts of 1,000 SIGHUP and SIGUSR1. nimi's RSS, CPU and open fds are
 * sampled every 10 s; at the end it is stopped with SIGTERM and must exit 0 with no service
 * process left. Not part of the test suite. Prints a Markdown table for bench/README.md.
 *
 *   deno run -A bench/soak.ts            # one hour
 *   SOAK_SECONDS=600 deno run -A bench/soak.ts
 *
 * @module
 */
const SECONDS = Number(Deno.env.get("SOAK_SECONDS") ?? 3600);
const SAMPLE_MS = 10_000;
const REPO = new URL("..", import.meta.url).pathname;

const dir = await Deno.makeTempDir({ prefix: "nimi-bench-soak-" });
const mark = `${3000 + Math.floor(Math.random() * 1e6) / 1e3}`;
const burst = (what: string) => `while :; do sleep 5; ${what}; done # ${mark}`;
const config = {
  services: {
    churn: {
      process: { argv: ["/bin/sh", "-c", `echo crash; exit 1 # ${mark}`] },
      nimi: { restart: { mode: "always", time: 0, resetAfter: 0 } },
    },
    lines: {
      process: {
        argv: ["/bin/sh", "-c", burst(`seq 1 200000 | sed 's/^/line /'; seq 1 50000 >&2`)],
      },
    },
    noline: {
      process: { argv: ["/bin/sh", "-c", burst("head -c 20000000 /dev/zero | tr '\\0' x")] },
    },
    binary: { process: { argv: ["/bin/sh", "-c", burst("head -c 5000000 /dev/urandom")] } },
    listener: {
      process: {
        argv: [
          "/bin/sh",
          "-c",
          `trap 'echo hup' HUP; trap 'echo usr1' USR1; while :; do sleep ${mark} & wait $!; done`,
        ],
      },
    },
  },
  settings: {
    logging: { enable: true, logsDir: `${dir}/logs`, maxBytes: 10_000_000, maxFiles: 3 },
  },
};
await Deno.writeTextFile(`${dir}/soak.json`, JSON.stringify(config));
const child = new Deno.Command("sh", {
  args: [
    "-c",
    `exec "$0" run -A "$1" --config "$2" run > /dev/null 2> "$3"`,
    Deno.execPath(),
    `${REPO}mod.ts`,
    `${dir}/soak.json`,
    `${dir}/err`,
  ],
  env: { NO_COLOR: "1" },
}).spawn();
const pid = child.pid;

function sample(): { rss: number; ticks: number; fds: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    rss: Number(status.match(/^VmRSS:\s+(\d+)/m)![1]) >> 10,
    ticks: Number(f[11]) + Number(f[12]),
    fds: [...Deno.readDirSync(`/proc/${pid}/fd`)].length,
  };
}

const encoder = new TextEncoder();
const print = (text: string) => Deno.stdout.writeSync(encoder.encode(`${text}\n`));
const rows: string[] = [];
// The first sample once nimi has started everything (its own start-up is not the soak).
await new Promise((r) => setTimeout(r, 5000));
const start = performance.now();
let last = sample();
let signals = 0;
const first = last;
let peak = last.rss;
while (performance.now() - start < SECONDS * 1000) {
  await new Promise((r) => setTimeout(r, SAMPLE_MS / 2));
  for (let i = 0; i < 1000; i++) {
    Deno.kill(pid, "SIGHUP");
    Deno.kill(pid, "SIGUSR1");
  }
  signals += 2000;
  await new Promise((r) => setTimeout(r, SAMPLE_MS / 2));
  const now = sample();
  peak = Math.max(peak, now.rss);
  const t = Math.round((performance.now() - start) / 1000);
  rows.push(
    `| ${t} | ${now.rss} | ${
      ((now.ticks - last.ticks) / (SAMPLE_MS / 10) * 100).toFixed(0)
    }% | ${now.fds} |`,
  );
  last = now;
}
Deno.kill(pid, "SIGTERM");
const status = await child.status;
const left = [...Deno.readDirSync("/proc")].filter((e) => /^\d+$/.test(e.name)).filter((e) => {
  try {
    return Deno.readTextFileSync(`/proc/${e.name}/cmdline`).includes(mark);
  } catch {
    return false;
  }
}).length;
const err = await Deno.readTextFile(`${dir}/err`);
await Deno.remove(dir, { recursive: true });

const every = Math.max(1, Math.floor(rows.length / 12));
print(
  `Soak: ${SECONDS} s, ${signals} signals; RSS first ${first.rss} MiB, peak ${peak} MiB, last ${last.rss} MiB; fds first ${first.fds}, last ${last.fds}; exit ${status.code}; processes left: ${left}; stderr: ${
    JSON.stringify(err.slice(0, 200))
  }\n`,
);
print("| s | RSS MiB | CPU (of one core) | fds |\n| - | - | - | - |");
for (let i = 0; i < rows.length; i += every) print(rows[i]!);
if (status.code !== 0 || left !== 0) Deno.exit(1);
