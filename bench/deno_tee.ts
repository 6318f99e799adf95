/**
 * `tee` written for Deno: runs `cat FILE` with a piped stdout and writes every chunk it reads,
 * unchanged, to its own stdout and to OUT, with one write of each in flight while the next
 * chunk is read (as nimi's writers do). No lines, no prefixes, no timestamps: the floor of log
 * forwarding for any program on this runtime (bench/logs.ts, "deno tee").
 *
 * Usage: `deno run -A bench/deno_tee.ts FILE OUT`
 *
 * @module
 */
const [input, output] = Deno.args;
if (input === undefined || output === undefined) {
  Deno.stderr.writeSync(new TextEncoder().encode("usage: deno_tee.ts FILE OUT\n"));
  Deno.exit(2);
}
const file = Deno.openSync(output, { write: true, create: true, truncate: true });
const child = new Deno.Command("/bin/cat", { args: [input], stdout: "piped" }).spawn();
const reader = child.stdout.getReader({ mode: "byob" });

async function writeAll(w: Deno.FsFile | typeof Deno.stdout, chunk: Uint8Array): Promise<void> {
  for (let done = 0; done < chunk.length;) done += await w.write(chunk.subarray(done));
}

let inFlight: Promise<unknown> = Promise.resolve();
for (;;) {
  // A fresh buffer per read: the previous one may still be being written.
  const { done, value } = await reader.read(new Uint8Array(65536));
  if (done || value === undefined) break;
  await inFlight;
  inFlight = Promise.all([writeAll(Deno.stdout, value), writeAll(file, value)]);
}
await inFlight;
await child.status;
file.close();
