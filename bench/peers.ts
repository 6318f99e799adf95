/**
 * Config writers for nimi and its peers (supervisord, s6, runit, foreman), so each benchmark
 * sets up the same services for every manager, and the removal of what they wrote.
 *
 * @module
 */
import { sleep } from "./lib.ts";

/** One service: a name and its argv. */
export interface BenchService {
  /** Name. */
  name: string;
  /** Program and arguments. */
  argv: string[];
}

/** Options shared by the writers. */
export interface WriteOptions {
  /** Restart the service when it exits. */
  restart: boolean;
  /** Directory for log files. */
  logDir?: string;
}

/** Writes a nimi config and returns its path. */
export function writeNimi(dir: string, services: BenchService[], opts: WriteOptions): string {
  const config = {
    services: Object.fromEntries(services.map((s) => [s.name, { process: { argv: s.argv } }])),
    settings: {
      restart: { mode: opts.restart ? "always" : "never", time: 0 },
      logging: opts.logDir ? { enable: true, logsDir: opts.logDir } : { enable: false },
      shutdown: { timeout: 5000 },
    },
  };
  const file = `${dir}/nimi.json`;
  Deno.writeTextFileSync(file, JSON.stringify(config));
  return file;
}

/** Writes a supervisord config (private socket, pid and log files) and returns its path. */
export function writeSupervisord(
  dir: string,
  services: BenchService[],
  opts: WriteOptions,
): string {
  const lines = [
    "[supervisord]",
    `logfile=${dir}/supervisord.log`,
    `pidfile=${dir}/supervisord.pid`,
    `childlogdir=${dir}`,
    "nodaemon=true",
    "[unix_http_server]",
    `file=${dir}/supervisor.sock`,
    "[rpcinterface:supervisor]",
    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    "[supervisorctl]",
    `serverurl=unix://${dir}/supervisor.sock`,
  ];
  for (const s of services) {
    lines.push(
      `[program:${s.name}]`,
      `command=${s.argv.join(" ")}`,
      "startsecs=0",
      `autorestart=${opts.restart}`,
      "stopwaitsecs=5",
      opts.logDir ? `stdout_logfile=${opts.logDir}/${s.name}.log` : "stdout_logfile=NONE",
      "stdout_logfile_maxbytes=0",
      "stderr_logfile=NONE",
    );
  }
  const file = `${dir}/supervisord.conf`;
  Deno.writeTextFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** Writes a scan directory of run scripts (s6 and runit share the layout). */
export function writeScanDir(dir: string, services: BenchService[]): string {
  const scan = `${dir}/scan`;
  Deno.mkdirSync(scan, { recursive: true });
  for (const s of services) {
    Deno.mkdirSync(`${scan}/${s.name}`);
    const run = `${scan}/${s.name}/run`;
    Deno.writeTextFileSync(run, `#!/bin/sh\nexec ${s.argv.map(shQuote).join(" ")}\n`);
    Deno.chmodSync(run, 0o755);
  }
  return scan;
}

/** Writes a Procfile and returns its path. */
export function writeProcfile(dir: string, services: BenchService[]): string {
  const file = `${dir}/Procfile`;
  Deno.writeTextFileSync(file, services.map((s) => `${s.name}: ${s.argv.join(" ")}`).join("\n"));
  return file;
}

/**
 * Writes a pm2 ecosystem file (JSON) for `pm2-runtime`, pm2's foreground mode for containers,
 * and returns its path. Logs go to files under `logDir` when given, else nowhere.
 */
export function writePm2(dir: string, services: BenchService[], opts: WriteOptions): string {
  const apps = services.map((s) => ({
    name: s.name,
    script: s.argv[0],
    args: s.argv.slice(1),
    interpreter: "none",
    autorestart: opts.restart,
    restart_delay: 0,
    kill_timeout: 5000,
    out_file: opts.logDir ? `${opts.logDir}/${s.name}.log` : "/dev/null",
    error_file: opts.logDir ? `${opts.logDir}/${s.name}.err` : "/dev/null",
  }));
  const file = `${dir}/ecosystem.json`;
  Deno.writeTextFileSync(file, JSON.stringify({ apps }));
  return file;
}

/** Quotes a word for /bin/sh when it needs it. */
function shQuote(word: string): string {
  return /^[A-Za-z0-9_\/.=:,+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Removes a benchmark's directory once the peers have let go of it: runsv and s6-supervise may
 * still write their supervise/ files for a moment after the manager exits, so the removal is
 * retried (at most 50 times, 100 ms apart).
 *
 * @param dir The directory.
 */
export async function removeWhenQuiet(dir: string): Promise<void> {
  for (let i = 0;; i++) {
    try {
      Deno.removeSync(dir, { recursive: true });
      return;
    } catch (e) {
      if (i >= 50) throw e;
      await sleep(100);
    }
  }
}
