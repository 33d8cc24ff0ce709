// What the client sends and how it reads answers, against small node:http(s) servers on port 0:
// TLS, proxy, User-Agent, redacted logging, non-JSON answers, IAP's error shapes, the environment.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import * as zlib from "node:zlib";
import fc from "fast-check";
import packageJson from "../../package.json";
import {
  AbortedError,
  AuthenticationError,
  ConnectionError,
  certainlyNotApplied,
  clientOptionsFromEnv,
  ItentialError,
  isTlsRefusal,
  type LogRecord,
  OperationsManagerClient,
  ResponseFormatError,
  ServerError,
  TaskStateError,
  TimeoutError,
  ValidationError,
  VERSION,
} from "../../sdk";
import { fuzzRuns } from "../support/fuzz";

const TLS_DIR = path.join(__dirname, "..", "fixtures", "tls");
const WHOAMI = { id: "0123456789abcdef01234567", username: "svc-pipeline", groups: [] };

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
const servers: (http.Server | https.Server)[] = [];

async function listen(server: http.Server | https.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function handler(fn: Handler): http.RequestListener {
  return (req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => fn(req, res, body));
  };
}

function json(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

/** Cleanups a test registers for itself, run after it whether it passed or not. */
const cleanups: (() => Promise<void>)[] = [];
const afterThis = (cleanup: () => Promise<void>) => cleanups.push(cleanup);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

const basicAuth = { type: "basic" as const, username: "svc-pipeline", password: "correct-horse-battery" };

describe("TLS", () => {
  const tlsServer = () =>
    https.createServer(
      {
        key: fs.readFileSync(path.join(TLS_DIR, "server-key.pem")),
        cert: fs.readFileSync(path.join(TLS_DIR, "server.pem")),
      },
      handler((_req, res) => json(res, 200, WHOAMI)),
    );

  test("an untrusted certificate is refused by default, with the TLS error code", async () => {
    const port = await listen(tlsServer());
    const client = new OperationsManagerClient({
      baseUrl: `https://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toMatch(/CERT|SELF_SIGNED|UNABLE_TO/);
  });

  test("a CA bundle makes it trusted", async () => {
    const port = await listen(tlsServer());
    const client = new OperationsManagerClient({
      baseUrl: `https://localhost:${port}`,
      auth: basicAuth,
      tls: { ca: fs.readFileSync(path.join(TLS_DIR, "ca.pem")) },
    });
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });

  test("rejectUnauthorized: false accepts it, but only when asked for", async () => {
    const port = await listen(tlsServer());
    const client = new OperationsManagerClient({
      baseUrl: `https://127.0.0.1:${port}`,
      auth: basicAuth,
      tls: { rejectUnauthorized: false },
    });
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });
});

/** A plain HTTP proxy that forwards each request and records it in `seen` as "METHOD url". */
function forwardingProxy(seen: string[]): http.Server {
  return http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(req.url as string, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
}

test("requests go through a configured proxy", async () => {
  const targetPort = await listen(http.createServer(handler((_req, res) => json(res, 200, WHOAMI))));
  const proxied: string[] = [];
  const proxyPort = await listen(forwardingProxy(proxied));
  const client = new OperationsManagerClient({
    baseUrl: `http://127.0.0.1:${targetPort}`,
    auth: basicAuth,
    proxy: { protocol: "http", host: "127.0.0.1", port: proxyPort },
  });
  expect((await client.whoami()).username).toBe("svc-pipeline");
  expect(proxied).toEqual([`GET http://127.0.0.1:${targetPort}/whoami`]);
});

test("a proxy named in the environment is used, unless proxy: false", async () => {
  const targetPort = await listen(http.createServer(handler((_req, res) => json(res, 200, WHOAMI))));
  const proxied: string[] = [];
  const proxyPort = await listen(forwardingProxy(proxied));
  const baseUrl = `http://127.0.0.1:${targetPort}`;
  const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
  process.env.HTTP_PROXY = `http://127.0.0.1:${proxyPort}`;
  delete process.env.NO_PROXY;
  delete process.env.no_proxy;
  try {
    expect((await new OperationsManagerClient({ baseUrl, auth: basicAuth }).whoami()).username).toBe("svc-pipeline");
    expect(proxied).toEqual([`GET ${baseUrl}/whoami`]);
    await new OperationsManagerClient({ baseUrl, auth: basicAuth, proxy: false }).whoami();
    expect(proxied).toHaveLength(1);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});

test("a compressed answer is read; a body cut short is a ConnectionError, not a shorter answer", async () => {
  const port = await listen(
    http.createServer((req, res) => {
      if (req.url === "/whoami") {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(zlib.gzipSync(JSON.stringify(WHOAMI)));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"message": "ok", "data": {"_id": "');
      setTimeout(() => req.socket.destroy(), 20);
    }),
  );
  const client = new OperationsManagerClient({
    baseUrl: `http://127.0.0.1:${port}`,
    auth: basicAuth,
    retry: { maxRetries: 0 },
  });
  expect((await client.whoami()).username).toBe("svc-pipeline");
  await expect(client.getTask("00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(ConnectionError);
});

describe("reading answers: every encoding axios accepts, and ends that always come", () => {
  const whoamiText = JSON.stringify(WHOAMI);

  test("a request queued for a socket still ends at its deadline, and at its caller's abort", async () => {
    let slow = true;
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": whoamiText.length });
        if (!slow) return void res.end(whoamiText);
        res.write(whoamiText.slice(0, 5));
        setTimeout(() => res.end(whoamiText.slice(5)), 1500);
      }),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    });
    const holding = client.whoami({ timeoutMs: 10_000 });
    let started = Date.now();
    await expect(client.whoami({ timeoutMs: 200 })).rejects.toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    started = Date.now();
    await expect(client.whoami({ signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(1000);
    await holding;
    slow = false;
    // The socket the abandoned requests waited for serves the next one.
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });

  test("a corrupt compressed answer fails and frees its socket for the next request", async () => {
    let corrupt = true;
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(
          corrupt ? Buffer.from("definitely not gzip, but long enough to look like a body") : zlib.gzipSync(whoamiText),
        );
      }),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
      httpAgent: agent,
      timeoutMs: 2000,
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toMatch(/^Z_/);
    corrupt = false;
    // The agent's only socket serves the next request.
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });

  test("an answer that stalls after a corrupt start gives its socket back when it fails", async () => {
    let first = true;
    const port = await listen(
      http.createServer((_req, res) => {
        if (!first) return void json(res, 200, WHOAMI);
        first = false;
        res.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": 100_000,
        });
        res.write("not gzip");
      }),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
      timeoutMs: 500,
    });
    await expect(client.whoami()).rejects.toBeInstanceOf(ItentialError);
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });

  test("an empty answer marked compressed is empty: a 401 still renews the login, a 429 still waits and retries", async () => {
    let logins = 0;
    let answered = 0;
    const port = await listen(
      http.createServer(
        handler((req, res) => {
          if (req.url === "/login") {
            logins++;
            return void json(res, 200, `token-${logins}`);
          }
          answered++;
          // First an empty 401 (the token expired), then an empty 429, both "gzip"-encoded.
          if (answered === 1) return void res.writeHead(401, { "content-encoding": "gzip" }).end();
          if (answered === 2) return void res.writeHead(429, { "content-encoding": "gzip", "retry-after": "0" }).end();
          json(res, 200, WHOAMI);
        }),
      ),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: { type: "login", username: "svc-pipeline", password: "correct-horse-battery" },
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    expect((await client.whoami()).username).toBe("svc-pipeline");
    expect(logins).toBe(2);
    expect(answered).toBe(3);
  });

  test("an empty 503 marked compressed is a ServerError with its status", async () => {
    const port = await listen(
      http.createServer((_req, res) => void res.writeHead(503, { "content-encoding": "br" }).end()),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).status).toBe(503);
  });

  test.each([
    ["deflate with zlib's wrapper", "deflate", () => zlib.deflateSync(whoamiText)],
    ["raw deflate", "deflate", () => zlib.deflateRawSync(whoamiText)],
    ["brotli", "br", () => zlib.brotliCompressSync(whoamiText)],
    ["zlib data labelled gzip (as axios reads it)", "gzip", () => zlib.deflateSync(whoamiText)],
    ["gzip data labelled x-compress (as axios reads it)", "x-compress", () => zlib.gzipSync(whoamiText)],
  ])("%s is decoded", async (_name, encoding, body) => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding });
        res.end(body());
      }),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });

  test.each(["deploy \u2192 prod", "line\nbreak", "tab\there"])(
    "a userAgent that is not printable ASCII (%j) is refused when the client is made",
    (userAgent) => {
      expect(() => new OperationsManagerClient({ baseUrl: "http://127.0.0.1:1", auth: basicAuth, userAgent })).toThrow(
        ValidationError,
      );
    },
  );

  test("https spoken to a plain http port is a TLS refusal: one try, with the code", async () => {
    const port = await listen(http.createServer((_req, res) => json(res, 200, WHOAMI)));
    const client = new OperationsManagerClient({ baseUrl: `https://127.0.0.1:${port}`, auth: basicAuth });
    const started = Date.now();
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("EPROTO");
    expect(isTlsRefusal(error)).toBe(true);
    // Not retried: the default policy waits at least 250 ms before a second try.
    expect(Date.now() - started).toBeLessThan(250);
  });

  test("a TLS error after the handshake is not a refusal: the request may have arrived, so a read is retried", async () => {
    const received: string[] = [];
    const connections = new Set<net.Socket>();
    const server = net.createServer((raw) => {
      connections.add(raw);
      const secure = new tls.TLSSocket(raw, {
        isServer: true,
        key: fs.readFileSync(path.join(TLS_DIR, "server-key.pem")),
        cert: fs.readFileSync(path.join(TLS_DIR, "server.pem")),
      });
      secure.on("error", () => {});
      let head = "";
      secure.on("data", (chunk) => {
        head += chunk;
        if (!head.includes("\r\n\r\n")) return;
        received.push(head.split("\r\n")[0] as string);
        head = "";
        // The whole request arrived; the answer is not a TLS record at all.
        raw.write("garbage, not a TLS record");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    afterThis(async () => {
      for (const connection of connections) connection.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const client = new OperationsManagerClient({
      baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      auth: basicAuth,
      tls: { ca: fs.readFileSync(path.join(TLS_DIR, "ca.pem"), "utf8") },
      retry: { maxRetries: 1, baseDelayMs: 1 },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toMatch(/^ERR_SSL_/);
    expect((error as ConnectionError).afterTlsHandshake).toBe(true);
    expect(isTlsRefusal(error)).toBe(false);
    expect(certainlyNotApplied(error)).toBe(false);
    expect(received).toEqual(["GET /whoami HTTP/1.1", "GET /whoami HTTP/1.1"]);
  });
});

test("the User-Agent names the library and its version; Accept is JSON", async () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const port = await listen(
    http.createServer(
      handler((req, res) => {
        seen.push(req.headers);
        json(res, 200, WHOAMI);
      }),
    ),
  );
  await new OperationsManagerClient({
    baseUrl: `http://127.0.0.1:${port}`,
    auth: basicAuth,
    userAgent: "ci/1",
  }).whoami();
  expect(seen[0]?.["user-agent"]).toBe(`pulumi-itential/${VERSION} (node ${process.version}) ci/1`);
  expect(seen[0]?.accept).toBe("application/json");
  expect(VERSION).toBe(packageJson.version);
});

test("keep-alive: consecutive requests reuse one connection", async () => {
  const sockets = new Set<unknown>();
  const port = await listen(
    http.createServer(
      handler((req, res) => {
        sockets.add(req.socket);
        json(res, 200, WHOAMI);
      }),
    ),
  );
  const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
  for (let i = 0; i < 5; i++) await client.whoami();
  expect(sockets.size).toBe(1);
});

describe("answers that are not what IAP sends", () => {
  test("an HTML page from a proxy with 200 is a ResponseFormatError naming the endpoint", async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<html><body>Gateway login</body></html>");
      }),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    await expect(client.getTask("00000000-0000-4000-8000-000000000000")).rejects.toThrow(
      /^GET \/operations-manager\/tasks\/00000000-0000-4000-8000-000000000000 answered HTTP 200 with an unexpected body: expected JSON, got text\/html: "<html><body>Gateway login<\/body><\/html>"$/,
    );
  });

  test("an envelope without data is a ResponseFormatError", async () => {
    const port = await listen(
      http.createServer(handler((_req, res) => json(res, 200, { message: "ok", metadata: {} }))),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    await expect(client.getTask("00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(ResponseFormatError);
  });

  test("an HTML 502 is a ServerError with the status and a snippet", async () => {
    const port = await listen(
      http.createServer((_req, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<h1>Bad Gateway</h1>");
      }),
    );
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      retry: { maxRetries: 0 },
    });
    await expect(client.whoami()).rejects.toMatchObject({
      name: "ServerError",
      status: 502,
      iapMessage: 'HTTP 502: "<h1>Bad Gateway</h1>"',
    });
  });

  test("IAPerror.displayString is used when there is no message", async () => {
    const port = await listen(
      http.createServer(
        handler((_req, res) => json(res, 500, { IAPerror: { origin: "x", displayString: "Adapter down" } })),
      ),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    await expect(client.whoami()).rejects.toMatchObject({ name: "ServerError", iapMessage: "Adapter down" });
  });
});

describe("credentials never leak", () => {
  test("a server echoing the password or a token in its message: the error redacts it", async () => {
    const port = await listen(
      http.createServer(
        handler((_req, res) =>
          json(res, 400, {
            message: "bad login for svc-pipeline:correct-horse-battery with token=abc123def and Bearer xyz.987",
          }),
        ),
      ),
    );
    const client = new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth });
    const error = (await client.whoami().catch((e: unknown) => e)) as Error;
    const everything = `${error.message} ${(error as unknown as { iapMessage: string }).iapMessage} ${error.stack} ${JSON.stringify(error)}`;
    expect(everything).not.toContain("correct-horse-battery");
    expect(everything).not.toContain("abc123def");
    expect(everything).not.toContain("xyz.987");
    expect(error.message).toContain("[REDACTED]");
  });

  test("log records carry no credentials: headers and token query values are redacted", async () => {
    const port = await listen(
      http.createServer(
        handler((req, res) => {
          if (req.url === "/login") return json(res, 200, "login-token-value-1234");
          json(res, 200, WHOAMI);
        }),
      ),
    );
    const records: LogRecord[] = [];
    const client = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: { type: "login", username: "svc-pipeline", password: "correct-horse-battery" },
      logger: { debug: (r) => records.push(r) },
    });
    await client.whoami();
    const text = JSON.stringify(records);
    expect(records.map((r) => `${r.event} ${r.method} ${r.url.replace(/^http:\/\/[^/]+/, "")}`)).toEqual([
      "request POST /login",
      "response POST /login",
      "request GET /whoami",
      "response GET /whoami",
    ]);
    expect(text).not.toContain("correct-horse-battery");
    expect(text).not.toContain("login-token-value-1234");

    const basic: LogRecord[] = [];
    await new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      auth: basicAuth,
      logger: { debug: (r) => basic.push(r) },
    }).whoami();
    expect(basic[0]?.headers?.authorization).toBe("[REDACTED]");
    expect(JSON.stringify(basic)).not.toContain(Buffer.from("svc-pipeline:correct-horse-battery").toString("base64"));
  });

  test("ITENTIAL_DEBUG=1 logs redacted records to stderr", async () => {
    const port = await listen(http.createServer(handler((_req, res) => json(res, 200, WHOAMI))));
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    process.env.ITENTIAL_DEBUG = "1";
    let lines: string[];
    try {
      await new OperationsManagerClient({ baseUrl: `http://127.0.0.1:${port}`, auth: basicAuth }).whoami();
    } finally {
      delete process.env.ITENTIAL_DEBUG;
      lines = write.mock.calls.map((c) => String(c[0]));
      write.mockRestore();
    }
    expect(lines.some((l) => l.startsWith("[pulumi-itential] ") && l.includes('"event":"response"'))).toBe(true);
    expect(lines.join("")).not.toContain("correct-horse-battery");
  });
});

