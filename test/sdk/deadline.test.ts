// Bounded in time: no request, login or shared lookup outlives its caller's limits. Each test here
// failed before the fix it names (a trickled body held a request forever, a login ignored the
// caller's signal, one caller's abort failed another's claim, recovery reads ignored maxRetries).
import { execFile } from "node:child_process";
import { getEventListeners } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { AbortedError, OperationsManagerClient, TimeoutError } from "../../sdk";
import { startDeadline } from "../../sdk/deadline";
import { useEmulatorProcess } from "../support/emulator-process";

const REPO = path.resolve(__dirname, "..", "..");
const execFileAsync = promisify(execFile);
const HUNG = Symbol("still waiting");
/** `work`, or HUNG when it has not settled within `ms`: a hang fails the test instead of the suite. */
const within = <T>(ms: number, work: Promise<T>) =>
  Promise.race([work.catch((error: unknown) => error), new Promise((resolve) => setTimeout(() => resolve(HUNG), ms))]);

/** A server that answers with `handler` on a free port, closed after the test. */
async function rawServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("against servers that misbehave", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  test("timeoutMs covers the whole body: a server trickling it byte by byte times out", async () => {
    const timers: NodeJS.Timeout[] = [];
    const server = await rawServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100000" });
      timers.push(setInterval(() => res.write(" "), 50));
    });
    close = async () => {
      for (const t of timers) clearInterval(t);
      await server.close();
    };
    const client = new OperationsManagerClient({
      baseUrl: server.url,
      auth: { type: "token", token: "t0ken-value" },
      timeoutMs: 300,
      retry: { maxRetries: 0 },
    });
    const started = Date.now();
    const outcome = await within(3000, client.whoami());
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("a caller's signal ends its wait for a login that does not answer", async () => {
    const server = await rawServer(() => {
      // /login never answers
    });
    close = server.close;
    const client = new OperationsManagerClient({
      baseUrl: server.url,
      auth: { type: "login", username: "svc", password: "pw-value" },
      timeoutMs: 20_000,
      retry: { maxRetries: 0 },
    });
    const outcome = await within(3000, client.whoami({ signal: AbortSignal.timeout(200) }));
    expect(outcome).toBeInstanceOf(AbortedError);
  });

  test("a caller whose signal has already fired starts no login, and nothing fails unhandled", async () => {
    // In a process of its own: jest keeps unhandled rejections from the process's own handlers, and
    // in a Pulumi provider process one is fatal.
    const script = `
      const http = require("node:http");
      const { OperationsManagerClient } = require(${JSON.stringify(path.join(REPO, "dist", "sdk"))});
      let logins = 0;
      const unhandled = [];
      process.on("unhandledRejection", (reason) => unhandled.push(String(reason)));
      const server = http.createServer((req, res) => { if (req.url.startsWith("/login")) logins++; res.destroy(); });
      server.listen(0, "127.0.0.1", async () => {
        const client = new OperationsManagerClient({
          baseUrl: "http://127.0.0.1:" + server.address().port,
          auth: { type: "login", username: "svc", password: "pw-value" },
          retry: { maxRetries: 0 },
        });
        const outcomes = [];
        await client.whoami({ signal: AbortSignal.abort() }).catch((e) => outcomes.push(e.name));
        await new Promise((r) => setTimeout(r, 200));
        const loginsAfterAborted = logins;
        const impatient = new AbortController();
        const waiting = client.whoami({ signal: impatient.signal }).catch((e) => outcomes.push(e.name));
        impatient.abort();
        await waiting;
        await new Promise((r) => setTimeout(r, 300));
        server.close();
        process.stdout.write(JSON.stringify({ outcomes, loginsAfterAborted, logins, unhandled }));
      });`;
    const { stdout } = await execFileAsync(process.execPath, ["-e", script]);
    expect(JSON.parse(stdout)).toEqual({
      outcomes: ["AbortedError", "AbortedError"],
      loginsAfterAborted: 0, // a caller that has given up starts no login
      logins: 1, // the second caller's login runs on (shared), and fails with nobody waiting…
      unhandled: [], // …without an unhandled rejection
    });
  });

  test("a login started by a call with a short timeout is bounded by that timeout", async () => {
    const server = await rawServer(() => {});
    close = server.close;
    const client = new OperationsManagerClient({
      baseUrl: server.url,
      auth: { type: "login", username: "svc", password: "pw-value" },
      timeoutMs: 20_000,
      retry: { maxRetries: 0 },
    });
    const outcome = await within(3000, client.whoami({ timeoutMs: 200 }));
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect((outcome as TimeoutError).path).toBe("/login");
  });
});

