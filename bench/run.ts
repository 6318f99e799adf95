/**
 * Runs every benchmark and prints Markdown tables of figures and ratios against the peers and
 * the targets (issue 16). Not part of the test suite: `deno run -A bench/run.ts`.
 *
 * @module
 */
import { benchLogs } from "./logs.ts";
import { benchServices, type ServicesResult } from "./services.ts";
import { benchRestart } from "./restart.ts";
import { benchFirstSpawn } from "./first_spawn.ts";
import { machineLoad, say } from "./lib.ts";

const f = (x: number, d = 2) => x.toFixed(d);
const met = (ok: boolean) => (ok ? "met" : "**not met**");
const loads: number[] = [];
const noteLoad = () => loads.push(machineLoad().load1);

const { cpus } = machineLoad();
say(
  `# nimi benchmarks, ${
    new Date().toISOString()
  }, ${Deno.build.target}, ${cpus} CPUs, deno ${Deno.version.deno}`,
);
say("");
noteLoad();

const logs = await benchLogs();
noteLoad();
say("## Log forwarding (2,000,000 lines of 100 bytes)\n");
say("| manager | seconds | ratio to cat |\n| --- | --- | --- |");
for (const [k, v] of Object.entries(logs)) say(`| ${k} | ${f(v)} | ${f(v / logs.cat!)} |`);
say(`\nTarget: nimi within 2.0x of cat: ${met(logs.nimi! / logs.cat! <= 2)}\n`);

const first = await benchFirstSpawn();
noteLoad();
say("## Time to first spawn (ms)\n");
say("| manager | ms | ratio to tini | ratio to s6-svscan |\n| --- | --- | --- | --- |");
for (const [k, v] of Object.entries(first)) {
  say(`| ${k} | ${f(v, 1)} | ${f(v / first.tini!)} | ${f(v / first["s6-svscan"]!)} |`);
}
say("");

function servicesTable(title: string, results: Record<string, ServicesResult>): void {
  const s6 = results["s6-svscan"]!;
  say(`## ${title}\n`);
  say(
    "| manager | start s | start / s6 | stop s | stop / s6 | RSS MiB | RssAnon MiB | RssFile MiB | PSS MiB | PSS MiB with supervisors | idle CPU ticks / 3 s |",
  );
  say("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const [k, v] of Object.entries(results)) {
    const m = v.memory;
    say(
      `| ${k} | ${f(v.start)} | ${f(v.start / s6.start)} | ${f(v.stop)} | ${
        f(v.stop / s6.stop)
      } | ${f(m.rss, 1)} | ${f(m.anon, 1)} | ${f(m.file, 1)} | ${f(m.pss, 1)} | ${
        f(v.memoryTotal.pss, 1)
      } | ${v.idleTicks} |`,
    );
  }
  say("");
}

const many = await benchServices(200);
noteLoad();
servicesTable("200 services (sleep)", many);
const nimi = many.nimi!;
const s6 = many["s6-svscan"]!;
say(
  `Targets: start within 1.2x of s6-svscan: ${met(nimi.start / s6.start <= 1.2)}; RssAnon under ` +
    `20 MB: ${met(nimi.memory.anon * 1.048576 < 20)}; RSS under 64 MB: ${
      met(nimi.memory.rss * 1.048576 < 64)
    }; no CPU while idle: ${nimi.idleTicks === 0 ? "met" : `${nimi.idleTicks} ticks`}\n`,
);

const huge = await benchServices(2000, ["nimi", "s6-svscan"]);
noteLoad();
servicesTable("2,000 services (sleep)", huge);

const one = await benchServices(1, ["nimi"]);
const m1 = one.nimi!.memory;
say(
  `nimi with 1 idle service: RSS ${f(m1.rss, 1)} MiB, RssAnon ${f(m1.anon, 1)} MiB, PSS ${
    f(m1.pss, 1)
  } MiB\n`,
);

const restart = await benchRestart();
noteLoad();
say("## Restart latency (crash to respawn, time: 0)\n");
say(
  `nimi median gap between starts ${f(restart.nimi)} ms; shell loop ${
    f(restart.loop)
  } ms; nimi's own share ${f(restart.nimi - restart.loop)} ms (target: under 5 ms: ${
    met(restart.nimi - restart.loop < 5)
  })\n`,
);
say(`Load average (1 min) at the start and after each part: ${loads.map((l) => f(l)).join(", ")}`);
