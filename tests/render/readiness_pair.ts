/**
 * The services of the tcp readiness runs under the real managers (s6, runit, s6-rc, OpenRC): a
 * server that listens only after a second and a half, with a tcp readiness probe, and a client
 * that needs it ready. The client connects once: on success it prints `client reached server`
 * and stays up; on failure it prints `client could not connect: ...` and exits 1, which is what
 * the tests look for when a manager started it too early.
 *
 * @module
 */

/** The server's program (python3): `server starting`, 1.5 s, listen, `server listening`. */
function server(port: number): string {
  return `import socket, time
print("server starting", flush=True)
time.sleep(1.5)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${port}))
s.listen(8)
print("server listening", flush=True)
while True:
    s.accept()[0].close()`;
}

/** The client's program (python3): one connection attempt, then up for ten minutes. */
function client(port: number): string {
  return `import socket, sys, time
try:
    socket.create_connection(("127.0.0.1", ${port}), timeout=2).close()
except OSError as e:
    print("client could not connect:", e, flush=True)
    sys.exit(1)
print("client reached server", flush=True)
time.sleep(600)`;
}

/**
 * The `server` and `client` services, for a config's `services`.
 *
 * @param port The port the server listens on (from `freePort()`).
 * @param clientNimi The client's `nimi` options (its `dependsOn` must hold `server: "ready"`).
 * @returns The two services.
 */
export function readinessPair(
  port: number,
  clientNimi: Record<string, unknown>,
): Record<string, unknown> {
  return {
    server: {
      process: { argv: ["python3", "-u", "-c", server(port)] },
      nimi: { readiness: { type: "tcp", port, period: 100 } },
    },
    client: {
      process: { argv: ["python3", "-u", "-c", client(port)] },
      nimi: clientNimi,
    },
  };
}
