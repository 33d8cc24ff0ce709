// Credentials in every place text leaves the client: errors built from answers, log records and
// warnings, and the client's own objects. Each test names the hole it closes (issue 9, item 4).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  AuthenticationError,
  type AuthOptions,
  type ItentialError,
  type LogRecord,
  OperationsManagerClient,
  ResponseFormatError,
  TaskStateError,
  ValidationError,
} from "../../sdk";
import { type AuthStrategy, createAuth } from "../../sdk/auth";
import { redactText } from "../../sdk/redact";
import { DEFAULT_RETRY } from "../../sdk/retry";
import { DEFAULT_MAX_BODY_BYTES, Transport } from "../../sdk/transport";
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

const WHOAMI = { id: "0123456789abcdef01234567", username: "svc-pipeline", groups: [] };
const servers: http.Server[] = [];

/** A small server on a free port; `answer` gets the request and its body. */
async function serve(answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      answer(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function reply(res: http.ServerResponse, status: number, body: unknown, type = "application/json") {
  res.writeHead(status, { "content-type": type });
  res.end(typeof body === "string" && type !== "application/json" ? body : JSON.stringify(body));
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()) && s.closeAllConnections())),
  );
});

/** Everything an error shows: message, stack, enumerable fields, and how Node prints it. */
const shown = (error: unknown) =>
  `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}\n${inspect(error, { depth: 5 })}`;

