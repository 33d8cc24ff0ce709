// The client against each fault kind of the emulator, timeouts, aborts, and the unknown-outcome
// cases of claim, release and assign: no double claim, no false error.

import * as net from "node:net";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import {
  AbortedError,
  ConnectionError,
  type LogRecord,
  OperationsManagerClient,
  RateLimitError,
  ResponseFormatError,
  ServerError,
  TaskStateError,
  TimeoutError,
} from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();
let client: OperationsManagerClient;
let taskId: string;

// Short backoff keeps the suite fast; the policy itself is unit-tested in retry.test.ts.
const fast = { baseDelayMs: 10, maxDelayMs: 50 };

beforeEach(async () => {
  client = new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.pipeline.username, password: C.pipeline.password },
    retry: fast,
  });
  taskId = (await client.listTasks({ filters: { equals: { name: "Approve change" } } })).items[0]?.id as string;
  await emulator().control("DELETE", "/requests");
});

const requests = async (path?: string) =>
  (await emulator().requests())
    .filter((r) => path === undefined || r.path === path)
    .map((r) => `${r.method} ${r.status}${r.fault ? ` ${r.fault}` : ""}`);
/** A port nothing listens on: one the system just handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const claimPath = () => `/operations-manager/tasks/${taskId}/claim`;

describe("reads recover from transient faults", () => {
  test.each([
    ["status", { kind: "status", status: 502 }],
    ["status", { kind: "status", status: 503 }],
    ["status", { kind: "status", status: 504 }],
    ["reset", { kind: "reset" }],
    ["truncated", { kind: "truncated" }],
  ] as const)("%s %j, twice, then success", async (_, fault) => {
    await emulator().addFault({ ...fault, path: "/whoami", times: 2 });
    expect((await client.whoami()).username).toBe("svc-pipeline");
    expect(await requests("/whoami")).toHaveLength(3);
  });

  test("429 waits for Retry-After", async () => {
    await emulator().addFault({ kind: "status", status: 429, retryAfterSeconds: 1, path: "/whoami", times: 1 });
    const started = Date.now();
    await client.whoami();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await requests("/whoami")).toEqual(["GET 429 status", "GET 200"]);
  });

  test("a Retry-After longer than the client waits for raises RateLimitError at once", async () => {
    await emulator().addFault({ kind: "status", status: 429, retryAfterSeconds: 3600, path: "/whoami" });
    const error = await client.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
    expect(await requests("/whoami")).toHaveLength(1);
  });

  test("retries stop after maxRetries with the last error's class", async () => {
    await emulator().addFault({ kind: "status", status: 503, path: "/whoami" });
    await expect(client.whoami()).rejects.toBeInstanceOf(ServerError);
    expect(await requests("/whoami")).toHaveLength(4); // 1 + maxRetries (3)
    await emulator().control("DELETE", "/requests");
    await expect(client.whoami({ maxRetries: 0 })).rejects.toMatchObject({ status: 503 });
    expect(await requests("/whoami")).toHaveLength(1);
  });

  test("500 is IAP's business-error status: never retried", async () => {
    await emulator().addFault({ kind: "status", status: 500, path: "/whoami" });
    await expect(client.whoami()).rejects.toBeInstanceOf(ServerError);
    expect(await requests("/whoami")).toHaveLength(1);
  });

  test("a reset on every try ends in a ConnectionError", async () => {
    await emulator().addFault({ kind: "reset", path: "/whoami" });
    await expect(client.whoami()).rejects.toBeInstanceOf(ConnectionError);
  });

  test("malformed JSON is a ResponseFormatError naming the endpoint", async () => {
    await emulator().addFault({ kind: "malformed", path: "/operations-manager/tasks/*" });
    const error = await client.getTask(taskId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseFormatError);
    expect((error as Error).message).toMatch(
      new RegExp(`^GET /operations-manager/tasks/${taskId} answered HTTP 200 with an unexpected body: expected JSON`),
    );
  });

  test("a connection refused is retried, then a ConnectionError with its code", async () => {
    // Nothing listens, so no server can count the tries: the client's log records do.
    const records: LogRecord[] = [];
    const closed = new OperationsManagerClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      auth: { type: "basic", username: "u", password: "p" },
      retry: fast,
      logger: { debug: (record) => records.push(record) },
    });
    await expect(closed.whoami()).rejects.toMatchObject({ name: "ConnectionError", code: "ECONNREFUSED" });
    const sent = records.filter((r) => r.event === "request").map((r) => r.attempt);
    expect(sent).toEqual([0, 1, 2, 3]); // 1 + maxRetries (3)
    expect(records.filter((r) => r.event === "retry")).toHaveLength(3);
    await expect(closed.whoami({ maxRetries: 1 })).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(records.filter((r) => r.event === "request")).toHaveLength(6);
  });
});

test("a failing login is retried by the request that needed it, not also on its own", async () => {
  await emulator().addFault({ kind: "status", status: 503, path: "/login" });
  const login = new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "login", username: "svc-pipeline", password: "pipeline-secret" },
    retry: fast,
  });
  await expect(login.whoami()).rejects.toMatchObject({ name: "ServerError", status: 503, path: "/login" });
  expect(await requests("/login")).toHaveLength(4); // 1 + maxRetries, not (1 + maxRetries)²
  expect(await requests("/whoami")).toHaveLength(0);
});

describe("timeouts and aborts", () => {
  test("a slow answer past the timeout is a TimeoutError; a per-call timeout overrides the client's", async () => {
    await emulator().addFault({ kind: "latency", delayMs: 400, path: "/whoami" });
    const error = await client.whoami({ timeoutMs: 100, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ method: "GET", path: "/whoami", timeoutMs: 100 });
    expect((await client.whoami({ timeoutMs: 2000 })).username).toBe("svc-pipeline");
  });

  test("a timeout on the first try only is recovered by the retry", async () => {
    await emulator().addFault({ kind: "latency", delayMs: 2500, path: "/whoami", times: 1 });
    expect((await client.whoami({ timeoutMs: 1000 })).username).toBe("svc-pipeline");
  });

  test("an AbortSignal stops the request and any backoff", async () => {
    await emulator().addFault({ kind: "latency", delayMs: 2000, path: "/whoami" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(client.whoami({ signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("claim after an unknown outcome", () => {
  test("the claim happened but the answer was lost (reset): success, no second claim", async () => {
    await emulator().addFault({ kind: "reset", when: "after", path: "/operations-manager/tasks/*/claim", times: 1 });
    const task = await client.claimTask(taskId);
    expect(task.owner?.username).toBe("svc-pipeline");
    expect(await requests(claimPath())).toEqual(["POST 0 reset"]);
  });

  test.each([502, 504])("the claim happened but a proxy answered %i: success, no second claim", async (status) => {
    await emulator().addFault({
      kind: "status",
      status,
      when: "after",
      path: "/operations-manager/tasks/*/claim",
      times: 1,
    });
    expect((await client.claimTask(taskId)).owner?.username).toBe("svc-pipeline");
    expect(await requests(claimPath())).toEqual([`POST ${status} status`]);
  });

  test("the claim timed out after taking effect: success", async () => {
    await emulator().addFault({
      kind: "latency",
      delayMs: 2500,
      when: "after",
      path: "/operations-manager/tasks/*/claim",
      times: 1,
    });
    expect((await client.claimTask(taskId, { timeoutMs: 1000 })).owner?.username).toBe("svc-pipeline");
    // The emulator logs the delayed claim when its answer finally goes out, after the client gave up.
    for (let waited = 0; waited < 10_000 && (await requests(claimPath())).length === 0; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await requests(claimPath())).toEqual(["POST 200 latency"]);
  });

  test("the claim never arrived (503 before it ran): the task is still free, so it is sent again", async () => {
    await emulator().addFault({ kind: "status", status: 503, path: "/operations-manager/tasks/*/claim", times: 1 });
    expect((await client.claimTask(taskId)).owner?.username).toBe("svc-pipeline");
    expect(await requests(claimPath())).toEqual(["POST 503 status", "POST 200"]);
  });

  test("a 200 with a truncated body after the claim ran: success", async () => {
    await emulator().addFault({
      kind: "truncated",
      when: "after",
      path: "/operations-manager/tasks/*/claim",
      times: 1,
    });
    expect((await client.claimTask(taskId)).owner?.username).toBe("svc-pipeline");
    expect(await requests(claimPath())).toHaveLength(1);
  });

  test("someone else took the task meanwhile: TaskStateError, not a retry", async () => {
    await emulator().actAs("alice", "POST", claimPath());
    await emulator().addFault({ kind: "status", status: 502, path: "/operations-manager/tasks/*/claim" });
    const error = await client.claimTask(taskId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskStateError);
    expect(error).toMatchObject({ reason: "claimed-by-another", status: 502, owner: { username: "alice" } });
    expect(await requests(claimPath())).toHaveLength(1);
  });

  test("429 on a claim is retried without reading the task (it certainly did not run)", async () => {
    await emulator().addFault({
      kind: "status",
      status: 429,
      retryAfterSeconds: 0,
      path: "/operations-manager/tasks/*/claim",
      times: 1,
    });
    await client.claimTask(taskId);
    expect(await requests()).toEqual(["POST 429 status", "POST 200"]);
  });

  test("when every claim fails and the task stays free, the last error is raised after maxRetries", async () => {
    await emulator().addFault({ kind: "status", status: 503, path: "/operations-manager/tasks/*/claim" });
    await expect(client.claimTask(taskId)).rejects.toMatchObject({ name: "ServerError", status: 503 });
    expect(await requests(claimPath())).toHaveLength(4);
  });
});

