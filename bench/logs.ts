/**
 * Log forwarding: one service prints 2,000,000 lines of 100 bytes; time until the manager has
 * written them all. Peers: `cat` through a pipe (the pipe limit), supervisord, foreman, pm2
 * (`pm2-runtime`, which prints the lines unprefixed and also appends them to a log file). Three
 * floors: `cat | tee` (the input written twice), "same bytes" (the pipe read plus the very bytes
 * nimi wrote, console and log file, each copied by `cat` at once), and "deno tee" (the input
 * written twice by a Deno program on nimi's runtime and flags, bench/deno_tee.ts).
 *
 * @module
 */
import { median, NIMI_FLAGS, nimiArgv, nimiRuntime, now, say, sleep, spawn } from "./lib.ts";
import { writeNimi, writePm2, writeProcfile, writeSupervisord } from "./peers.ts";

const LINES = Number(Deno.env.get("BENCH_LINES") ?? 2_000_000);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);
/** Peers left out (`BENCH_SKIP=foreman,pm2`): foreman alone takes half a minute a run. */
const SKIP = (Deno.env.get("BENCH_SKIP") ?? "").split(",");

const DENO_TEE = new URL("./deno_tee.ts", import.meta.url).pathname;

/** Result: median seconds per manager. */
export type LogResult = Record<string, number>;

