/**
 * Runs every benchmark and prints a Markdown table of figures and ratios against the peers and
 * the targets in design.md. Not part of the test suite: `deno run -A bench/run.ts`.
 *
 * @module
 */
import { benchLogs } from "./logs.ts";
import { benchServices } from "./services.ts";
import { benchRestart } from "./restart.ts";
import { say } from "./lib.ts";

const f = (x: number, d = 2) => x.toFixed(d);

say(
  `# nimi benchmarks, ${new Date().toISOString()}, ${Deno.build.target}, deno ${Deno.version.deno}`,
);
say("");
const logs = await benchLogs();
say("## Log forwarding (2,000,000 lines of 100 bytes)");
say("| manager | seconds | ratio to cat |\n| --- | --- | --- |");
for (const [k, v] of Object.entries(logs)) say(`| ${k} | ${f(v)} | ${f(v / logs.cat!)} |`);
say(`\nTarget: nimi within 2x of cat: ${logs.nimi! / logs.cat! <= 2 ? "met" : "not met"}\n`);

const many = await benchServices(200);
const s6 = many["s6-svscan"]!;
say("## 200 services (sleep)");
say(
  "| manager | start s | start / s6 | stop s | stop / s6 | RSS MiB (manager) | RSS MiB (with supervisors) | idle CPU ticks / 3 s |",
);
say("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [k, v] of Object.entries(many)) {
  say(
    `| ${k} | ${f(v.start)} | ${f(v.start / s6.start)} | ${f(v.stop)} | ${f(v.stop / s6.stop)} | ${
      f(v.rss, 1)
    } | ${f(v.rssTotal, 1)} | ${v.idleTicks} |`,
  );
}
const nimi = many.nimi!;
say(
  `\nTargets: start within 1.2x of s6-svscan: ${
    nimi.start / s6.start <= 1.2 ? "met" : "not met"
  }; stop within 1.5x: ${nimi.stop / s6.stop <= 1.5 ? "met" : "not met"}; RSS under 48 MB: ${
    nimi.rss < 48 ? "met" : "not met"
  }; no CPU while idle: ${nimi.idleTicks === 0 ? "met" : `${nimi.idleTicks} ticks`}\n`,
);

const one = await benchServices(1, ["nimi"]);
say(`RSS with 1 idle service: nimi ${f(one.nimi!.rss, 1)} MiB\n`);

const restart = await benchRestart();
say("## Restart latency (crash to respawn, time: 0)");
say(
  `nimi median gap between starts ${f(restart.nimi)} ms; shell loop ${
    f(restart.loop)
  } ms; nimi's own share ${f(restart.nimi - restart.loop)} ms (target: under 5 ms: ${
    restart.nimi - restart.loop < 5 ? "met" : "not met"
  })`,
);
