// The task API and every rule of the emulator's semantic table, against a real emulator process.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { AS, call, EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();

async function taskNamed(name: string) {
  const res = await call(emulator().url, "GET", `/operations-manager/tasks?equals[name]=${encodeURIComponent(name)}`, {
    auth: AS.admin,
  });
  expect(res.json.data).toHaveLength(1);
  return res.json.data[0];
}

async function userId(username: string): Promise<string> {
  const res = await call(emulator().url, "GET", "/whoami", {
    auth: [
      username,
      [...C.approvers, C.pipeline, C.admin, C.auditor].find((u) => u.username === username)?.password ?? "",
    ],
  });
  return res.json.id;
}

const claim = (taskId: string, auth: readonly [string, string]) =>
  call(emulator().url, "POST", `/operations-manager/tasks/${taskId}/claim`, { auth });
const release = (taskId: string, auth: readonly [string, string]) =>
  call(emulator().url, "POST", `/operations-manager/tasks/${taskId}/release`, { auth });
const assign = (taskId: string, body: unknown, auth: readonly [string, string]) =>
  call(emulator().url, "POST", `/operations-manager/tasks/${taskId}/assign`, { auth, body });

describe("GET /operations-manager/tasks/:taskId", () => {
  test("answers the task document in the envelope", async () => {
    const approve = await taskNamed("Approve change");
    const res = await call(emulator().url, "GET", `/operations-manager/tasks/${approve._id}`, { auth: AS.pipeline });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: expect.any(String), data: expect.any(Object), metadata: {} });
    const task = res.json.data;
    expect(task._id).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
    expect(task).toMatchObject({ name: "Approve change", type: "manual", status: "running", encodingVersion: 1 });
    expect(task.job._id).toMatch(/^[0-9a-f]{24}$/);
    expect(task.job.task).toBe("b2");
    expect(task.metrics.owner).toBeUndefined();
    expect(task.groups.every((g: unknown) => typeof g === "string")).toBe(true);
  });

  test("include keeps only the named fields (and _id); exclude drops fields", async () => {
    const { _id } = await taskNamed("Approve change");
    const included = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?include=name,job.task`, {
      auth: AS.pipeline,
    });
    expect(included.json.data).toEqual({ _id, name: "Approve change", job: { task: "b2" } });
    const excluded = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?exclude=variables,metrics`, {
      auth: AS.pipeline,
    });
    expect(excluded.json.data.variables).toBeUndefined();
    expect(excluded.json.data.metrics).toBeUndefined();
    expect(excluded.json.data.name).toBe("Approve change");
    const both = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?include=name&exclude=metrics`, {
      auth: AS.pipeline,
    });
    expect(both.status).toBe(400);
    expect(both.json.message).toMatch(/^include and exclude cannot be combined, except exclude=_id/);
    const withoutId = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?include=name&exclude=_id`, {
      auth: AS.pipeline,
    });
    expect(withoutId.json.data).toEqual({ name: "Approve change" });
  });

  test("dereference=job expands the job; users and groups expand to objects", async () => {
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.alice);
    const res = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?dereference=job,users,groups`, {
      auth: AS.pipeline,
    });
    const task = res.json.data;
    expect(task.job).toMatchObject({ name: "Change approval", status: "running", type: "automation" });
    // The job lists the task under its key: `taskId` repeats the key, the document id is in `iterations`.
    expect(task.job.tasks.b2).toMatchObject({
      taskId: "b2",
      iterations: [_id],
      name: "Approve change",
      owner: await userId("alice"),
    });
    expect(task.metrics.owner).toMatchObject({ username: "alice", provenance: "Local AAA" });
    expect(task.metrics.owner.password).toBeUndefined();
    expect(task.groups.map((g: { name: string }) => g.name).sort()).toEqual(["approvers", "pipelines"]);
    const plain = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}`, { auth: AS.pipeline });
    expect(plain.json.data.metrics.owner).toBe(await userId("alice"));
  });

  test("a malformed id is a 400, an unknown one a 404, both with data null", async () => {
    const malformed = await call(emulator().url, "GET", "/operations-manager/tasks/not-a-uuid", { auth: AS.pipeline });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toEqual({
      message: 'Invalid task id "not-a-uuid": a task id is a UUID',
      data: null,
      metadata: {},
    });
    const unknown = await call(
      emulator().url,
      "GET",
      "/operations-manager/tasks/00000000-0000-4000-8000-000000000000",
      {
        auth: AS.pipeline,
      },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      message: "Task 00000000-0000-4000-8000-000000000000 not found",
      data: null,
      metadata: {},
    });
  });
});

