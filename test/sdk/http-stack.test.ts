// The HTTP stack under what goes wrong on real networks, against small servers and proxies on
// port 0: answers too large (a gzip bomb, a 300 MB body), proxies from the environment (NO_PROXY,
// CONNECT tunnels kept alive), failures classed the same with or without a proxy, kept-alive
// connections the server dropped, redirects. Large bodies are generated as they are sent, so
// these tests cost the client what they measure and little more.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as path from "node:path";
import * as tls from "node:tls";
import * as zlib from "node:zlib";
import {
  ApiError,
  BodyTooLargeError,
  ConnectionError,
  certainlyNotApplied,
  isTlsRefusal,
  OperationsManagerClient,
  ValidationError,
} from "../../sdk";
import { scaledBudget } from "../support/time-scale";

const TLS_DIR = path.join(__dirname, "..", "fixtures", "tls");
const CA = fs.readFileSync(path.join(TLS_DIR, "ca.pem"), "utf8");
const TLS_IDENTITY = {
  key: fs.readFileSync(path.join(TLS_DIR, "server-key.pem")),
  cert: fs.readFileSync(path.join(TLS_DIR, "server.pem")),
};
const WHOAMI = { id: "0123456789abcdef01234567", username: "svc-pipeline", groups: [] };
const WHOAMI_TEXT = JSON.stringify(WHOAMI);
const TASK_ID = "00000000-0000-4000-8000-000000000000";
const basicAuth = { type: "basic" as const, username: "svc-pipeline", password: "correct-horse-battery" };
const MiB = 1024 * 1024;

/** Servers and their sockets, closed after each test whether it passed or not. */
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

async function listen<S extends net.Server>(server: S): Promise<number> {
  servers.push(server);
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Process environment values a test set, restored after it. */
const savedEnv = new Map<string, string | undefined>();
const PROXY_VARIABLES = ["http_proxy", "https_proxy", "all_proxy", "no_proxy"].flatMap((n) => [n, n.toUpperCase()]);

function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!savedEnv.has(name)) savedEnv.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** No proxy variable at all, whatever the machine running the tests has. */
function clearProxyEnv(): void {
  setEnv(Object.fromEntries(PROXY_VARIABLES.map((name) => [name, undefined])));
}

beforeEach(clearProxyEnv);

afterEach(async () => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  savedEnv.clear();
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Writes `chunk` `times` times as the client reads, counting what was written. */
function stream(res: http.ServerResponse, chunk: Buffer, times: number, sent: { bytes: number }): void {
  let left = times;
  const more = () => {
    while (left > 0) {
      left--;
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", more);
    }
    res.end();
  };
  res.on("close", () => {
    left = 0;
  });
  more();
}

/** Samples this process's RSS while `work` runs; resolves with its result and the largest growth. */
async function measuringRss<T>(work: () => Promise<T>): Promise<{ result: T; extraRss: number }> {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, extraRss: peak - baseline };
  } finally {
    clearInterval(sampler);
  }
}

