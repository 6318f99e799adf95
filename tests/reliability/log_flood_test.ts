/**
 * Logs under a flood: 20 services write 10,000 numbered lines each (50,000 in bench/soak.sh) on stdout and on stderr at
 * once, a quarter of them crash mid-line and are restarted, with log files rotating. Every
 * line must appear whole, once and in order per stream, on the console and in the log files
 * (rotated ones included), and nimi's RSS must stay within 50 MB of its idle figure. Then a
 * service writing 30 MB without a newline, and binary garbage: memory bounded, lines cut
 * at 64 KiB with the marker.
 */
import assert from "node:assert/strict";
import { CONTINUES_MARKER, MAX_LINE_BYTES } from "../../src/logs/mod.ts";
import { note, rssKiB, sampleRss, sandbox, spawnNimiToFiles, waitUntil } from "./helpers.ts";

const SERVICES = 20;
/** 10,000 in the suite; bench/soak.sh runs this file with NIMI_FLOOD_LINES=50000. */
const LINES = Number(Deno.env.get("NIMI_FLOOD_LINES") ?? 10_000);
/** Bytes the no-newline service writes: 30 MB in the suite, more from bench/soak.sh. */
const NO_NEWLINE = Number(Deno.env.get("NIMI_FLOOD_BYTES") ?? 30_000_000);
const HALF = LINES / 2;

/** awk writing lines `from` to `to` of both streams, interleaved, then maybe a partial line. */
function writer(name: string, crash: boolean): string[] {
  const program = `BEGIN {
    run = 0; if ((getline run < "state-${name}") <= 0) run = 0; close("state-${name}");
    print run + 1 > "state-${name}"; close("state-${name}");
    from = 0; to = ${LINES};
    if (${crash ? 1 : 0}) { if (run == 0) to = ${HALF}; else from = ${HALF}; }
    for (i = from; i < to; i++) { print "${name} out " i; print "${name} err " i > "/dev/stderr"; }
    if (${crash ? 1 : 0} && run == 0) {
      printf "${name} out partial"; printf "${name} err partial" > "/dev/stderr"; exit 1
    }
  }`;
  return [
    "/bin/sh",
    "-c",
    // Wait for the go file, so nimi's idle RSS can be read before the flood.
    `while [ ! -e go ]; do sleep 0.02; done; exec awk '${program.replaceAll("'", "'\\''")}'`,
  ];
}

/** Checks one stream's lines: 0..LINES-1 in order, once each, plus one partial line if it crashed. */
function checkStream(lines: string[], name: string, stream: string, crash: boolean, where: string) {
  const head = `${name} ${stream} `;
  let next = 0;
  let partials = 0;
  for (const line of lines) {
    if (!line.startsWith(head)) continue;
    const rest = line.slice(head.length);
    if (rest === "partial") {
      partials++;
      assert.equal(next, HALF, `${where}: ${head}partial after line ${next - 1}`);
      continue;
    }
    assert.equal(
      rest,
      String(next),
      `${where}: ${head}: expected line ${next}, got ${JSON.stringify(rest)}`,
    );
    next++;
  }
  assert.equal(next, LINES, `${where}: ${head}: ${next} of ${LINES} lines`);
  assert.equal(partials, crash ? 1 : 0, `${where}: ${head}: ${partials} partial lines`);
}

/** The text after the console prefix (`name | ` or `name ! `), or null. */
function consoleBody(line: string): string | null {
  const m = /^\S+ +[|!] (.*)$/.exec(line);
  return m === null ? null : m[1]!;
}