/** Runs the log forwarding benchmark. */
export async function benchLogs(): Promise<LogResult> {
  const dir = Deno.makeTempDirSync({ dir: "/dev/shm", prefix: "nimi-bench-logs-" });
  try {
    const input = `${dir}/lines.txt`;
    const body = "x".repeat(88);
    const f = Deno.openSync(input, { write: true, create: true });
    const enc = new TextEncoder();
    for (let i = 0; i < LINES; i += 10000) {
      let chunk = "";
      for (let j = i; j < Math.min(i + 10000, LINES); j++) {
        chunk += `${String(j).padStart(10, "0")} ${body}\n`;
      }
      f.writeSync(enc.encode(chunk));
    }
    f.close();
    const service = [{ name: "gen", argv: ["/bin/cat", input] }];
    const times: Record<string, number[]> = {
      cat: [],
      tee: [],
      "same bytes": [],
      "deno tee": [],
      nimi: [],
      supervisord: [],
      foreman: [],
      pm2: [],
    };
    const out = `${dir}/out`;
    const supervisord = async (_run: number) => {
      const sdir = Deno.makeTempDirSync({ dir });
      const conf = writeSupervisord(sdir, service, { restart: false, logDir: sdir });
      const t = now();
      const sup = spawn(["supervisord", "-n", "-c", conf]);
      const want = LINES * 100;
      for (;;) {
        let size = 0;
        try {
          size = Deno.statSync(`${sdir}/gen.log`).size;
        } catch {
          size = 0; // not created yet
        }
        if (size >= want) break;
        await sleep(2);
      }
      times.supervisord!.push(now() - t);
      sup.kill("SIGTERM");
      await sup.status;
      Deno.removeSync(sdir, { recursive: true });
    };
    const foreman = async () => {
      const procfile = writeProcfile(dir, service);
      const t = now();
      const fm = spawn(["foreman", "start", "-f", procfile, "-d", dir], { stdout: out });
      await fm.status;
      times.foreman!.push(now() - t);
    };
    const pm2 = async () => {
      const pdir = Deno.makeTempDirSync({ dir });
      const eco = writePm2(pdir, service, { restart: false, logDir: pdir });
      const t = now();
      const stdout = `${pdir}/stdout`;
      const runtime = spawn(["pm2-runtime", "start", eco], {
        stdout,
        env: { PM2_HOME: `${pdir}/home` },
      });
      // Timed like supervisord, by its log file; its stdout is checked apart (it has lost
      // lines there when the service exits, and once in its log file too: then pm2-runtime
      // ends with the file short, and the time is when it ended).
      let ended = false;
      const exit = runtime.status.then(() => void (ended = true));
      await Promise.race([waitForSize(`${pdir}/gen.log`, LINES * 100, () => ended), exit]);
      times.pm2!.push(now() - t);
      await Promise.race([waitForLastLine(stdout, LINES * 100, () => ended), sleep(10000)]);
      try {
        runtime.kill("SIGTERM");
      } catch {
        // pm2-runtime ended by itself
      }
      await runtime.status;
      checkLines(`${pdir}/gen.log`, "pm2 log file");
      checkLines(stdout, "pm2 stdout");
      Deno.removeSync(pdir, { recursive: true });
    };
    const shell = (script: string) =>
      new Deno.Command("/bin/sh", { args: ["-c", script] }).output();
    for (let run = 0; run < RUNS; run++) {
      let t = now();
      await shell(`cat ${input} | cat > ${out}`);
      times.cat!.push(now() - t);

      const logs = `${dir}/nimi-logs-${run}`;
      const config = writeNimi(dir, service, { restart: false, logDir: logs });
      t = now();
      const nimi = spawn(nimiArgv(config), { stdout: out });
      await nimi.status;
      times.nimi!.push(now() - t);
      checkLines(out, "nimi stdout");
      // The floor for nimi's output: the pipe read plus the very bytes nimi wrote (its
      // prefixed console and its timestamped log file, 2.4 times the input), each written by
      // `cat` at once, with nothing done to them.
      const console = `${dir}/floor-console`;
      const file = `${dir}/floor-file`;
      if (run === 0) {
        Deno.copyFileSync(out, console);
        Deno.copyFileSync(`${logs}/logs-0/gen.log`, file);
      }
      // Each run's 200 MB of tmpfs pages are freed before the next: a VM that has to back
      // fresh pages for every run makes the later runs slower than the first.
      Deno.removeSync(logs, { recursive: true });

      t = now();
      await shell(`cat ${input} | tee ${out}.tee > ${out}`);
      times.tee!.push(now() - t);
      t = now();
      await shell(
        `cat ${input} | cat > /dev/null & cat ${console} > ${out} & cat ${file} > ${out}.tee & wait`,
      );
      times["same bytes"]!.push(now() - t);
      Deno.removeSync(`${out}.tee`);
      t = now();
      const tee = [nimiRuntime(), "run", "-A", ...NIMI_FLAGS, DENO_TEE, input, `${out}.tee`];
      await spawn(tee, { stdout: out }).status;
      times["deno tee"]!.push(now() - t);
      if (Deno.statSync(out).size !== LINES * 100) say("warning: deno tee's stdout is short");
      Deno.removeSync(`${out}.tee`);

      if (!SKIP.includes("supervisord")) await supervisord(run);
      if (!SKIP.includes("foreman")) await foreman();
      if (!SKIP.includes("pm2")) await pm2();
    }
    return Object.fromEntries(
      Object.entries(times).filter(([, v]) => v.length > 0).map(([k, v]) => [k, median(v) / 1000]),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Waits until `file` holds at least `size` bytes, or until `stop()` says to give up. */
async function waitForSize(file: string, size: number, stop = () => false): Promise<void> {
  while (!stop()) {
    try {
      if (Deno.statSync(file).size >= size) return;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await sleep(2);
  }
}

/**
 * Waits until `file` holds at least `size` bytes and its last 64 KiB hold the last generated
 * line (pm2 prints its own lines after the service's), or until `stop()` says to give up.
 */
async function waitForLastLine(
  file: string,
  size: number,
  stop: () => boolean,
): Promise<void> {
  const last = `${String(LINES - 1).padStart(10, "0")} ${"x".repeat(88)}\n`;
  while (!stop()) {
    let ok = false;
    try {
      const f = Deno.openSync(file);
      const n = f.statSync().size;
      if (n >= size) {
        const tail = new Uint8Array(Math.min(n, 65536));
        f.seekSync(n - tail.length, Deno.SeekMode.Start);
        let got = 0;
        while (got < tail.length) got += f.readSync(tail.subarray(got)) ?? tail.length;
        ok = new TextDecoder().decode(tail).includes(last);
      }
      f.close();
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (ok) return;
    await sleep(2);
  }
}

function checkLines(file: string, what: string): void {
  const text = Deno.readTextFileSync(file);
  const n = text.split("\n").filter((l) => / x{88}$/.test(l)).length;
  if (n !== LINES) say(`warning: ${what} has ${n} of ${LINES} lines`);
}

if (import.meta.main) say(JSON.stringify(await benchLogs()));