describe("answers too large for the client", () => {
  test("a gzip bomb (1 MiB expanding to 1 GiB) fails in under a second and 100 MB, once, naming the limit", async () => {
    // Gzip members may follow one another: 64 members of 16 MiB of zeros make 1 GiB, in about 1 MiB.
    const member = zlib.gzipSync(Buffer.alloc(16 * MiB), { level: 9 });
    let requests = 0;
    const sent = { bytes: 0 };
    const port = await listen(
      http.createServer((_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        stream(res, member, 64, sent);
      }),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    const started = performance.now();
    const { result: error, extraRss } = await measuringRss(() => client.whoami().catch((e: unknown) => e));
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect((error as BodyTooLargeError).limitBytes).toBe(32 * MiB);
    expect((error as Error).message).toBe(
      "GET /whoami answered with more than 32 MiB (33554432 bytes), the client's maxBodyBytes; the answer was dropped",
    );
    expect(requests).toBe(1);
    expect(sent.bytes).toBeLessThanOrEqual(64 * member.length);
    // Inflating the whole GiB takes seconds; stopping at the limit well under one on a quiet
    // machine. Scaled by the load, as every time budget here (a busy CI machine is not a bug).
    expect(elapsed).toBeLessThan(scaledBudget(1000));
    expect(extraRss).toBeLessThan(100 * MiB);
  });

  test("a 300 MB answer is refused at the limit, not read whole, and not asked for again", async () => {
    const chunk = Buffer.from(`${" ".repeat(64 * 1024 - 1)}\n`);
    const times = Math.ceil((300 * 1000 * 1000) / chunk.length);
    let requests = 0;
    const sent = { bytes: 0 };
    const port = await listen(
      http.createServer((_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/json", "content-length": String(chunk.length * times) });
        stream(res, chunk, times, sent);
      }),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    const { result: error, extraRss } = await measuringRss(() => client.whoami().catch((e: unknown) => e));
    expect(error).toBeInstanceOf(BodyTooLargeError);
    expect(requests).toBe(1);
    // The client stopped reading at the limit: the server got to write little more than that.
    expect(sent.bytes).toBeLessThan(100 * 1000 * 1000);
    expect(extraRss).toBeLessThan(150 * MiB);
  });

  test("maxBodyBytes sets the limit both ways: answers over it fail, requests over it are not sent", async () => {
    const bodies: string[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => {
          body += c;
        });
        req.on("end", () => {
          bodies.push(body);
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ ...WHOAMI, padding: "x".repeat(req.url === "/whoami?big" ? 2000 : 10) }));
        });
      }),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      maxBodyBytes: 1000,
    });
    expect((await client.whoami()).username).toBe("svc-pipeline");
    const tooBig = await client
      .startJob("wf", { description: "d".repeat(2000) }, { maxRetries: 0 })
      .catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(BodyTooLargeError);
    expect((tooBig as BodyTooLargeError).direction).toBe("request");
    expect((tooBig as Error).message).toMatch(/^POST \/operations-manager\/jobs\/start was not sent: .* 1000 bytes/);
    expect(bodies).toHaveLength(1);
    for (const maxBodyBytes of [0, 1.5, 2 ** 40]) {
      expect(
        () => new OperationsManagerClient({ baseUrl: "http://127.0.0.1:1", auth: basicAuth, maxBodyBytes }),
      ).toThrow(ValidationError);
    }
  });
});

