/**
 * The two services of the compose test: a TCP server that answers each connection with one
 * line, and a client that connects to it by host name (retrying until it answers), prints the
 * line and exits 0.
 *   net.ts server PORT
 *   net.ts client HOST PORT
 *
 * @module
 */
const [role, ...args] = Deno.args;
if (role === "server") {
  const listener = Deno.listen({ hostname: "0.0.0.0", port: Number(args[0]) });
  // deno-lint-ignore no-console
  console.log(`server listening on ${args[0]}`);
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  for await (const conn of listener) {
    await conn.write(new TextEncoder().encode(`hello from ${Deno.hostname()}\n`));
    conn.close();
  }
} else if (role === "client") {
  const [hostname = "", port = "0"] = args;
  const end = Date.now() + 30_000;
  while (true) {
    try {
      const conn = await Deno.connect({ hostname, port: Number(port) });
      const line = await new Response(conn.readable).text();
      // deno-lint-ignore no-console
      console.log(`client got: ${line.trim()}`);
      Deno.exit(0);
    } catch (e) {
      if (Date.now() > end) throw e;
      // deno-lint-ignore no-console
      console.log(`client: ${hostname}:${port} not answering yet (${(e as Error).message})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
} else {
  throw new Error(`net.ts: unknown role ${role}`);
}
