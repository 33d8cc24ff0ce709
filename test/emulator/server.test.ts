// Input safety, the control API's switches and act-as, persistence across restarts, and the command.
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, type EmulatorSeed } from "../../emulator";
import { AS, call, EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";

/**
 * Sends a JSON POST /login with these headers and chunks but never ends it, and resolves with the
 * answer the server gives meanwhile: only a server that refuses the body early answers at all.
 */
function answerBeforeBodyEnds(
  url: string,
  headers: Record<string, string>,
  chunks: Buffer[],
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/login`, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error("no answer within 5 s while the body was still being sent"));
    }, 5000);
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (part) => {
        text += part;
      });
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) });
      });
    });
    // Writing on after the server answered and closed may fail; only the answer matters.
    req.on("error", () => {});
    req.on("close", () => {
      clearTimeout(timer);
      reject(new Error("the connection closed without an answer")); // a no-op once resolved
    });
    req.flushHeaders();
    for (const chunk of chunks) req.write(chunk);
  });
}

describe("input safety", () => {
  const emulator = useEmulatorProcess({ resetEachTest: false });

  test("a body declared over the limit (1 MiB) is refused with 413 before it is sent", async () => {
    const res = await answerBeforeBodyEnds(emulator().url, { "content-length": String(2 * 1024 * 1024) }, []);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe("close");
    expect(res.json).toEqual({ message: "Request body larger than 1048576 bytes", data: null, metadata: {} });
  });

  test("a streamed body that grows over the limit is refused with 413 once it does", async () => {
    const chunk = Buffer.alloc(64 * 1024, "x");
    const res = await answerBeforeBodyEnds(
      emulator().url,
      { "transfer-encoding": "chunked" },
      Array.from({ length: 17 }, () => chunk), // 1 MiB + 64 KiB, and the request never ends
    );
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ message: "Request body larger than 1048576 bytes", data: null, metadata: {} });
  });

  test("invalid JSON is a 400 in the envelope", async () => {
    const res = await call(emulator().url, "POST", "/login", {
      rawBody: '{"user": {',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      message: expect.stringMatching(/^Invalid JSON in request body/),
      data: null,
      metadata: {},
    });
  });

  test("an unknown route is a clear 404; a known path with another method a 405", async () => {
    const unknown = await call(emulator().url, "GET", "/operations-manager/nothing-here", { auth: AS.pipeline });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      message: "Route not found: GET /operations-manager/nothing-here",
      data: null,
      metadata: {},
    });
    const wrongMethod = await call(emulator().url, "DELETE", "/whoami", { auth: AS.pipeline });
    expect(wrongMethod.status).toBe(405);
  });

  test("the control API does not exist unless enabled", async () => {
    const plain = await EmulatorProcess.start({ control: false });
    try {
      const res = await call(plain.url, "GET", "/_emulator/state");
      expect(res.status).toBe(404);
      expect(res.json.data).toBeNull();
    } finally {
      await plain.stop();
    }
  });

  test("junk does not crash the process", async () => {
    const junk: [string, string, Parameters<typeof call>[3]][] = [
      ["GET", "/operations-manager/tasks/%E0%A4%A", { auth: AS.pipeline }],
      ["GET", "/whoami", { headers: { cookie: "token=%E0%A4%A" } }],
      ["GET", `/operations-manager/tasks?${"equals[a]=b&".repeat(2000)}`, { auth: AS.pipeline }],
      ["POST", "/login", { rawBody: "null", headers: { "content-type": "application/json" } }],
      ["POST", "/login", { rawBody: "[1,2]", headers: { "content-type": "application/json" } }],
      ["POST", "/login", { rawBody: '"text"', headers: { "content-type": "application/json" } }],
      ["POST", "/operations-manager/jobs/start", { auth: AS.pipeline, body: { workflow: { $gt: "" } } }],
      [
        "POST",
        "/operations-manager/jobs/start",
        { auth: AS.pipeline, body: { workflow: "Change approval", options: null } },
      ],
      [
        "POST",
        "/operations-manager/tasks/x/assign",
        { auth: AS.pipeline, rawBody: "userId=1", headers: { "content-type": "text/plain" } },
      ],
      ["GET", "/operations-manager/tasks?include=..,.,a..b&exclude=__proto__&sort=__proto__", { auth: AS.pipeline }],
    ];
    for (const [method, route, options] of junk) {
      const res = await call(emulator().url, method, route, options);
      expect(res.status).toBeGreaterThanOrEqual(200);
      expect(res.status).toBeLessThan(500);
    }
    // A raw request that is not HTTP at all.
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(new URL(emulator().url).port), "127.0.0.1", () =>
        socket.end("NOT HTTP\r\n\r\n"),
      );
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
      socket.resume();
    });
    expect((await call(emulator().url, "GET", "/whoami", { auth: AS.pipeline })).status).toBe(200);
  });
});

describe("control API", () => {
  const emulator = useEmulatorProcess({ resetEachTest: false });

  test("act-as performs an IAP call as another user, out of band", async () => {
    await emulator().reset();
    const list = await call(emulator().url, "GET", "/operations-manager/tasks?equals[name]=Approve%20change", {
      auth: AS.pipeline,
    });
    const id = list.json.data[0]._id;
    await call(emulator().url, "POST", `/operations-manager/tasks/${id}/claim`, { auth: AS.pipeline });
    await emulator().control("DELETE", "/requests");

    // A person (here: an admin) releases the pipeline's claim, and alice takes the task.
    await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${id}/release`);
    const taken = await emulator().actAs<{ metrics: { owner: { username: string } } }>(
      "alice",
      "POST",
      `/operations-manager/tasks/${id}/claim`,
    );
    expect(taken.metrics.owner.username).toBe("alice");
    expect(await emulator().requests()).toEqual([]); // out of band: not in the request log
    await expect(emulator().actAs("nobody", "GET", "/whoami")).rejects.toThrow(/404 User nobody not found/);
    await expect(emulator().actAs("alice", "GET", "/_emulator/state")).rejects.toThrow(/400/);
    // Business rules still apply to act-as calls.
    await expect(emulator().actAs("bob", "POST", `/operations-manager/tasks/${id}/release`)).rejects.toThrow(/409/);
  });

  test("reset accepts a seed and reports the jobs it started", async () => {
    const seed: EmulatorSeed = {
      users: [{ username: "solo", password: "pw" }],
      workflows: [{ name: "One", tasks: [{ key: "1", name: "Only task" }] }],
      jobs: [{ workflow: "One" }, { workflow: "One" }],
    };
    const result = await emulator().reset(seed);
    expect(result.jobs).toHaveLength(2);
    expect(result.tasks).toBe(2);
    const res = await call(emulator().url, "GET", "/operations-manager/tasks", { auth: ["solo", "pw"] });
    expect(res.json.metadata.total).toBe(2);
    await expect(emulator().reset({ jobs: [{ workflow: "Missing" }] })).rejects.toThrow(
      /400 seed: job names unknown workflow/,
    );
    await emulator().reset();
  });

  test("settings refuse unknown keys and wrong types", async () => {
    await expect(emulator().settings({ bogus: true } as never)).rejects.toThrow(/400 unknown setting bogus/);
    await expect(emulator().settings({ loginTokenTtlSeconds: 0 })).rejects.toThrow(/400/);
    expect(await emulator().settings({ epochClaimTime: true })).toMatchObject({ epochClaimTime: true });
    await emulator().reset(); // reset restores start-up settings
    expect(await emulator().control("GET", "/settings")).toMatchObject({ epochClaimTime: false });
  });
});