/** A proxy: CONNECT tunnels (counted) and plain forwarding of absolute-URL requests (counted). */
async function startProxy(): Promise<{ url: string; port: number; tunnels: number; forwarded: number }> {
  const stats = { url: "", port: 0, tunnels: 0, forwarded: 0 };
  const server = http.createServer((req, res) => {
    stats.forwarded++;
    const upstream = http.request(req.url as string, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      up.on("error", () => res.destroy());
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    stats.tunnels++;
    const [host, port] = (req.url as string).split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  stats.port = await listen(server);
  stats.url = `http://127.0.0.1:${stats.port}`;
  return stats;
}

describe("proxies", () => {
  test("HTTPS through a proxy: one CONNECT tunnel serves 100 requests", async () => {
    const port = await listen(https.createServer(TLS_IDENTITY, (_req, res) => res.end(WHOAMI_TEXT)));
    const proxy = await startProxy();
    setEnv({ HTTPS_PROXY: proxy.url });
    const client = new OperationsManagerClient({
      baseUrl: `https://127.0.0.1:${port}`,
      auth: basicAuth,
      tls: { ca: CA },
    });
    for (let i = 0; i < 100; i++) expect((await client.whoami()).username).toBe("svc-pipeline");
    expect(proxy.tunnels).toBe(1);
  });

  test("HTTP through a proxy: requests go to it as absolute URLs, over one kept-alive connection", async () => {
    const port = await listen(http.createServer((_req, res) => res.end(WHOAMI_TEXT)));
    const proxy = await startProxy();
    const proxyConnections = new Set<unknown>();
    (servers.at(-1) as http.Server).on("request", (req: http.IncomingMessage) => proxyConnections.add(req.socket));
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      proxy: { protocol: "http", host: "127.0.0.1", port: proxy.port },
    });
    for (let i = 0; i < 20; i++) await client.whoami();
    expect(proxy.forwarded).toBe(20);
    expect(proxyConnections.size).toBe(1);
  });

  test("the proxy is chosen for the base URL's host: NO_PROXY excludes it, proxy: false ignores the environment", async () => {
    const port = await listen(http.createServer((_req, res) => res.end(WHOAMI_TEXT)));
    const proxy = await startProxy();
    const baseUrl = `http://127.0.0.1:${port}`;
    setEnv({ HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
    await new OperationsManagerClient({ baseUrl, auth: basicAuth }).whoami();
    expect(proxy.forwarded).toBe(0);
    setEnv({ NO_PROXY: "iap.example.com" });
    await new OperationsManagerClient({ baseUrl, auth: basicAuth }).whoami();
    expect(proxy.forwarded).toBe(1);
    await new OperationsManagerClient({ baseUrl, auth: basicAuth, proxy: false }).whoami();
    expect(proxy.forwarded).toBe(1);
  });

  test("a proxy variable that is not an http(s) URL is a clear error when the client is made", () => {
    setEnv({ HTTPS_PROXY: "socks5://127.0.0.1:1080" });
    expect(() => new OperationsManagerClient({ baseUrl: "https://iap.example.com", auth: basicAuth })).toThrow(
      /HTTPS_PROXY.*not an http:\/\/ or https:\/\/ URL/,
    );
    expect(
      () => new OperationsManagerClient({ baseUrl: "https://iap.example.com", auth: basicAuth, proxy: false }),
    ).not.toThrow();
  });
});

/** What a failure looks like to a caller: the class, the code, the TLS flag, and how often it was sent. */
interface Outcome {
  error: string;
  code: string | undefined;
  afterTlsHandshake: boolean;
  refusal: boolean;
  notApplied: boolean;
  requests: number;
}

async function outcome(client: OperationsManagerClient, requests: () => number): Promise<Outcome> {
  const error = (await client.getTask(TASK_ID).catch((e: unknown) => e)) as Error;
  const connection = error instanceof ConnectionError ? error : undefined;
  return {
    error: error?.name,
    code: connection?.code,
    afterTlsHandshake: connection?.afterTlsHandshake ?? false,
    refusal: isTlsRefusal(error),
    notApplied: certainlyNotApplied(error),
    requests: requests(),
  };
}

describe("failures are classed the same whatever the environment", () => {
  /** Answers that go wrong after the headers, each on its own plain HTTP server. */
  const bodyFaults: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
    "a gzip body cut short (the HTTP message whole)": (_req, res) => {
      const whole = zlib.gzipSync(JSON.stringify({ message: "ok", data: { _id: TASK_ID, name: "x".repeat(200) } }));
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(whole.subarray(0, whole.length - 30));
    },
    "a corrupt gzip body": (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(Buffer.from("definitely not gzip, but long enough to look like a body"));
    },
    "a body cut short of its Content-Length": (req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"message": "ok", "data": {"_id": "');
      setTimeout(() => req.socket.destroy(), 20);
    },
    "a reset before any answer": (req) => req.socket.destroy(),
  };

  test.each(Object.keys(bodyFaults))(
    "%s: the same error and retries with no proxy variable as with one NO_PROXY excludes",
    async (name) => {
      const fault = bodyFaults[name] as (req: http.IncomingMessage, res: http.ServerResponse) => void;
      let requests = 0;
      const port = await listen(
        http.createServer((req, res) => {
          requests++;
          fault(req, res);
        }),
      );
      const proxy = await startProxy();
      const run = async () => {
        requests = 0;
        const client = new OperationsManagerClient({
          baseUrl: `http://127.0.0.1:${port}`,
          auth: basicAuth,
          retry: { maxRetries: 1, baseDelayMs: 1 },
        });
        return outcome(client, () => requests);
      };
      const plain = await run();
      setEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" });
      const excluded = await run();
      expect(excluded).toEqual(plain);
      // Transient, never a shorter answer: a read is tried twice.
      expect(plain).toMatchObject({ error: "ConnectionError", requests: 2 });
      expect(proxy.forwarded + proxy.tunnels).toBe(0);
    },
  );

  test("a truncated or corrupt compressed body carries zlib's code; a body cut short, ECONNRESET", async () => {
    const codes: (string | undefined)[] = [];
    for (const name of Object.keys(bodyFaults).slice(0, 3)) {
      const fault = bodyFaults[name] as (req: http.IncomingMessage, res: http.ServerResponse) => void;
      const port = await listen(http.createServer(fault));
      const client = new OperationsManagerClient({
        baseUrl: `http://127.0.0.1:${port}`,
        auth: basicAuth,
        retry: { maxRetries: 0 },
      });
      codes.push(((await client.getTask(TASK_ID).catch((e: unknown) => e)) as ConnectionError).code);
    }
    expect(codes).toEqual(["Z_BUF_ERROR", "Z_DATA_ERROR", "ECONNRESET"]);
  });

  /** TLS servers that go wrong in three ways: untrusted, not TLS at all, garbage after the handshake. */
  const tlsFaults: Record<string, () => Promise<{ port: number; requests: () => number; ca?: string }>> = {
    "an untrusted certificate": async () => {
      let requests = 0;
      const port = await listen(
        https.createServer(TLS_IDENTITY, (_req, res) => {
          requests++;
          res.end(WHOAMI_TEXT);
        }),
      );
      return { port, requests: () => requests };
    },
    "https spoken to a plain http port": async () => {
      let requests = 0;
      const port = await listen(
        http.createServer((_req, res) => {
          requests++;
          res.end(WHOAMI_TEXT);
        }),
      );
      return { port, requests: () => requests, ca: CA };
    },
    "garbage after the handshake": async () => {
      let requests = 0;
      const port = await listen(
        net.createServer((raw) => {
          const secure = new tls.TLSSocket(raw, { isServer: true, ...TLS_IDENTITY });
          secure.on("error", () => {});
          let head = "";
          secure.on("data", (chunk) => {
            head += chunk;
            if (!head.includes("\r\n\r\n")) return;
            requests++;
            head = "";
            raw.write("garbage, not a TLS record");
          });
        }),
      );
      return { port, requests: () => requests, ca: CA };
    },
  };

  test.each(Object.keys(tlsFaults))(
    "%s: the same class, code and retries directly and through a proxy",
    async (name) => {
      const server = await (tlsFaults[name] as () => Promise<{ port: number; requests: () => number; ca?: string }>)();
      const proxy = await startProxy();
      const outcomes: Outcome[] = [];
      let before = 0;
      for (const env of [{}, { HTTPS_PROXY: proxy.url }, { HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" }]) {
        clearProxyEnv();
        setEnv(env);
        const client = new OperationsManagerClient({
          baseUrl: `https://127.0.0.1:${server.port}`,
          auth: basicAuth,
          retry: { maxRetries: 1, baseDelayMs: 1 },
          ...(server.ca ? { tls: { ca: server.ca } } : {}),
        });
        const seen = before;
        outcomes.push(await outcome(client, () => server.requests() - seen));
        before = server.requests();
      }
      expect(proxy.tunnels).toBeGreaterThan(0);
      expect(outcomes[1]).toEqual(outcomes[0]);
      expect(outcomes[2]).toEqual(outcomes[0]);
      const expected: Record<string, Partial<Outcome>> = {
        "an untrusted certificate": { error: "ConnectionError", refusal: true, afterTlsHandshake: false, requests: 0 },
        "https spoken to a plain http port": {
          error: "ConnectionError",
          code: "EPROTO",
          refusal: true,
          afterTlsHandshake: false,
        },
        "garbage after the handshake": {
          error: "ConnectionError",
          refusal: false,
          afterTlsHandshake: true,
          requests: 2,
        },
      };
      expect(outcomes[0]).toMatchObject(expected[name] as Partial<Outcome>);
    },
  );
});

describe("kept-alive connections", () => {
  /** A server that drops the second request of each connection without answering. */
  async function droppingServer(): Promise<{ port: number; requests: string[] }> {
    const requests: string[] = [];
    const served = new WeakMap<net.Socket, number>();
    const port = await listen(
      http.createServer((req, res) => {
        const count = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, count);
        requests.push(`${req.method} ${req.url} #${count}`);
        if (count === 2) return void req.socket.destroy();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(req.url === "/whoami" ? WHOAMI_TEXT : JSON.stringify({ message: "ok", data: { _id: "x" } }));
      }),
    );
    return { port, requests };
  }

  test("a read reset on a reused connection is sent again at once, on a new one, without spending a retry", async () => {
    const server = await droppingServer();
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${server.port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
    });
    await client.whoami();
    const started = performance.now();
    expect((await client.whoami()).username).toBe("svc-pipeline");
    // The backoff would wait at least 250 ms; maxRetries: 0 would allow no retry at all.
    expect(performance.now() - started).toBeLessThan(200);
    expect(server.requests).toEqual(["GET /whoami #1", "GET /whoami #2", "GET /whoami #1"]);
  });

  test("only once: a read reset again on its new connection fails with the reset", async () => {
    let requests = 0;
    const port = await listen(
      http.createServer((req, res) => {
        requests++;
        if (requests === 1) return void res.end(WHOAMI_TEXT);
        req.socket.destroy();
      }),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
    });
    await client.whoami();
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).reusedConnection).toBe(false);
    expect(requests).toBe(3);
  });

  test("a write reset on a reused connection is not sent again blindly", async () => {
    const server = await droppingServer();
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${server.port}`,
      auth: basicAuth,
      retry: { maxRetries: 3, baseDelayMs: 1 },
    });
    await client.whoami();
    const error = await client.startJob("wf").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).reusedConnection).toBe(true);
    expect(server.requests).toEqual(["GET /whoami #1", "POST /operations-manager/jobs/start #2"]);
  });
});

test("a redirect is not followed, and its error names where it points", async () => {
  let requests = 0;
  const port = await listen(
    http.createServer((_req, res) => {
      requests++;
      res.writeHead(307, { location: "https://iap.example.com/whoami" });
      res.end();
    }),
  );
  const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
  const error = await client.whoami().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(307);
  expect((error as Error).message).toContain("redirected to https://iap.example.com/whoami");
  expect(requests).toBe(1);
});
