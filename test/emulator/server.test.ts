// Input safety, the control API's switches and act-as, persistence across restarts, and the command.
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, type EmulatorSeed, type StateSnapshot } from "../../emulator";
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

/** The demo seed's state, as a state file holds it. */
async function demoState(): Promise<StateSnapshot> {
  const seeded = await EmulatorProcess.start();
  try {
    return await seeded.control<StateSnapshot>("GET", "/state");
  } finally {
    await seeded.stop();
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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
    await expect(EmulatorProcess.start({ stateFile })).rejects.toThrow(
      `State file ${stateFile} cannot be used: it has no "version": 1 or 2 (is it an emulator state file?)`,
    );
  });

  test("a partial, broken or inconsistent state file is refused naming the file and the field, never a TypeError", async () => {
    const stateFile = path.join(dir, "state.json");
    const state = await demoState();
    const cases: [unknown, string][] = [
      [{ version: 2, tasks: [] }, "users should be an array, but is nothing"],
      [
        { ...state, tasks: state.tasks.map((t, i) => (i === 1 ? { ...t, metrics: null } : t)) },
        "tasks[1].metrics should be an object, but is null",
      ],
      [
        { ...state, users: [{ ...state.users[0], roles: ["boss"] }] },
        'users[0].roles[0] should be one of "admin", "operator", "viewer"',
      ],
      [{ ...state, tasks: state.tasks.slice(1) }, `names task ${state.tasks[0]?._id}, which is not in tasks`],
    ];
    for (const [content, problem] of cases) {
      fs.writeFileSync(stateFile, JSON.stringify(content));
      const error = await EmulatorProcess.start({ stateFile }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`State file ${stateFile} cannot be used: `);
      expect((error as Error).message).toContain(problem);
      expect((error as Error).message).not.toMatch(/TypeError/);
    }
    fs.writeFileSync(stateFile, '{"version": 2, "users": [');
    await expect(EmulatorProcess.start({ stateFile })).rejects.toThrow(`State file ${stateFile} is not valid JSON`);
  });

  test("a version 1 state file (task ids in taskId) is read as IAP's shape: taskId the key, ids in iterations", async () => {
    const state = await demoState();
    const v1 = {
      ...state,
      version: 1,
      jobs: state.jobs.map((job) => ({
        ...job,
        tasks: Object.fromEntries(
          Object.entries(job.tasks).map(([key, entry]) => [
            key,
            {
              name: entry.name,
              type: entry.type,
              status: entry.status,
              summary: entry.summary,
              taskId: entry.iterations[0],
            },
          ]),
        ),
      })),
    };
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(stateFile, JSON.stringify(v1));
    const emulator = await EmulatorProcess.start({ stateFile });
    try {
      const job = state.jobs[0] as (typeof state.jobs)[number];
      const res = await call(emulator.url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.pipeline });
      expect(res.json.data.tasks).toEqual(job.tasks);
    } finally {
      await emulator.stop();
    }
  });

  test("a change that cannot be stored answers 500 and is undone; once the file can be written it is stored", async () => {
    const stateFile = path.join(dir, "state.json");
    const emulator = await EmulatorProcess.start({ stateFile });
    try {
      const list = await call(emulator.url, "GET", "/operations-manager/tasks?equals[name]=Approve%20change", {
        auth: AS.pipeline,
      });
      const id = list.json.data[0]._id;
      // A directory in the file's place: the write fails for any user, root included.
      fs.rmSync(stateFile);
      fs.mkdirSync(path.join(stateFile, "in-the-way"), { recursive: true });
      const refused = await call(emulator.url, "POST", `/operations-manager/tasks/${id}/claim`, { auth: AS.pipeline });
      expect(refused.status).toBe(500);
      expect(refused.json).toEqual({
        message: expect.stringMatching(
          new RegExp(
            `^The change was not made: the emulator could not write the state file ${escapeRegExp(stateFile)}: `,
          ),
        ),
        data: null,
        metadata: {},
      });
      const task = await call(emulator.url, "GET", `/operations-manager/tasks/${id}`, { auth: AS.pipeline });
      expect(task.json.data.metrics.owner).toBeUndefined();
      const asAlice = await fetch(`${emulator.url}/_emulator/as/alice/operations-manager/tasks/${id}/claim`, {
        method: "POST",
      });
      expect(asAlice.status).toBe(500);
      expect(fs.readdirSync(dir)).toEqual(["state.json"]); // no temporary file left behind

      fs.rmSync(stateFile, { recursive: true });
      const stored = await call(emulator.url, "POST", `/operations-manager/tasks/${id}/claim`, { auth: AS.pipeline });
      expect(stored.status).toBe(200);
      const onDisk = JSON.parse(fs.readFileSync(stateFile, "utf8"));
      expect(onDisk.tasks.find((t: { _id: string }) => t._id === id).metrics.owner).toBe(
        stored.json.data.metrics.owner._id,
      );
    } finally {
      await emulator.stop();
    }
  });

  test("a reset that cannot be stored answers 500 and changes nothing", async () => {
    const stateFile = path.join(dir, "state.json");
    const emulator = await EmulatorProcess.start({ stateFile });
    try {
      const before = await emulator.control<{ jobs: { _id: string }[] }>("GET", "/state");
      fs.rmSync(stateFile);
      fs.mkdirSync(path.join(stateFile, "in-the-way"), { recursive: true });
      await expect(emulator.reset()).rejects.toThrow(
        /^control POST \/reset: 500 The reset was not made: the emulator could not write the state file /,
      );
      const after = await emulator.control<{ jobs: { _id: string }[] }>("GET", "/state");
      expect(after.jobs.map((j) => j._id)).toEqual(before.jobs.map((j) => j._id));
      fs.rmSync(stateFile, { recursive: true });
      await emulator.reset();
      const reset = await emulator.control<{ jobs: { _id: string }[] }>("GET", "/state");
      expect(reset.jobs.map((j) => j._id)).not.toEqual(before.jobs.map((j) => j._id));
      expect(JSON.parse(fs.readFileSync(stateFile, "utf8")).jobs).toEqual(reset.jobs);
    } finally {
      await emulator.stop();
    }
  });

  test("with a state file the banner shows the users it holds; --seed beside an existing one is an error", async () => {
    const stateFile = path.join(dir, "state.json");
    const seedFile = path.join(dir, "seed.json");
    fs.writeFileSync(
      seedFile,
      JSON.stringify({
        users: [{ username: "ci", password: "ci-pw", roles: ["viewer"] }],
      } satisfies EmulatorSeed),
    );
    const first = await EmulatorProcess.start({ stateFile, seedFile }); // no file yet: the seed starts it
    await first.stop();
    const resumed = await EmulatorProcess.start({ stateFile });
    try {
      const banner = await resumed.output(/read-only/);
      expect(banner).toContain("read-only  ci / ci-pw");
      expect(banner).not.toContain("svc-pipeline");
    } finally {
      await resumed.stop();
    }
    await expect(EmulatorProcess.start({ stateFile, seedFile })).rejects.toThrow(
      `--seed ${seedFile} cannot be used with --state-file ${stateFile}, which exists`,
    );
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
      const banner = await plain.output(/OAuth/);
      expect(banner).toContain("operator   svc-pipeline / pipeline-secret");
      expect(banner).toContain("read-only  auditor / auditor-secret");
      expect(banner).toContain("client_id=pipeline-client client_secret=pipeline-client-secret (acts as svc-pipeline)");
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