describe("clientOptionsFromEnv", () => {
  const base = { ITENTIAL_BASE_URL: "https://iap.example.com" };

  test("picks OAuth, then a token, then username and password (token login unless ITENTIAL_AUTH=basic)", () => {
    expect(
      clientOptionsFromEnv({ ...base, ITENTIAL_CLIENT_ID: "id", ITENTIAL_CLIENT_SECRET: "s", ITENTIAL_TOKEN: "t" })
        .auth,
    ).toEqual({
      type: "oauth",
      clientId: "id",
      clientSecret: "s",
    });
    expect(clientOptionsFromEnv({ ...base, ITENTIAL_TOKEN: "t" }).auth).toEqual({ type: "token", token: "t" });
    expect(clientOptionsFromEnv({ ...base, ITENTIAL_USERNAME: "u", ITENTIAL_PASSWORD: "p" }).auth).toEqual({
      type: "login",
      username: "u",
      password: "p",
    });
    expect(
      clientOptionsFromEnv({ ...base, ITENTIAL_USERNAME: "u", ITENTIAL_PASSWORD: "p", ITENTIAL_AUTH: "basic" }).auth
        .type,
    ).toBe("basic");
  });

  test("timeout and CA file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "itential-env-"));
    try {
      const ca = path.join(dir, "ca.pem");
      fs.copyFileSync(path.join(TLS_DIR, "ca.pem"), ca);
      const options = clientOptionsFromEnv({
        ...base,
        ITENTIAL_TOKEN: "t",
        ITENTIAL_TIMEOUT_MS: "5000",
        ITENTIAL_CA_FILE: ca,
      });
      expect(options.timeoutMs).toBe(5000);
      expect(String(options.tls?.ca)).toContain("BEGIN CERTIFICATE");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{}, /ITENTIAL_BASE_URL is not set/],
    [base, /No Itential credentials/],
    [{ ...base, ITENTIAL_CLIENT_ID: "id" }, /must be set together/],
    [{ ...base, ITENTIAL_TOKEN: "t", ITENTIAL_TIMEOUT_MS: "soon" }, /ITENTIAL_TIMEOUT_MS/],
    [{ ...base, ITENTIAL_TOKEN: "t", ITENTIAL_CA_FILE: "/nonexistent/ca.pem" }, /cannot be read/],
  ])("%j is refused with a clear error", (env, message) => {
    expect(() => clientOptionsFromEnv(env)).toThrow(message);
  });

  test("errors are ItentialErrors callers can branch on", () => {
    expect(() => clientOptionsFromEnv({})).toThrow(ValidationError);
    expect(new AuthenticationError({ method: "GET", path: "/x", status: 401, iapMessage: "no" })).toBeInstanceOf(Error);
    expect(new ServerError({ method: "GET", path: "/x", status: 503, iapMessage: "m" }).name).toBe("ServerError");
  });
});