describe("release and assign after an unknown outcome", () => {
  test("release happened but the answer was lost: success", async () => {
    await client.claimTask(taskId);
    await emulator().addFault({ kind: "reset", when: "after", path: "/operations-manager/tasks/*/release", times: 1 });
    expect((await client.releaseTask(taskId)).owner).toBeUndefined();
    expect(await requests(`/operations-manager/tasks/${taskId}/release`)).toEqual(["POST 0 reset"]);
  });

  test("assign happened but the answer was lost: success", async () => {
    const bob = await new OperationsManagerClient({
      baseUrl: emulator().url,
      auth: { type: "basic", username: "bob", password: "bob-secret" },
    }).whoami();
    await emulator().addFault({
      kind: "status",
      status: 502,
      when: "after",
      path: "/operations-manager/tasks/*/assign",
      times: 1,
    });
    expect((await client.assignTask(taskId, bob.id)).owner?.username).toBe("bob");
    expect(await requests(`/operations-manager/tasks/${taskId}/assign`)).toHaveLength(1);
  });
});

describe("against an older IAP that keeps owners as usernames", () => {
  beforeEach(async () => {
    await emulator().settings({ ownerAsUsername: true });
  });

  test("a claim whose answer was lost is recognised as ours, not as claimed by another", async () => {
    await emulator().addFault({ kind: "reset", when: "after", path: "/operations-manager/tasks/*/claim", times: 1 });
    const task = await client.claimTask(taskId);
    expect(task.owner).toEqual({ id: "svc-pipeline", username: "svc-pipeline" });
    expect(await requests(claimPath())).toEqual(["POST 0 reset"]);
  });

  test("re-claiming our own task refused with 500 is still ours", async () => {
    await client.claimTask(taskId);
    await emulator().addFault({ kind: "status", status: 500, path: "/operations-manager/tasks/*/claim", times: 1 });
    expect((await client.claimTask(taskId)).owner?.username).toBe("svc-pipeline");
  });

  test("someone else's claim is still someone else's, named", async () => {
    await emulator().actAs("alice", "POST", claimPath());
    await emulator().addFault({ kind: "status", status: 502, path: "/operations-manager/tasks/*/claim" });
    await expect(client.claimTask(taskId)).rejects.toMatchObject({
      name: "TaskStateError",
      reason: "claimed-by-another",
      owner: { id: "alice", username: "alice" },
      message: expect.stringMatching(/is claimed by alice since/),
    });
    await expect(client.releaseTask(taskId)).rejects.toMatchObject({
      reason: "claimed-by-another",
      message: expect.stringMatching(/is claimed by alice since .*, not by svc-pipeline$/),
    });
  });
});

describe("against an IAP that answers every business error with 500", () => {
  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: true });
  });

  test("a claim refused because alice holds the task is still explained from the task's state", async () => {
    await emulator().actAs("alice", "POST", claimPath());
    await expect(client.claimTask(taskId)).rejects.toMatchObject({
      name: "TaskStateError",
      reason: "claimed-by-another",
      status: 500,
      message: expect.stringMatching(/is claimed by alice since/),
    });
    expect(await requests(claimPath())).toHaveLength(1); // 500 is not retried
  });

  test("re-claiming your own task and releasing an unclaimed one still resolve", async () => {
    await client.claimTask(taskId);
    expect((await client.claimTask(taskId)).owner?.username).toBe("svc-pipeline");
    await client.releaseTask(taskId);
    expect((await client.releaseTask(taskId)).owner).toBeUndefined();
  });

  test("a 500 the task's state cannot explain is raised as the ServerError it is", async () => {
    await expect(client.assignTask(taskId, "0123456789abcdef01234567")).rejects.toMatchObject({
      name: "ServerError",
      status: 500,
      iapMessage: "User 0123456789abcdef01234567 does not exist",
    });
  });
});
