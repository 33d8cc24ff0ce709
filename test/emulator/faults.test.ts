// Every fault kind of the control API, observed at the socket level with node:http.
import * as http from "node:http";
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();
const AUTH = `Basic ${Buffer.from(AS.pipeline.join(":")).toString("base64")}`;

interface Outcome {
  status?: number;
  headers?: http.IncomingHttpHeaders;
  body: string;
  error?: string;
  ms: number;
}

/** One request with a fresh connection; reports what arrived before any error. */
function raw(method: string, path: string): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = http.request(
      `${emulator().url}${path}`,
      { method, headers: { authorization: AUTH }, agent: false },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body, ms: Date.now() - started }));
        res.on("error", (error: NodeJS.ErrnoException) =>
          resolve({ status: res.statusCode, body, error: error.code ?? error.message, ms: Date.now() - started }),
        );
        res.on("aborted", () => resolve({ status: res.statusCode, body, error: "aborted", ms: Date.now() - started }));
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) =>
      resolve({ body: "", error: error.code ?? error.message, ms: Date.now() - started }),
    );
    req.end();
  });
}

async function approveTaskId(): Promise<string> {
  const res = await call(emulator().url, "GET", "/operations-manager/tasks?equals[name]=Approve%20change", {
    auth: AS.pipeline,
  });
  return res.json.data[0]._id;
}

test("latency delays the answer, which then arrives intact", async () => {
  await emulator().addFault({ kind: "latency", delayMs: 300, path: "/whoami" });
  const slow = await raw("GET", "/whoami");
  expect(slow.status).toBe(200);
  expect(slow.ms).toBeGreaterThanOrEqual(280);
  expect(JSON.parse(slow.body).username).toBe("svc-pipeline");
});

test("status answers the injected status in the envelope, with Retry-After when asked", async () => {
  await emulator().addFault({ kind: "status", status: 429, retryAfterSeconds: 2, path: "/whoami" });
  const res = await raw("GET", "/whoami");
  expect(res.status).toBe(429);
  expect(res.headers?.["retry-after"]).toBe("2");
  expect(JSON.parse(res.body)).toEqual({ message: "Injected fault: HTTP 429", data: null, metadata: {} });
});

test.each([500, 502, 503])("status %i", async (status) => {
  await emulator().addFault({ kind: "status", status, path: "/operations-manager/**" });
  expect((await raw("GET", "/operations-manager/tasks")).status).toBe(status);
});

test("reset cuts the connection without an answer", async () => {
  await emulator().addFault({ kind: "reset", path: "/whoami" });
  const res = await raw("GET", "/whoami");
  expect(res.status).toBeUndefined();
  expect(res.error).toMatch(/ECONNRESET|socket hang up/);
});

test("malformed answers 200 with JSON that does not parse", async () => {
  await emulator().addFault({ kind: "malformed", path: "/whoami" });
  const res = await raw("GET", "/whoami");
  expect(res.status).toBe(200);
  expect(res.headers?.["content-type"]).toMatch(/application\/json/);
  expect(() => JSON.parse(res.body)).toThrow();
});

test("truncated sends part of a promised body, then cuts the connection", async () => {
  await emulator().addFault({ kind: "truncated", path: "/whoami" });
  const res = await raw("GET", "/whoami");
  expect(res.status).toBe(200);
  expect(res.error).toBeDefined();
  expect(res.body.length).toBeGreaterThan(0);
  expect(res.body.length).toBeLessThan(Number(res.headers?.["content-length"] ?? Number.POSITIVE_INFINITY));
});

test("times: fails the next N requests, then succeeds", async () => {
  await emulator().addFault({ kind: "status", status: 503, times: 2, path: "/whoami" });
  expect((await raw("GET", "/whoami")).status).toBe(503);
  expect((await raw("GET", "/whoami")).status).toBe(503);
  expect((await raw("GET", "/whoami")).status).toBe(200);
  expect(await emulator().control("GET", "/faults")).toEqual([]);
});

test("method and path patterns pick the requests a fault applies to", async () => {
  const id = await approveTaskId();
  await emulator().addFault({ kind: "status", status: 502, method: "POST", path: "/operations-manager/tasks/*/claim" });
  expect((await raw("GET", `/operations-manager/tasks/${id}`)).status).toBe(200);
  expect((await raw("POST", `/operations-manager/tasks/${id}/release`)).status).toBe(400); // not claimed
  expect((await raw("POST", `/operations-manager/tasks/${id}/claim`)).status).toBe(502);
  // A "before" fault means the claim never happened.
  const task = await call(emulator().url, "GET", `/operations-manager/tasks/${id}`, { auth: AS.pipeline });
  expect(task.json.data.metrics.owner).toBeUndefined();
});

test("an 'after' fault lets the request take effect but loses the answer (unknown outcome)", async () => {
  const id = await approveTaskId();
  await emulator().addFault({ kind: "reset", when: "after", path: "/operations-manager/tasks/*/claim", times: 1 });
  const res = await raw("POST", `/operations-manager/tasks/${id}/claim`);
  expect(res.status).toBeUndefined();
  const task = await call(emulator().url, "GET", `/operations-manager/tasks/${id}`, { auth: AS.pipeline });
  expect(task.json.data.metrics.owner).toMatch(/^[0-9a-f]{24}$/);
});

test("the request log records every IAP request with the fault it met", async () => {
  await emulator().addFault({ kind: "status", status: 503, times: 1, path: "/whoami" });
  await raw("GET", "/whoami");
  await raw("GET", "/whoami");
  const log = await emulator().requests();
  expect(log.map((e) => [e.method, e.path, e.status, e.fault])).toEqual([
    ["GET", "/whoami", 503, "status"],
    ["GET", "/whoami", 200, undefined],
  ]);
  expect(log[1]).toMatchObject({ username: "svc-pipeline", time: expect.stringMatching(/Z$/) });
  await emulator().control("DELETE", "/requests");
  expect(await emulator().requests()).toEqual([]);
});

test("faults can be listed and removed one by one; bad specs are refused", async () => {
  const { id } = await emulator().addFault({ kind: "latency", delayMs: 5 });
  expect(await emulator().control("GET", "/faults")).toEqual([
    expect.objectContaining({ id, kind: "latency", hits: 0 }),
  ]);
  await emulator().control("DELETE", `/faults/${id}`);
  expect(await emulator().control("GET", "/faults")).toEqual([]);
  await expect(emulator().addFault({ kind: "explode" as never })).rejects.toThrow(/400 Fault kind must be one of/);
  await expect(emulator().addFault({ kind: "status", status: 999 })).rejects.toThrow(/400/);
  await expect(emulator().addFault({ kind: "status", times: 0 })).rejects.toThrow(/400/);
});

test("faults never touch the control API", async () => {
  await emulator().addFault({ kind: "reset" });
  expect(await emulator().control("GET", "/health")).toEqual({ status: "running" });
  expect((await raw("GET", "/whoami")).error).toBeDefined();
});

test("skip lets the first matching requests pass, then the fault applies", async () => {
  await emulator().addFault({ kind: "status", status: 503, method: "GET", path: "/whoami", skip: 2 });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++)
    statuses.push((await call(emulator().url, "GET", "/whoami", { auth: AS.pipeline })).status);
  expect(statuses).toEqual([200, 200, 503, 503]);
  expect(await emulator().control("GET", "/faults")).toEqual([
    expect.objectContaining({ skip: 2, passed: 2, hits: 2 }),
  ]);
});