Deno.test(`logs: ${SERVICES} services x ${LINES} lines x 2 streams, crashes mid-line, rotation: whole, once, in order, memory bounded`, async () => {
  const box = await sandbox("flood");
  try {
    const crashing = (i: number) => i % 4 === 0;
    const services: Record<string, unknown> = {};
    for (let i = 0; i < SERVICES; i++) {
      services[`s${i}`] = {
        process: { argv: writer(`s${i}`, crashing(i)) },
        nimi: { restart: { mode: "on-failure", time: 0 } },
      };
    }
    const file = await box.config({
      services,
      settings: {
        logging: { enable: true, logsDir: "logs", maxBytes: 256 * 1024, maxFiles: 1000 },
      },
    });
    const nimi = spawnNimiToFiles(box.work, file);
    const out = nimi.stdout;
    await waitUntil("every service started", async () => {
      const text = await Deno.readTextFile(out).catch(() => "");
      return [...text.matchAll(/: started \(pid/g)].length === SERVICES;
    });
    await new Promise((r) => setTimeout(r, 500));
    const idle = rssKiB(nimi.child.pid)!;
    const sampler = sampleRss(nimi.child.pid);
    await Deno.writeTextFile(`${box.work}/go`, "");
    const status = await nimi.child.status;
    const peak = sampler.stop();
    assert.equal(status.code, 0, await Deno.readTextFile(nimi.stderr));
    note(
      `  flood: nimi RSS idle ${idle >> 10} MiB, peak ${peak >> 10} MiB during ${
        SERVICES * LINES * 2
      } lines`,
    );
    assert.ok(peak - idle < 50 * 1024, `RSS grew by ${(peak - idle) >> 10} MiB under the flood`);

    const consoleLines = (await Deno.readTextFile(out)).split("\n").map(consoleBody)
      .filter((l): l is string => l !== null);
    for (let i = 0; i < SERVICES; i++) {
      const name = `s${i}`;
      for (const stream of ["out", "err"]) {
        checkStream(consoleLines, name, stream, crashing(i), "console");
      }
      // The log file and its rotations, oldest first; each line is `<time> <stream> <text>`.
      const dir = `${box.work}/logs/logs-0`;
      const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) =>
        n.startsWith(`${name}.log`)
      );
      const rotated = names.map((n) => Number(n.split(".")[2] ?? 0)).sort((a, b) => b - a);
      assert.ok(
        rotated.length > 3,
        `${name}: only ${rotated.length} log files: rotation not exercised`,
      );
      const fileLines: string[] = [];
      for (const n of rotated) {
        const text = await Deno.readTextFile(`${dir}/${name}.log${n === 0 ? "" : `.${n}`}`);
        for (const line of text.split("\n")) {
          const m = /^\S+ (stdout|stderr|nimi) (.*)$/.exec(line);
          if (m !== null && m[1] !== "nimi") fileLines.push(m[2]!);
        }
      }
      for (const stream of ["out", "err"]) {
        checkStream(fileLines, name, stream, crashing(i), `${name}.log*`);
      }
    }
  } finally {
    await box.remove();
  }
});

Deno.test("logs: a stream without a newline and binary garbage keep memory bounded, cut at 64 KiB with the marker", async () => {
  const box = await sandbox("noline");
  try {
    const file = await box.config({
      services: {
        noline: {
          process: {
            argv: [
              "/bin/sh",
              "-c",
              `while [ ! -e go ]; do sleep 0.02; done; head -c ${NO_NEWLINE} /dev/zero | tr '\\0' x`,
            ],
          },
        },
        garbage: {
          process: {
            argv: [
              "/bin/sh",
              "-c",
              "while [ ! -e go ]; do sleep 0.02; done; head -c 5000000 /dev/urandom",
            ],
          },
        },
      },
      settings: { restart: { mode: "never" }, logging: { enable: true, logsDir: "logs" } },
    });
    const nimi = spawnNimiToFiles(box.work, file);
    await waitUntil("both started", async () => {
      const text = await Deno.readTextFile(nimi.stdout).catch(() => "");
      return [...text.matchAll(/: started \(pid/g)].length === 2;
    });
    await new Promise((r) => setTimeout(r, 500));
    const idle = rssKiB(nimi.child.pid)!;
    const sampler = sampleRss(nimi.child.pid);
    await Deno.writeTextFile(`${box.work}/go`, "");
    const status = await nimi.child.status;
    const peak = sampler.stop();
    assert.equal(status.code, 0, await Deno.readTextFile(nimi.stderr));
    note(
      `  no newline: nimi RSS idle ${idle >> 10} MiB, peak ${peak >> 10} MiB for ${
        NO_NEWLINE / 1e6
      } MB without newline + 5 MB random`,
    );
    assert.ok(peak - idle < 50 * 1024, `RSS grew by ${(peak - idle) >> 10} MiB`);
    // The console: the x's in pieces of 64 KiB, each but the last marked.
    const prefix = "noline  | ";
    const piece = `${prefix}${"x".repeat(MAX_LINE_BYTES)}${CONTINUES_MARKER}\n`;
    const bytes = await Deno.readFile(nimi.stdout);
    const text = new TextDecoder("latin1").decode(bytes);
    const full = Math.ceil(NO_NEWLINE / MAX_LINE_BYTES) - 1;
    let at = text.indexOf(piece);
    let n = 0;
    while (at !== -1 && n < full) {
      n++;
      at = text.indexOf(piece, at + piece.length);
    }
    assert.equal(n, full, `${n} of ${full} marked pieces`);
    const last = NO_NEWLINE - full * MAX_LINE_BYTES;
    assert.ok(text.includes(`${prefix}${"x".repeat(last)}\n`), "the last piece, unmarked");
    // Every console line is at most the cap plus prefix and marker.
    let longest = 0;
    for (let s = 0, e = bytes.indexOf(10); e !== -1; s = e + 1, e = bytes.indexOf(10, s)) {
      longest = Math.max(longest, e - s);
    }
    assert.ok(
      longest <= MAX_LINE_BYTES + prefix.length + CONTINUES_MARKER.length,
      `a line of ${longest} bytes`,
    );
  } finally {
    await box.remove();
  }
});