describe("claim", () => {
  test("records the owner, user and claim time and answers the task with users dereferenced", async () => {
    const { _id } = await taskNamed("Approve change");
    const before = Date.now();
    const res = await claim(_id, AS.pipeline);
    expect(res.status).toBe(200);
    const metrics = res.json.data.metrics;
    expect(metrics.owner).toMatchObject({ username: "svc-pipeline", _id: await userId("svc-pipeline") });
    expect(metrics.user).toMatchObject({ username: "svc-pipeline" });
    expect(Date.parse(metrics.claim_time)).toBeGreaterThanOrEqual(before - 1000);
    expect(metrics.claim_time).toMatch(/Z$/);
  });

  test("of a task held by someone else is refused with 409 naming the holder", async () => {
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.alice);
    const res = await claim(_id, AS.pipeline);
    expect(res.status).toBe(409);
    expect(res.json.data).toBeNull();
    expect(res.json.message).toMatch(/already claimed by alice since \d{4}-/);
    const task = await taskNamed("Approve change");
    expect(task.metrics.owner).toBe(await userId("alice"));
  });

  test("re-claim by the owner succeeds and changes nothing", async () => {
    const { _id } = await taskNamed("Approve change");
    const first = await claim(_id, AS.pipeline);
    // Later than the first claim's millisecond, so a claim time set again would differ.
    await new Promise((resolve) => setTimeout(resolve, 25));
    const second = await claim(_id, AS.pipeline);
    expect(second.status).toBe(200);
    expect(second.json.data.metrics.claim_time).toBe(first.json.data.metrics.claim_time);
    expect(second.json.data.last_updated).toBe(first.json.data.last_updated);
  });

  test("of a non-manual task is a 400", async () => {
    const { _id } = await taskNamed("Prepare change");
    const res = await claim(_id, AS.pipeline);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/is an automatic task: only manual tasks can be claimed/);
  });

  test("of a finished task is a 400", async () => {
    const approve = await taskNamed("Approve change");
    await claim(approve._id, AS.alice);
    await call(emulator().url, "POST", `/operations-manager/jobs/${approve.job._id}/tasks/b2/finish`, {
      auth: AS.alice,
      body: { taskData: { finish_state: "success", variables: {} } },
    });
    const res = await claim(approve._id, AS.bob);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/is complete and can no longer be claimed/);
  });

  test("of a manual task not reached yet (incomplete) is allowed", async () => {
    const confirm = await taskNamed("Confirm maintenance window");
    expect(confirm.status).toBe("incomplete");
    const res = await claim(confirm._id, AS.pipeline);
    expect(res.status).toBe(200);
    expect(res.json.data.metrics.owner.username).toBe("svc-pipeline");
  });

  test("by a read-only user is a 403", async () => {
    const { _id } = await taskNamed("Approve change");
    const res = await claim(_id, AS.auditor);
    expect(res.status).toBe(403);
    expect(res.json.message).toBe("User auditor is not permitted to claim tasks");
  });
});

describe("release", () => {
  test("by the owner clears owner, user and claim time", async () => {
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.pipeline);
    const res = await release(_id, AS.pipeline);
    expect(res.status).toBe(200);
    expect(res.json.data.metrics.owner).toBeUndefined();
    expect(res.json.data.metrics.user).toBeUndefined();
    expect(res.json.data.metrics.claim_time).toBeUndefined();
  });

  test("by a non-owner is refused with 409; an admin may release anyone's task", async () => {
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.alice);
    const res = await release(_id, AS.bob);
    expect(res.status).toBe(409);
    expect(res.json.message).toMatch(/is claimed by alice: only its owner or an admin can release it/);
    const byAdmin = await release(_id, AS.admin);
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.json.data.metrics.owner).toBeUndefined();
  });

  test("of an unclaimed task is a 400 saying so", async () => {
    const { _id } = await taskNamed("Approve change");
    const res = await release(_id, AS.pipeline);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/is not claimed$/);
  });

  test("of a finished task is a 400", async () => {
    const { _id } = await taskNamed("Prepare change");
    const res = await release(_id, AS.pipeline);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/is complete and can no longer be released/);
  });
});

