// The emulator under junk (issue 9, item 3): every IAP route, with junk path parameters, query
// parameters, bodies, content types and credentials, over raw HTTP to an emulator process. Every
// request is answered (no crash, no hang), in JSON, and never with a 5xx: junk is the caller's
// mistake (4xx), or, where IAP ignores what it cannot read (a query parameter it does not know),
// the normal answer. A malformed id is always a 4xx. The control API is left out: it exists to let
// tests do anything, including inject faults that hang requests on purpose.
import * as http from "node:http";
import fc from "fast-check";
import { AS, useEmulatorProcess } from "../support/emulator-process";
import { fuzzRuns } from "../support/fuzz";

const emulator = useEmulatorProcess({ resetEachTest: false });

/** IAP's routes as the emulator serves them; `:name` is a path parameter. */
const ROUTES: [string, string][] = [
  ["POST", "/login"],
  ["POST", "/oauth/token"],
  ["GET", "/whoami"],
  ["GET", "/authorization/accounts"],
  ["GET", "/authorization/accounts/:accountId"],
  ["GET", "/operations-manager/tasks"],
  ["GET", "/operations-manager/tasks/:taskId"],
  ["POST", "/operations-manager/tasks/:taskId/claim"],
  ["POST", "/operations-manager/tasks/:taskId/release"],
  ["POST", "/operations-manager/tasks/:taskId/assign"],
  ["GET", "/operations-manager/jobs"],
  ["GET", "/operations-manager/jobs/:jobId"],
  ["POST", "/operations-manager/jobs/start"],
  ["GET", "/operations-manager/jobs/:jobId/tasks/:taskKey/manual-controller"],
  ["POST", "/operations-manager/jobs/:jobId/tasks/:taskKey/finish"],
  ["GET", "/work-center-service/work-items"],
  ["POST", "/work-center-service/work-items/search"],
  ["POST", "/work-center-service/work-items/count"],
  ["GET", "/work-center-service/work-items/:id"],
  ["PATCH", "/work-center-service/work-items/:id/claim"],
  ["PATCH", "/work-center-service/work-items/:id/release"],
  ["PATCH", "/work-center-service/work-items/:id/assign"],
  ["PATCH", "/work-center-service/work-items/:id/complete"],
  ["PATCH", "/work-center-service/work-items/:id/cancel"],
];

const WELL_FORMED: Record<string, RegExp> = {
  accountId: /^[0-9a-fA-F]{24}$/,
  taskId: /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/,
  jobId: /^[0-9a-fA-F]{24}$/,
  taskKey: /^[0-9a-fA-F]{1,4}$/,
  id: /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/,
};

/** Path parameters: well-formed (known or not), and junk, sent raw (invalid escapes included). */
const param = fc.oneof(
  fc.uuid().map(String),
  fc.stringMatching(/^[0-9a-f]{24}$/),
  fc.stringMatching(/^[0-9a-f]{1,4}$/),
  fc.string({ minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }).map(encodeURIComponent),
  fc.constantFrom("%", "%E0%A4%A", "%00", "..", "%2e%2e", "%2F", "a%20b", "x".repeat(5000), "-1", "null", "{}"),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("-1", "0", "1e309", "NaN", "abc", "$where", "__proto__", "x".repeat(3000), ""),
);
const queryKey = fc.oneof(
  fc.constantFrom("limit", "skip", "sort", "order", "include", "exclude", "dereference", "token"),
  fc
    .constantFrom("equals", "contains", "starts-with", "ends-with", "in", "gt", "multiEquals", "multiContains")
    .chain((op) =>
      fc
        .oneof(
          fc.constantFrom("name", "_id", "job._id", "username", "$where", "a.b.c", ""),
          fc.string({ maxLength: 8 }),
        )
        .map((field) => `${op}[${field}]`),
    ),
  fc.string({ maxLength: 10 }),
);
const query = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
  .map((pairs) => new URLSearchParams(pairs).toString());