describe("a 2xx login answer that is not JSON carries the fresh token: no snippet of it in the error", () => {
  test.each([
    ["POST /login", { type: "login", username: "svc-pipeline", password: "pipeline-secret" }, "/login"],
    [
      "POST /oauth/token",
      { type: "oauth", clientId: "pipeline-client", clientSecret: "client-secret" },
      "/oauth/token",
    ],
  ] as const)("%s", async (_name, auth, loginPath) => {
    const token = "fresh-token-9f8e7d6c5b4a3210";
    const { url } = await serve((req, res) => {
      if (req.url === loginPath) return reply(res, 200, `token: ${token}`, "text/plain");
      reply(res, 200, WHOAMI);
    });
    const records: LogRecord[] = [];
    const client = new OperationsManagerClient({
      baseUrl: url,
      auth: auth as AuthOptions,
      retry: { maxRetries: 0 },
      logger: { debug: (r) => records.push(r) },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as Error).message).toMatch(
      new RegExp(`^POST ${loginPath} answered HTTP 200 with an unexpected body: expected JSON, got text/plain`),
    );
    expect(shown(error)).not.toContain(token);
    expect(JSON.stringify(records)).not.toContain(token);
  });

  test("other answers keep their snippet (it is what tells a proxy's page from IAP's), scrubbed of secrets", async () => {
    const { url } = await serve((_req, res) => reply(res, 200, "<p>Gateway says: pipeline-secret</p>", "text/html"));
    const client = new OperationsManagerClient({
      baseUrl: url,
      auth: { type: "basic", username: "svc-pipeline", password: "pipeline-secret" },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect((error as Error).message).toContain('"<p>Gateway says: [REDACTED]</p>"');
  });
});

describe("a baseUrl with credentials in it", () => {
  test.each([
    "http://svc-pipeline:hunter2-in-url@127.0.0.1:9",
    "https://svc-pipeline:hunter2-in-url@iap.example.com:3443",
    "http://hunter2-in-url@127.0.0.1:9",
  ])("%s is refused before anything is sent or logged, without echoing it", async (baseUrl) => {
    const records: LogRecord[] = [];
    let error: unknown;
    try {
      new OperationsManagerClient({
        baseUrl,
        auth: { type: "login", username: "svc-pipeline", password: "pipeline-secret" },
        logger: { debug: (r) => records.push(r), warn: (m) => records.push({ event: "error", error: m } as LogRecord) },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/baseUrl must not contain credentials/);
    expect(shown(error)).not.toContain("hunter2-in-url");
    expect(records).toEqual([]);
  });
});

describe("secrets of any length are redacted, as whole values, without garbling other words", () => {
  test("a 3-character password echoed by the server", async () => {
    const { url } = await serve((_req, res) =>
      reply(res, 400, { message: "login svc-pipeline:pw1 refused; pw1x and apw1 are other words" }),
    );
    const client = new OperationsManagerClient({
      baseUrl: url,
      auth: { type: "basic", username: "svc-pipeline", password: "pw1" },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect((error as ItentialError).message).toContain(
      "login svc-pipeline:[REDACTED] refused; pw1x and apw1 are other words",
    );
  });

  test("a 1-character token, in the message and the log", async () => {
    const { url } = await serve((_req, res) => reply(res, 401, { message: "token t is not known; try the tutorial" }));
    const records: LogRecord[] = [];
    const client = new OperationsManagerClient({
      baseUrl: url,
      auth: { type: "token", token: "t" },
      logger: { debug: (r) => records.push(r) },
    });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).iapMessage).toBe("token [REDACTED] is not known; try the tutorial");
    expect(records.map((r) => r.url.replace(url, ""))).toEqual(["/whoami", "/whoami"]);
    expect(records.map((r) => r.error ?? "").join("\n")).not.toMatch(/(?<![\p{L}\p{N}])t(?![\p{L}\p{N}])/u);
  });

  test("a 5-character password inside a longer word is left alone; on its own it is redacted", () => {
    expect(redactText("the alphabet; alpha.", ["alpha"])).toBe("the alphabet; [REDACTED].");
  });

  test("long secrets are redacted wherever they appear, also URL- or JSON-encoded", () => {
    const secret = 'p@ss w"rd/10';
    expect(redactText(`x${secret}y`, [secret])).toBe("x[REDACTED]y");
    expect(redactText(`q=${encodeURIComponent(secret)}`, [secret])).toBe("q=[REDACTED]");
    expect(redactText(JSON.stringify({ v: secret }), [secret])).toBe('{"v":"[REDACTED]"}');
  });
});

describe("redaction takes credentials, not ordinary words", () => {
  test.each([
    "Basic network check",
    "Authentication required: send Basic credentials, a token from /login, or a Bearer token",
    "Bearer token missing or expired.",
    "Malformed Basic credentials",
    "Task Bearer of bad news is complete",
  ])("%j is left as it is", (text) => {
    expect(redactText(text)).toBe(text);
  });

  test.each([
    ["Authorization: Basic c3ZjLXBpcGVsaW5lOnNlY3JldA==", "Authorization: [REDACTED]"],
    ["header Basic c3ZjLXBpcGVsaW5lOnNlY3JldA== sent", "header Basic [REDACTED] sent"],
    ["Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln was refused", "Bearer [REDACTED] was refused"],
    ["and Bearer xyz.987", "and Bearer [REDACTED]"],
    ['{"authorization":"Token abc"}', '{"authorization":"[REDACTED]"}'],
    ["GET /whoami?token=abc123&x=1", "GET /whoami?token=[REDACTED]&x=1"],
    ['{"password": "hunter2", "user": "u"}', '{"password": "[REDACTED]", "user": "u"}'],
    ["cookie: token=abc123; Path=/", "cookie: [REDACTED]"],
  ])("%j becomes %j", (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  test("IAP's own 401 text reaches the caller as IAP wrote it", async () => {
    const emulator = await import("../../emulator").then((m) => m.startEmulator({ port: 0 }));
    try {
      // What the emulator (like IAP) answers a request without credentials, served back verbatim.
      const iap401 = await call(emulator.url, "GET", "/whoami");
      const { url } = await serve((_req, res) => reply(res, 401, iap401.json));
      const client = new OperationsManagerClient({
        baseUrl: url,
        auth: { type: "basic", username: "svc-pipeline", password: "pipeline-secret" },
      });
      const error = (await client.whoami().catch((e: unknown) => e)) as AuthenticationError;
      expect(error.iapMessage).toBe(iap401.json.message);
      expect(error.message).toContain("send Basic credentials, a token from /login, or a Bearer token");
    } finally {
      await emulator.stop();
    }
  });
});

describe("a task named like a credential keeps its name in errors", () => {
  const emulator = useEmulatorProcess();

  test("TaskStateError names the task 'Basic network check' as it is", async () => {
    await emulator().reset({
      users: [
        { username: "svc-pipeline", password: "pipeline-secret", roles: ["operator"] },
        { username: "alice", password: "alice-secret", roles: ["operator"] },
      ],
      workflows: [{ name: "Network", tasks: [{ key: "a1", name: "Basic network check", type: "manual" }] }],
      jobs: [{ workflow: "Network" }],
    });
    const [alice, pipeline] = [AS.alice, AS.pipeline].map(
      ([username, password]) =>
        new OperationsManagerClient({ baseUrl: emulator().url, auth: { type: "basic", username, password } }),
    ) as [OperationsManagerClient, OperationsManagerClient];
    const task = (await alice.listTasks({ filters: { equals: { name: "Basic network check" } } })).items[0];
    await alice.claimTask(task?.id as string);
    const error = await pipeline.claimTask(task?.id as string).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskStateError);
    expect((error as Error).message).toContain('("Basic network check") is claimed by alice');
  });
});

describe("credentials are not reachable through the objects that hold them", () => {
  /**
   * Every string reachable from `root` through what JavaScript lets anyone read: own and inherited
   * properties, getters, and methods that take no arguments. `#private` fields are out of reach.
   */
  async function reachable(root: object): Promise<string[]> {
    const found: string[] = [];
    const seen = new Set<unknown>();
    const visit = async (value: unknown, depth: number): Promise<void> => {
      if (typeof value === "string") {
        found.push(value);
        return;
      }
      if (value instanceof Promise) return visit(await value.catch(() => undefined), depth);
      if (value === null || typeof value !== "object" || seen.has(value) || depth > 5) return;
      seen.add(value);
      for (let o: object | null = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
        for (const key of Reflect.ownKeys(o)) {
          if (key === "constructor") continue;
          const d = Object.getOwnPropertyDescriptor(o, key) as PropertyDescriptor;
          try {
            if (d.get) await visit(d.get.call(value), depth + 1);
            else if (typeof d.value === "function") {
              if (d.value.length === 0) await visit(d.value.call(value), depth + 1);
            } else await visit(d.value, depth + 1);
          } catch {
            // a member that needs arguments it did not get: nothing read
          }
        }
      }
    };
    await visit(root, 0);
    return found;
  }

  const logins = {
    basic: { type: "basic", username: "svc-pipeline", password: "secret-basic-pw" },
    login: { type: "login", username: "svc-pipeline", password: "secret-login-pw" },
    oauth: { type: "oauth", clientId: "pipeline-client", clientSecret: "secret-client-secret" },
    token: { type: "token", token: "secret-static-token" },
  } as const;
  const ISSUED = "secret-issued-token";

  test.each(Object.keys(logins))("%s: the strategy, a transport and a client built on it", async (type) => {
    const options = logins[type as keyof typeof logins] as AuthOptions;
    const secrets = Object.values(options).filter((v) => v.startsWith("secret-"));
    const strategy: AuthStrategy = createAuth(options, async ({ path }) => ({
      json: path === "/oauth/token" ? { access_token: ISSUED, expires_in: 3600 } : ISSUED,
      origin: { method: "POST", path, status: 200 },
    }));
    await strategy.authorize({ headers: {}, query: new URLSearchParams() }); // holds a token now, if it logs in
    const transport = new Transport(
      {
        baseUrl: "http://127.0.0.1:9",
        timeoutMs: 1000,
        maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
        retry: { ...DEFAULT_RETRY, maxRetries: 0 },
      },
      () => {
        return strategy;
      },
    );
    // Its methods that take no arguments (whoami, listTasks, …) are called too: without retries,
    // against a port where nothing listens, they fail at once.
    const client = new OperationsManagerClient({
      baseUrl: "http://127.0.0.1:9",
      auth: options,
      retry: { maxRetries: 0 },
    });
    for (const holder of [strategy, transport, client]) {
      const strings = (await reachable(holder)).join("\n");
      for (const secret of [...secrets, ISSUED]) expect(strings).not.toContain(secret);
      expect(inspect(holder, { depth: 10, showHidden: true, getters: true })).not.toMatch(/secret-/);
    }
  });
});

describe("credentials over plain http to another machine", () => {
  /** A proxy that answers every request itself, so a client can "reach" any host name. */
  async function answeringProxy() {
    return serve((_req, res) => reply(res, 200, WHOAMI));
  }

  test("warn once per client, through the logger, naming the host and not the password", async () => {
    const proxy = await answeringProxy();
    const port = Number(new URL(proxy.url).port);
    const warnings: string[] = [];
    const client = new OperationsManagerClient({
      baseUrl: "http://iap.example.com:3000",
      auth: { type: "basic", username: "svc-pipeline", password: "pipeline-secret" },
      proxy: { protocol: "http", host: "127.0.0.1", port },
      logger: { debug: () => {}, warn: (message) => warnings.push(message) },
    });
    for (let i = 0; i < 3; i++) await client.whoami();
    expect(proxy.seen).toHaveLength(3);
    expect(warnings).toEqual([expect.stringContaining("iap.example.com")]);
    expect(warnings[0]).toMatch(/Basic credentials .* unencrypted/);
    expect(warnings[0]).not.toContain("pipeline-secret");
  });

  test("without a logger the warning goes to stderr", () => {
    const write = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      new OperationsManagerClient({
        baseUrl: "http://10.1.2.3:3000",
        auth: { type: "basic", username: "svc-pipeline", password: "pipeline-secret" },
      });
      const lines = write.mock.calls.map((c) => String(c[0]));
      expect(lines).toEqual([expect.stringMatching(/^\[pulumi-itential\] warning: .*10\.1\.2\.3.*\n$/)]);
    } finally {
      write.mockRestore();
    }
  });

  test.each([
    ["https to another machine", "https://iap.example.com:3443", "basic"],
    ["http to this machine", "http://127.0.0.1:3000", "basic"],
    ["http to localhost", "http://localhost:3000", "basic"],
    ["http to ::1", "http://[::1]:3000", "basic"],
  ] as const)("no warning for %s", (_what, baseUrl, type) => {
    const warnings: string[] = [];
    new OperationsManagerClient({
      baseUrl,
      auth: { type, username: "svc-pipeline", password: "pipeline-secret" },
      logger: { debug: () => {}, warn: (message) => warnings.push(message) },
    });
    expect(warnings).toEqual([]);
  });

  // Every kind of credential crosses the wire readable over http: a login sends the password once
  // and then a token in every URL, a token and an OAuth bearer go with every request.
  test.each([
    ["a token login", { type: "login", username: "svc-pipeline", password: "pipeline-secret" }, /password .* token/],
    ["a token", { type: "token", token: "tok-secret" }, /token is sent in every request/],
    ["OAuth", { type: "oauth", clientId: "c", clientSecret: "client-secret" }, /client secret .* bearer token/],
  ] as const)("%s over http to another machine warns too, naming no secret", (_what, auth, pattern) => {
    const warnings: string[] = [];
    new OperationsManagerClient({
      baseUrl: "http://iap.example.com",
      auth,
      logger: { debug: () => {}, warn: (message) => warnings.push(message) },
    });
    expect(warnings).toEqual([expect.stringMatching(pattern)]);
    expect(warnings[0]).toContain("iap.example.com");
    expect(warnings[0]).not.toMatch(/pipeline-secret|tok-secret|client-secret/);
  });
});
