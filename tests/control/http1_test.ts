/**
 * The control socket's HTTP/1.1 server (src/control/http1.ts) on a real Unix socket: requests
 * in origin and absolute form reach the handler with their method, headers and body; answers end
 * with the connection; a streamed body is written as it comes and cancelled when the client
 * leaves; malformed, oversized and chunked requests get their status and nimi serves on; a
 * handler's exception becomes the error response; shutdown ends open streams.
 */
import assert from "node:assert/strict";
import { Http1Server, parseHead } from "../../src/control/http1.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("parseHead() takes origin and absolute targets and refuses malformed heads", () => {
  assert.deepEqual(parseHead("GET /v1/services?x=1 HTTP/1.1\r\nHost: nimi\r\nX-A:  b "), {
    method: "GET",
    target: "/v1/services?x=1",
    headers: [["Host", "nimi"], ["X-A", "b"]],
  });
  const absolute = parseHead("POST http://localhost/v1/reload HTTP/1.1");
  assert.ok(!("status" in absolute) && absolute.target === "/v1/reload");
  const bare = parseHead("GET http://localhost HTTP/1.0");
  assert.ok(!("status" in bare) && bare.target === "/");
  for (
    const bad of [
      "GET /x",
      "get /x HTTP/1.1",
      "GET x HTTP/1.1",
      "GET /x HTTP/2",
      "GET /x HTTP/1.1\r\nNo colon",
      "GET /x HTTP/1.1\r\nBad name: x",
    ]
  ) {
    const r = parseHead(bad);
    assert.ok("status" in r && r.status === 400, bad);
  }
});

/** A server on a temporary socket, with what its handler saw. */
async function withServer(
  handler: (req: Request) => Response | Promise<Response>,
  run: (path: string, failures: unknown[]) => Promise<void>,
): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "nimi-http1-" });
  const path = `${dir}/s.sock`;
  const failures: unknown[] = [];
  const server = new Http1Server(
    Deno.listen({ path, transport: "unix" }),
    handler,
    (e) => new Response(`error: ${(e as Error).message}\n`, { status: 500 }),
    (e) => failures.push(e),
  );
  try {
    await run(path, failures);
  } finally {
    await server.shutdown();
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Sends raw bytes and reads the whole answer (until the server closes). */
async function raw(path: string, request: string): Promise<string> {
  const conn = await Deno.connect({ path, transport: "unix" });
  await conn.write(enc.encode(request));
  let text = "";
  const buf = new Uint8Array(4096);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } catch (e) {
    // The server answered before reading all of an oversized request and closed: the kernel
    // resets the connection after the answer.
    if (!(e instanceof Deno.errors.ConnectionReset)) throw e;
  }
  conn.close();
  return text;
}

Deno.test("Http1Server answers fetch and raw clients, body and headers included", async () => {
  await withServer(async (req) => {
    const body = req.method === "POST" ? await req.text() : "";
    return Response.json({ method: req.method, url: req.url, body, h: req.headers.get("x-h") }, {
      status: 201,
      headers: { "x-answer": "yes" },
    });
  }, async (path, failures) => {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    try {
      const r = await fetch("http://nimi/v1/a?b=c", {
        method: "POST",
        body: "payload",
        headers: { "x-h": "1" },
        client,
      });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get("x-answer"), "yes");
      assert.deepEqual(await r.json(), {
        method: "POST",
        url: "http://localhost/v1/a?b=c",
        body: "payload",
        h: "1",
      });
    } finally {
      client.close();
    }
    const text = await raw(path, "GET /v1/x HTTP/1.1\r\nHost: n\r\n\r\n");
    assert.match(text, /^HTTP\/1\.1 201 Created\r\n/);
    assert.match(text, /\r\nconnection: close\r\n/);
    assert.ok(text.endsWith(`"h":null}`), text);
    const head = await raw(path, "HEAD /v1/x HTTP/1.1\r\n\r\n");
    assert.ok(head.endsWith("\r\n\r\n"), `a HEAD answer has no body: ${head}`);
    assert.deepEqual(failures, []);
  });
});

Deno.test("Http1Server refuses bad requests with their status and serves on", async () => {
  let calls = 0;
  await withServer(() => {
    calls++;
    return new Response("ok\n");
  }, async (path) => {
    assert.match(await raw(path, "NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 /);
    assert.match(
      await raw(path, `GET /${"x".repeat(20_000)} HTTP/1.1\r\n\r\n`),
      /^HTTP\/1\.1 431 /,
    );
    assert.match(
      await raw(path, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
      /^HTTP\/1\.1 501 /,
    );
    assert.match(
      await raw(path, "POST /x HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n"),
      /^HTTP\/1\.1 413 /,
    );
    assert.match(
      await raw(path, "POST /x HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
      /^HTTP\/1\.1 400 /,
    );
    // A client that leaves in the middle of its request.
    const conn = await Deno.connect({ path, transport: "unix" });
    await conn.write(enc.encode("GET /x HTT"));
    conn.close();
    assert.equal(calls, 0);
    assert.match(await raw(path, "GET /x HTTP/1.1\r\n\r\n"), /\r\n\r\nok\n$/);
    assert.equal(calls, 1);
  });
});

Deno.test("Http1Server turns a handler's exception into its error response", async () => {
  await withServer(() => {
    throw new Error("boom");
  }, async (path) => {
    const text = await raw(path, "GET /x HTTP/1.1\r\n\r\n");
    assert.match(text, /^HTTP\/1\.1 500 /);
    assert.ok(text.endsWith("error: boom\n"));
  });
});

Deno.test("Http1Server streams a body as it comes and cancels it when the client leaves", async () => {
  let cancelled = false;
  let push: ((line: string) => void) | null = null;
  await withServer(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        start: (c) => void (push = (line) => c.enqueue(enc.encode(line))),
        cancel: () => void (cancelled = true),
      }),
    ), async (path) => {
    const conn = await Deno.connect({ path, transport: "unix" });
    await conn.write(enc.encode("GET /stream HTTP/1.1\r\n\r\n"));
    const buf = new Uint8Array(4096);
    let text = "";
    // The handler runs once the request is in.
    for (let i = 0; i < 200 && push === null; i++) await new Promise((r) => setTimeout(r, 5));
    if (push === null) throw new Error("the handler never ran");
    const send: (line: string) => void = push;
    send("one\n");
    while (!text.includes("one\n")) text += dec.decode(buf.subarray(0, (await conn.read(buf))!));
    send("two\n");
    while (!text.includes("two\n")) text += dec.decode(buf.subarray(0, (await conn.read(buf))!));
    conn.close();
    // The next chunk finds the client gone: the body is cancelled.
    for (let i = 0; i < 100 && !cancelled; i++) {
      send("more\n".repeat(1000));
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(cancelled, "the body was not cancelled after the client left");
  });
});

Deno.test("Http1Server.shutdown() ends a stream that waits for more", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "nimi-http1-" });
  const path = `${dir}/s.sock`;
  let cancelled = false;
  const server = new Http1Server(
    Deno.listen({ path, transport: "unix" }),
    () => new Response(new ReadableStream({ cancel: () => void (cancelled = true) })),
    () => new Response("", { status: 500 }),
    (e) => assert.fail(String(e)),
  );
  try {
    const answer = raw(path, "GET /events HTTP/1.1\r\n\r\n");
    await new Promise((r) => setTimeout(r, 100));
    await server.shutdown();
    assert.ok(cancelled);
    assert.match(await answer, /^HTTP\/1\.1 200 OK\r\n/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