/** A body and the content type it claims; the claim is sometimes a lie. */
const LIMIT = 1024 * 1024;
const body = fc.oneof(
  fc.constant({ type: undefined as string | undefined, text: "" }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => ({ type: "application/json", text: JSON.stringify(v) })),
  fc
    .record(
      {
        user: fc.oneof(fc.record({ username: fc.string(), password: fc.string() }), fc.jsonValue({ maxDepth: 1 })),
        userId: fc.oneof(fc.stringMatching(/^[0-9a-f]{24}$/), fc.jsonValue({ maxDepth: 1 })),
        workflow: fc.oneof(fc.constant("Change approval"), fc.jsonValue({ maxDepth: 1 })),
        options: fc.jsonValue({ maxDepth: 2 }),
        // Work Center's bodies: search filters, paging, assign's owner, complete's response.
        filters: fc.oneof(
          fc.array(
            fc.record({
              field: fc.constantFrom("name", "owner", "createdAt", "executionName", "nope"),
              operator: fc.constantFrom("equals", "contains", "in", "before", "after", "like"),
              value: fc.jsonValue({ maxDepth: 1 }),
            }),
            { maxLength: 3 },
          ),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        sort: fc.jsonValue({ maxDepth: 2 }),
        skip: fc.jsonValue({ maxDepth: 0 }),
        limit: fc.jsonValue({ maxDepth: 0 }),
        owner: fc.oneof(fc.stringMatching(/^[0-9a-f]{24}$/), fc.jsonValue({ maxDepth: 1 })),
        finishState: fc.jsonValue({ maxDepth: 1 }),
        variables: fc.jsonValue({ maxDepth: 1 }),
        taskData: fc.oneof(
          fc.record({
            finish_state: fc.constantFrom("success", "failure", "maybe"),
            variables: fc.jsonValue({ maxDepth: 1 }),
          }),
          fc.jsonValue({ maxDepth: 1 }),
        ),
      },
      { requiredKeys: [] },
    )
    .map((v) => ({ type: "application/json", text: JSON.stringify(v) })),
  fc.string({ maxLength: 50 }).map((text) => ({ type: "application/json", text })),
  fc
    .array(fc.tuple(fc.constantFrom("grant_type", "client_id", "client_secret", "x"), fc.string({ maxLength: 20 })), {
      maxLength: 4,
    })
    .map((pairs) => ({ type: "application/x-www-form-urlencoded", text: new URLSearchParams(pairs).toString() })),
  fc
    .tuple(
      fc.constantFrom("text/plain", "application/xml", "multipart/form-data", "application/json; charset=latin1"),
      fc.string(),
    )
    .map(([type, text]) => ({ type, text })),
);
/** Mostly bodies of every shape; now and then one past the emulator's 1 MiB limit. */
const anyBody = fc.oneof(
  { weight: 60, arbitrary: body },
  { weight: 1, arbitrary: fc.constant({ type: "application/json", text: "x".repeat(LIMIT + 10) }) },
);

const basic = (user: readonly [string, string]) => `Basic ${Buffer.from(user.join(":")).toString("base64")}`;
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(basic(AS.admin), basic(AS.pipeline), basic(AS.auditor)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      "Basic",
      "Basic !!!",
      `Basic ${Buffer.from("no-colon").toString("base64")}`,
      "Bearer ",
      "Bearer nope",
      "Digest x",
      "x".repeat(2000),
    ),
  },
);

const request = fc.record({
  route: fc.constantFrom(...ROUTES),
  method: fc.oneof(
    { weight: 9, arbitrary: fc.constant("") },
    { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH") },
  ),
  params: fc.array(param, { minLength: 2, maxLength: 2 }),
  query,
  body: anyBody,
  authorization,
});

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
afterAll(() => agent.destroy());

function send(
  url: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  text: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent, timeout: 10_000 },
      (res) => {
        let received = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          received += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: received }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${path.slice(0, 100)} in 10 s`)));
    // A body past the limit is answered (413, connection: close) before it is all sent, so the
    // rest of the write may fail; for any other request a cut connection is a failure.
    req.on("error", (error: NodeJS.ErrnoException) =>
      text.length > LIMIT && (error.code === "EPIPE" || error.code === "ECONNRESET")
        ? resolve({ status: 413, body: "{}" })
        : reject(error),
    );
    req.end(text);
  });
}

test("junk to every IAP route: answered, in JSON, never a 5xx; a malformed id is a 4xx", async () => {
  const url = new URL(emulator().url);
  const statuses = new Map<number, number>();
  const routesHit = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      request,
      async ({ route: [routeMethod, pattern], method, params, query: q, body: b, authorization: auth }) => {
        let i = 0;
        let malformed = false;
        const path = pattern.replace(/:(\w+)/g, (_m, name: string) => {
          const value = params[i++] as string;
          let decoded: string | undefined;
          try {
            decoded = decodeURIComponent(value);
          } catch {
            decoded = undefined;
          }
          if (decoded === undefined || !(WELL_FORMED[name] as RegExp).test(decoded)) malformed = true;
          return value;
        });
        // Framed by its length, even on a GET (Node sends a GET's body unframed otherwise, which is
        // junk HTTP rather than junk content; see the last test for that).
        const headers: Record<string, string> = { "content-length": String(Buffer.byteLength(b.text)) };
        if (auth) headers.authorization = auth;
        if (b.type) headers["content-type"] = b.type;
        const sent = method || routeMethod;
        const { status, body: answer } = await send(url, sent, q ? `${path}?${q}` : path, headers, b.text);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        routesHit.add(pattern);
        expect({ sent, path: path.slice(0, 200), status }).toEqual({
          sent,
          path: path.slice(0, 200),
          status: expect.any(Number),
        });
        expect(status >= 200 && status < 500).toBe(true);
        if (status !== 413) expect(() => JSON.parse(answer)).not.toThrow();
        // Past authentication and on the route's method, a malformed id is refused, never looked up.
        if (malformed && sent === routeMethod && status !== 401) expect(status >= 400 && status < 500).toBe(true);
      },
    ),
    { numRuns: fuzzRuns(2000) },
  );
  // It is still serving, and it never hit its own last line of defence.
  expect(emulator().child.exitCode).toBeNull();
  expect(emulator().stderr.join("")).not.toMatch(/internal error|Internal emulator error/);
  expect((await emulator().control<{ status: string }>("GET", "/health")).status).toBe("running");
  expect(routesHit.size).toBe(ROUTES.length);
  // The junk got past the door: most answers are not 401s.
  expect([...statuses].filter(([s]) => s !== 401).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(fuzzRuns(2000) / 2);
}, 120_000);

test("bytes that are not HTTP get a 400 in the envelope, and the connection closes", async () => {
  const url = new URL(emulator().url);
  const net = await import("node:net");
  for (const garbage of [
    "GET / HTTP/1.1\r\nHost\r\n\r\n",
    "\u0000\u0001\u0002\r\n\r\n",
    "GET /whoami HTTP/9.9\r\n\r\n",
  ]) {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.end(garbage));
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk) => {
        received += chunk;
      });
      socket.on("end", () => resolve(received));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer).toContain("connection: close");
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({
      message: "Bad request: the request is not valid HTTP",
      data: null,
      metadata: {},
    });
  }
});