describe("junk on the wire", () => {
  // Whatever a broken proxy, a half-restarted platform or a stranger on the port answers: the
  // client resolves with a well-formed result or rejects with one of its own errors (for 2xx,
  // ResponseFormatError), never a TypeError from deep inside.
  const TASK = "00000000-0000-4000-8000-000000000000";
  const answer = fc.record({
    status: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(200, 201, 203, 206) },
      { weight: 1, arbitrary: fc.constantFrom(204, 301, 400, 401, 404, 409, 418, 500, 502, 503) },
    ),
    type: fc.constantFrom("application/json", "text/html", "text/plain", "application/octet-stream", ""),
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc
        .record({ message: fc.string(), data: fc.jsonValue({ maxDepth: 2 }), metadata: fc.jsonValue({ maxDepth: 1 }) })
        .map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
      fc.constantFrom("<html><body>Bad Gateway</body></html>", '{"message":', "", "null", '"token"', "[]"),
    ),
    call: fc.constantFrom("whoami", "getTask", "listTasks", "findAccount", "claimTask", "login"),
  });

  test("any answer: a well-formed result or one of the client's errors", async () => {
    let current = { status: 200, type: "application/json", body: "{}" };
    const port = await listen(
      http.createServer(
        handler((_req, res) => {
          res.writeHead(current.status, current.type ? { "content-type": current.type } : {});
          res.end(current.status === 204 || current.status === 304 ? undefined : current.body, "latin1");
        }),
      ),
    );
    const options = { baseUrl: `http://127.0.0.1:${port}`, retry: { maxRetries: 0 } };
    const basic = new OperationsManagerClient({ ...options, auth: basicAuth });
    const seen = { resolved: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(answer, async ({ status, type, body, call }) => {
        current = { status, type, body };
        let outcome: unknown;
        try {
          switch (call) {
            case "whoami":
              outcome = await basic.whoami();
              expect(typeof (outcome as { username: unknown }).username).toBe("string");
              break;
            case "getTask":
              outcome = await basic.getTask(TASK);
              expect(typeof (outcome as { id: unknown }).id).toBe("string");
              break;
            case "listTasks":
              outcome = await basic.listTasks();
              expect(Array.isArray((outcome as { items: unknown }).items)).toBe(true);
              break;
            case "findAccount":
              outcome = await basic.findAccount("alice");
              if (outcome !== undefined) expect((outcome as { username: unknown }).username).toBe("alice");
              break;
            case "claimTask":
              // The claim's answer decides the outcome, or (after a failure) the task as read.
              outcome = await basic.claimTask(TASK);
              expect(typeof (outcome as { id: unknown }).id).toBe("string");
              break;
            case "login":
              // The login's answer itself is the junk: a fresh client logs in on its first call.
              outcome = await new OperationsManagerClient({
                ...options,
                auth: { type: "login", username: "svc-pipeline", password: "correct-horse-battery" },
              }).whoami();
              break;
          }
          seen.resolved++;
        } catch (error) {
          expect(error).toBeInstanceOf(ItentialError);
          if (status >= 200 && status < 300 && !(error instanceof TaskStateError)) {
            expect(error).toBeInstanceOf(ResponseFormatError);
          }
          seen.refused++;
        }
      }),
      { numRuns: fuzzRuns(600) },
    );
    expect(seen.refused).toBeGreaterThan(0);
  });
});