describe("persistence and the command", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("a state file is the control API's state; a paused or scheduled task cannot be claimed", async () => {
    // No IAP route pauses a task, so the state file (the emulator's own format) sets one up.
    const seeded = await EmulatorProcess.start();
    let state: { tasks: { name: string; status: string; _id: string }[] };
    try {
      state = await seeded.control("GET", "/state");
    } finally {
      await seeded.stop();
    }
    const [approve, review] = ["Approve change", "Security review"].map((n) => state.tasks.find((t) => t.name === n));
    if (!approve || !review) throw new Error("the demo seed changed");
    approve.status = "paused";
    review.status = "scheduled";
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const emulator = await EmulatorProcess.start({ stateFile });
    try {
      for (const [task, status] of [
        [approve, "paused"],
        [review, "scheduled"],
      ] as const) {
        const res = await call(emulator.url, "POST", `/operations-manager/tasks/${task._id}/claim`, {
          auth: AS.pipeline,
        });
        expect(res.status).toBe(400);
        expect(res.json.message).toMatch(new RegExp(`is ${status} and cannot be claimed$`));
      }
    } finally {
      await emulator.stop();
    }
  });

  test("a state file that is not one is refused at start", async () => {
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(stateFile, JSON.stringify({ hello: "world" }));
    await expect(EmulatorProcess.start({ stateFile })).rejects.toThrow(/is not an emulator state file/);
  });

  test("a state file keeps a claim across a restart, and SIGTERM stops the process cleanly", async () => {
    const stateFile = path.join(dir, "state.json");
    const first = await EmulatorProcess.start({ stateFile });
    const list = await call(first.url, "GET", "/operations-manager/tasks?equals[name]=Approve%20change", {
      auth: AS.pipeline,
    });
    const id = list.json.data[0]._id;
    await call(first.url, "POST", `/operations-manager/tasks/${id}/claim`, { auth: AS.pipeline });
    expect(await first.stop()).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(["state.json"]); // no temp file left behind

    const second = await EmulatorProcess.start({ stateFile });
    try {
      const task = await call(second.url, "GET", `/operations-manager/tasks/${id}?dereference=users`, {
        auth: AS.pipeline,
      });
      expect(task.json.data.metrics.owner.username).toBe("svc-pipeline");
    } finally {
      await second.stop();
    }
  });

  test("--seed starts from a seed file; the command prints its URL first and the demo credentials", async () => {
    const plain = await EmulatorProcess.start({ control: false });
    try {
      expect(plain.stdout[0]).toBe(plain.url);
      expect(await plain.output(/read-only/)).toContain("svc-pipeline / pipeline-secret");
    } finally {
      await plain.stop();
    }
    const seedFile = path.join(dir, "seed.json");
    fs.writeFileSync(
      seedFile,
      JSON.stringify({
        users: [{ username: "ci", password: "ci-pw" }],
        workflows: [{ name: "W", tasks: [{ key: "a", name: "Gate" }] }],
        jobs: [{ workflow: "W" }],
      } satisfies EmulatorSeed),
    );
    const seeded = await EmulatorProcess.start({ seedFile });
    try {
      const res = await call(seeded.url, "GET", "/operations-manager/tasks", { auth: ["ci", "ci-pw"] });
      expect(res.json.data.map((t: { name: string }) => t.name)).toEqual(["Gate"]);
    } finally {
      await seeded.stop();
    }
  });

  test("a bad port is refused with a usage message and exit code 2", async () => {
    await expect(EmulatorProcess.start({ extraArgs: ["--port", "99999"] })).rejects.toThrow(
      /exited with 2[\s\S]*--port must be 0-65535/,
    );
  });
});