describe("against the emulator", () => {
  const emulator = useEmulatorProcess();
  let client: OperationsManagerClient;
  const taskIdOf = async (name: string) =>
    (await client.listTasks({ filters: { equals: { name } } })).items[0]?.id as string;

  beforeEach(() => {
    client = new OperationsManagerClient({
      baseUrl: emulator().url,
      auth: { type: "basic", username: C.pipeline.username, password: C.pipeline.password },
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
  });

  test("one caller aborting does not fail another caller's claim through the shared whoami", async () => {
    const [first, second] = [await taskIdOf("Approve change"), await taskIdOf("Security review")];
    // Both claims lose their answer, so both ask who we are; whoami is slow.
    await emulator().addFault({ kind: "status", status: 502, path: "/operations-manager/tasks/*/claim", times: 2 });
    await emulator().addFault({ kind: "latency", delayMs: 400, path: "/whoami" });
    const impatient = new AbortController();
    const a = client.claimTask(first, { signal: impatient.signal });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const b = client.claimTask(second);
    setTimeout(() => impatient.abort(), 150);
    await expect(a).rejects.toThrow(AbortedError);
    const claimed = await b;
    expect(claimed.owner?.username ?? claimed.owner?.id).toBeDefined();
    expect((await client.getTask(second, { dereference: ["metrics.owner"] })).owner?.username).toBe("svc-pipeline");
  });

  test("the reads a failed claim makes to learn its outcome honour the call's maxRetries", async () => {
    const id = await taskIdOf("Approve change");
    await emulator().addFault({ kind: "status", status: 502, path: "/operations-manager/tasks/*/claim", times: 1 });
    await emulator().addFault({ kind: "status", status: 503, method: "GET", path: "/operations-manager/tasks/*" });
    await emulator().control("DELETE", "/requests");
    await expect(client.claimTask(id, { maxRetries: 0 })).rejects.toThrow(/502/);
    const reads = (await emulator().requests()).filter((r) => r.method === "GET");
    expect(reads).toHaveLength(1);
  });
});

describe("startDeadline", () => {
  /** Records, in order, what each deadline's signal heard. */
  const listen = (deadline: { signal: AbortSignal }, heard: string[], name: string) =>
    deadline.signal.addEventListener("abort", () => heard.push(name));

  test("its signal fires once, whichever stops it first, with the reason kept", async () => {
    const caller = new AbortController();
    const deadline = startDeadline(10_000, caller.signal);
    const heard: string[] = [];
    listen(deadline, heard, "first");
    caller.abort();
    caller.abort();
    expect(heard).toEqual(["first"]);
    expect(deadline.reason()).toBe("aborted");
    expect(deadline.signal.aborted).toBe(true);
    deadline.dispose();
  });

  test("a caller that aborted already stops it at once", () => {
    const caller = new AbortController();
    caller.abort();
    const deadline = startDeadline(10_000, caller.signal);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.reason()).toBe("aborted");
    deadline.dispose();
  });

  test("the first reason stays; dispose leaves no listener on the caller's signal and fires nothing after", () => {
    const caller = new AbortController();
    const heard: string[] = [];
    for (let i = 0; i < 50; i++) {
      const deadline = startDeadline(10_000, caller.signal);
      listen(deadline, heard, "disposed one");
      deadline.dispose();
    }
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
    const live = startDeadline(10_000, caller.signal);
    listen(live, heard, `live`);
    caller.abort();
    expect(heard).toEqual(["live"]);
    expect(live.reason()).toBe("aborted");
    expect(String(live.signal.reason)).toContain("aborted");
    live.dispose();
  });

  test("a timeout is not overwritten by a later abort", async () => {
    const caller = new AbortController();
    const deadline = startDeadline(10, caller.signal);
    await new Promise((resolve) => setTimeout(resolve, 40));
    caller.abort();
    expect(deadline.reason()).toBe("timeout");
    expect(String(deadline.signal.reason)).toContain("timed out after 10 ms");
    deadline.dispose();
  });

  test("times out on its own timer; a disposed deadline fires nothing", async () => {
    const fired = startDeadline(20);
    const heard: string[] = [];
    listen(fired, heard, "timeout");
    const disposed = startDeadline(20);
    listen(disposed, heard, "disposed");
    disposed.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(heard).toEqual(["timeout"]);
    expect(fired.reason()).toBe("timeout");
    expect(fired.signal.aborted).toBe(true);
    expect(disposed.reason()).toBeUndefined();
    expect(disposed.signal.aborted).toBe(false);
    fired.dispose();
  });
});
