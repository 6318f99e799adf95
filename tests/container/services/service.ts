/**
 * The example service of the container tests (run by the test image's Deno; the image has no
 * shell): prints `NAME ready`, reports the signals it gets, and follows its arguments:
 *   service.ts NAME [--cat FILE]... [--exit CODE --after MS] [--write DIR] [--id]
 * `--cat` prints a file (a relative path is read under $XDG_CONFIG_HOME, where nimi puts the
 * service's configData), `--exit` ends with a code after a delay, `--write`
 * creates and removes a file in DIR, `--id` prints its uid, gid and $HOME. SIGTERM ends it
 * with 0.
 *
 * @module
 */
const [name = "service", ...rest] = Deno.args;
let exitCode: number | null = null;
let after = 0;
for (let i = 0; i < rest.length; i += 2) {
  const flag = rest[i];
  if (flag === "--id") {
    // deno-lint-ignore no-console
    console.log(`${name} uid=${Deno.uid()} gid=${Deno.gid()} home=${Deno.env.get("HOME")}`);
    i--;
    continue;
  }
  const value = rest[i + 1] ?? "";
  if (flag === "--cat") {
    const file = value.startsWith("/") ? value : `${Deno.env.get("XDG_CONFIG_HOME")}/${value}`;
    // deno-lint-ignore no-console
    console.log(`${name} read: ${(await Deno.readTextFile(file)).trim()}`);
  } else if (flag === "--exit") exitCode = Number(value);
  else if (flag === "--after") after = Number(value);
  else if (flag === "--write") {
    const file = `${value}/${name}-${Deno.pid}`;
    await Deno.writeTextFile(file, "x");
    await Deno.remove(file);
    // deno-lint-ignore no-console
    console.log(`${name} wrote to ${value}`);
  } else throw new Error(`service.ts: unknown argument ${flag}`);
}
for (const signal of ["SIGHUP", "SIGUSR1", "SIGUSR2"] as const) {
  // deno-lint-ignore no-console
  Deno.addSignalListener(signal, () => console.log(`${name} got ${signal}`));
}
Deno.addSignalListener("SIGTERM", () => {
  // deno-lint-ignore no-console
  console.log(`${name} got SIGTERM`);
  Deno.exit(0);
});
// deno-lint-ignore no-console
console.log(`${name} ready`);
if (exitCode !== null) setTimeout(() => Deno.exit(exitCode), after);
else setInterval(() => {}, 1 << 30);