describe("assign", () => {
  test("gives the task to another user, replacing the holder", async () => {
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.alice);
    const bob = await userId("bob");
    const res = await assign(_id, { userId: bob }, AS.pipeline);
    expect(res.status).toBe(200);
    expect(res.json.data.metrics.owner).toMatchObject({ _id: bob, username: "bob" });
  });

  test("to an unknown user is a 400", async () => {
    const { _id } = await taskNamed("Approve change");
    const res = await assign(_id, { userId: "0123456789abcdef01234567" }, AS.pipeline);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe("User 0123456789abcdef01234567 does not exist");
  });

  test("without a well-formed userId is a 400", async () => {
    const { _id } = await taskNamed("Approve change");
    for (const body of [{}, { userId: "bob" }, { userId: 42 }]) {
      const res = await assign(_id, body, AS.pipeline);
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/userId/);
    }
  });

  test("of a non-manual task is a 400", async () => {
    const { _id } = await taskNamed("Prepare change");
    const res = await assign(_id, { userId: await userId("bob") }, AS.pipeline);
    expect(res.status).toBe(400);
  });
});

describe("operations on unknown and malformed ids", () => {
  test.each(["claim", "release", "assign"])(
    "%s answers 404 for an unknown task and 400 for a malformed id",
    async (op) => {
      const unknown = await call(
        emulator().url,
        "POST",
        `/operations-manager/tasks/00000000-0000-4000-8000-000000000000/${op}`,
        {
          auth: AS.pipeline,
          body: { userId: await userId("bob") },
        },
      );
      expect(unknown.status).toBe(404);
      const malformed = await call(emulator().url, "POST", `/operations-manager/tasks/..%2F..%2Fwhoami/${op}`, {
        auth: AS.pipeline,
        body: { userId: await userId("bob") },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.json.data).toBeNull();
    },
  );
});

describe("the switch that makes every business error a 500", () => {
  test("keeps the message but answers 500; 401 stays 401", async () => {
    await emulator().settings({ businessErrorsAs500: true });
    const { _id } = await taskNamed("Approve change");
    await claim(_id, AS.alice);
    const res = await claim(_id, AS.pipeline);
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ message: expect.stringMatching(/already claimed by alice/), data: null, metadata: {} });
    const missing = await call(
      emulator().url,
      "GET",
      "/operations-manager/tasks/00000000-0000-4000-8000-000000000000",
      {
        auth: AS.pipeline,
      },
    );
    expect(missing.status).toBe(500);
    const unauthenticated = await claim(_id, ["alice", "wrong"]);
    expect(unauthenticated.status).toBe(401);
  });

  test("can be set on the command line", async () => {
    const strict = await EmulatorProcess.start({ extraArgs: ["--errors-as-500"] });
    try {
      const res = await call(strict.url, "GET", "/operations-manager/tasks/not-a-uuid", { auth: AS.pipeline });
      expect(res.status).toBe(500);
    } finally {
      await strict.stop();
    }
  });
});

describe("owners as usernames (older IAP versions)", () => {
  test("metrics.owner and metrics.user are served as the username, never dereferenced; filters read that form", async () => {
    await emulator().settings({ ownerAsUsername: true });
    const { _id, job } = await taskNamed("Approve change");
    const claimed = await claim(_id, AS.pipeline);
    expect(claimed.status).toBe(200);
    expect(claimed.json.data.metrics).toMatchObject({ owner: "svc-pipeline", user: "svc-pipeline" });
    const read = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}?dereference=users,job`, {
      auth: AS.pipeline,
    });
    expect(read.json.data.metrics).toMatchObject({ owner: "svc-pipeline", user: "svc-pipeline" });
    expect(read.json.data.job.tasks.b2.owner).toBe("svc-pipeline");
    const found = await call(emulator().url, "GET", "/operations-manager/tasks?equals[metrics.owner]=svc-pipeline", {
      auth: AS.pipeline,
    });
    expect(found.json.data.map((t: { _id: string }) => t._id)).toEqual([_id]);
    const jobDoc = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.pipeline });
    expect(jobDoc.json.data.tasks.b2.owner).toBe("svc-pipeline");
    // Stored as ids all along: switched off, the same claim shows the id again.
    await emulator().settings({ ownerAsUsername: false });
    const plain = await call(emulator().url, "GET", `/operations-manager/tasks/${_id}`, { auth: AS.pipeline });
    expect(plain.json.data.metrics.owner).toBe(await userId("svc-pipeline"));
  });
});

describe("epoch claim times", () => {
  test("are served as epoch milliseconds when the setting asks for the older format", async () => {
    await emulator().settings({ epochClaimTime: true });
    const { _id } = await taskNamed("Approve change");
    const res = await claim(_id, AS.pipeline);
    expect(typeof res.json.data.metrics.claim_time).toBe("number");
    expect(Math.abs(res.json.data.metrics.claim_time - Date.now())).toBeLessThan(60_000);
  });
});
