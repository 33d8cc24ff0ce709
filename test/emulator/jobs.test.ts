// Jobs and manual tasks: start, get, manual controller, finish, and how a job moves on.
import { DEFAULT_WORKFLOW } from "../../emulator";
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();

async function startJob(description = "Test change", variables: Record<string, unknown> = { changeId: "CHG1" }) {
  const res = await call(emulator().url, "POST", "/operations-manager/jobs/start", {
    auth: AS.pipeline,
    body: { workflow: DEFAULT_WORKFLOW, options: { type: "automation", description, variables, groups: [] } },
  });
  expect(res.status).toBe(200);
  return res.json.data;
}

const finish = (jobId: string, key: string, auth: readonly [string, string], body: unknown) =>
  call(emulator().url, "POST", `/operations-manager/jobs/${jobId}/tasks/${key}/finish`, { auth, body });

const success = { taskData: { finish_state: "success", variables: { approved: true } } };

/** Claims the task with this key, found as IAP's clients find it: the last of its job entry's `iterations`. */
async function claimKey(jobId: string, key: string, auth: readonly [string, string]) {
  const job = await call(emulator().url, "GET", `/operations-manager/jobs/${jobId}`, { auth });
  const taskId = job.json.data.tasks[key].iterations.at(-1);
  const res = await call(emulator().url, "POST", `/operations-manager/tasks/${taskId}/claim`, { auth });
  expect(res.status).toBe(200);
}

test("jobs/start creates a job whose automatic task has run and whose first manual tasks wait", async () => {
  const job = await startJob("Upgrade core", { changeId: "CHG42" });
  expect(job._id).toMatch(/^[0-9a-f]{24}$/);
  expect(job).toMatchObject({
    name: DEFAULT_WORKFLOW,
    description: "Upgrade core",
    status: "running",
    type: "automation",
  });
  expect(job.variables).toEqual({ changeId: "CHG42" });
  expect(Object.fromEntries(Object.entries(job.tasks).map(([k, t]) => [k, (t as { status: string }).status]))).toEqual({
    a1: "complete",
    b2: "running",
    c3: "running",
    d4: "incomplete",
  });
  const fetched = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}?include=status`, {
    auth: AS.pipeline,
  });
  expect(fetched.json.data).toEqual({ _id: job._id, status: "running" });
});

test("a job lists its tasks by key as IAP does: taskId is the key, the task ids are iterations", async () => {
  const job = await startJob();
  expect(Object.keys(job.tasks).sort()).toEqual(["a1", "b2", "c3", "d4"]);
  for (const [key, entry] of Object.entries(job.tasks) as [string, Record<string, unknown>][]) {
    expect(entry.taskId).toBe(key);
    expect(entry.iterations).toEqual([expect.stringMatching(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/)]);
    const task = await call(emulator().url, "GET", `/operations-manager/tasks/${(entry.iterations as string[])[0]}`, {
      auth: AS.pipeline,
    });
    expect(task.json.data.job).toMatchObject({ _id: job._id, task: key });
    expect(entry).toEqual({
      taskId: key,
      iterations: [task.json.data._id],
      name: task.json.data.name,
      canvasName: task.json.data.name,
      summary: task.json.data.summary,
      app: task.json.data.app,
      type: task.json.data.type,
      status: task.json.data.status,
      groups: task.json.data.groups,
      owner: "",
      finish_state: key === "a1" ? "success" : null,
      variables: { incoming: {}, outgoing: {}, error: "", decorators: task.json.data.variables.decorators },
    });
  }
});

test("a job's task entry follows its task: owner on claim, release and assign; status and finish state", async () => {
  const job = await startJob();
  const entry = async (key: string) =>
    (await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.pipeline })).json.data.tasks[
      key
    ];
  const whoami = async (auth: readonly [string, string]) =>
    (await call(emulator().url, "GET", "/whoami", { auth })).json.id as string;
  const b2 = job.tasks.b2.iterations[0];
  await claimKey(job._id, "b2", AS.alice);
  expect((await entry("b2")).owner).toBe(await whoami(AS.alice));
  await call(emulator().url, "POST", `/operations-manager/tasks/${b2}/release`, { auth: AS.alice });
  expect((await entry("b2")).owner).toBe("");
  const bob = await whoami(AS.bob);
  await call(emulator().url, "POST", `/operations-manager/tasks/${b2}/assign`, {
    auth: AS.pipeline,
    body: { userId: bob },
  });
  expect((await entry("b2")).owner).toBe(bob);
  await finish(job._id, "b2", AS.bob, success);
  expect(await entry("b2")).toMatchObject({ status: "complete", finish_state: "success", owner: bob });
});

test.each([
  [{}, /workflow/],
  [{ workflow: "No such workflow" }, /Workflow "No such workflow" does not exist/],
  [{ workflow: DEFAULT_WORKFLOW, options: { type: "standard" } }, /options.type/],
  [{ workflow: DEFAULT_WORKFLOW, options: { variables: [] } }, /options.variables/],
])("jobs/start refuses %j with a 400", async (body, message) => {
  const res = await call(emulator().url, "POST", "/operations-manager/jobs/start", { auth: AS.pipeline, body });
  expect(res.status).toBe(400);
  expect(res.json.message).toMatch(message);
});

test("a read-only user cannot start jobs", async () => {
  const res = await call(emulator().url, "POST", "/operations-manager/jobs/start", {
    auth: AS.auditor,
    body: { workflow: DEFAULT_WORKFLOW },
  });
  expect(res.status).toBe(403);
});

test("GET a job: malformed id 400, unknown 404", async () => {
  const malformed = await call(emulator().url, "GET", "/operations-manager/jobs/xyz", { auth: AS.pipeline });
  expect(malformed.status).toBe(400);
  expect(malformed.json.message).toBe('Invalid job id "xyz": a job id is 24 hexadecimal characters');
  const unknown = await call(emulator().url, "GET", "/operations-manager/jobs/0123456789abcdef01234567", {
    auth: AS.pipeline,
  });
  expect(unknown.status).toBe(404);
  expect(unknown.json.message).toBe("Job 0123456789abcdef01234567 not found");
});

test("the manual controller answers the task's form data", async () => {
  const job = await startJob("Form", { changeId: "CHG7" });
  const res = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}/tasks/b2/manual-controller`, {
    auth: AS.alice,
  });
  expect(res.status).toBe(200);
  expect(res.json.data).toMatchObject({
    _id: job.tasks.b2.iterations[0],
    name: "Approve change",
    status: "running",
    view: "/workflow_engine/task/ViewData",
    job: { _id: job._id, task: "b2" },
    variables: { changeId: "CHG7" },
    finishStates: ["success", "failure"],
  });
  const automatic = await call(
    emulator().url,
    "GET",
    `/operations-manager/jobs/${job._id}/tasks/a1/manual-controller`,
    {
      auth: AS.alice,
    },
  );
  expect(automatic.status).toBe(400);
  const missing = await call(
    emulator().url,
    "GET",
    `/operations-manager/jobs/${job._id}/tasks/ffff/manual-controller`,
    {
      auth: AS.alice,
    },
  );
  expect(missing.status).toBe(404);
  const badKey = await call(
    emulator().url,
    "GET",
    `/operations-manager/jobs/${job._id}/tasks/xyz12/manual-controller`,
    {
      auth: AS.alice,
    },
  );
  expect(badKey.status).toBe(400);
  expect(badKey.json.message).toBe('Invalid task key "xyz12": a task key is 1 to 4 hexadecimal digits');
});

test("finishing the manual tasks moves the job on and completes it", async () => {
  const job = await startJob();
  await claimKey(job._id, "b2", AS.alice);
  const approved = await finish(job._id, "b2", AS.alice, success);
  expect(approved.status).toBe(200);
  expect(approved.json.data).toMatchObject({ status: "complete", variables: { outgoing: { approved: true } } });
  expect(approved.json.data.metrics).toMatchObject({ finish_state: "success", user: { username: "alice" } });
  expect(typeof approved.json.data.metrics.end_time).toBe("number");

  // d4 waits for both b2 and c3.
  let current = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.alice });
  expect(current.json.data.tasks.d4.status).toBe("incomplete");
  await claimKey(job._id, "c3", AS.bob);
  await finish(job._id, "c3", AS.bob, success);
  current = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.alice });
  expect(current.json.data.tasks.d4.status).toBe("running");

  await claimKey(job._id, "d4", AS.pipeline);
  await finish(job._id, "d4", AS.pipeline, success);
  current = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.alice });
  expect(current.json.data.status).toBe("complete");
  expect(typeof current.json.data.metrics.end_time).toBe("string");
});

test("a failed manual task fails the job and cancels what had not finished", async () => {
  const job = await startJob();
  await claimKey(job._id, "b2", AS.alice);
  const res = await finish(job._id, "b2", AS.alice, { taskData: { finish_state: "failure", variables: {} } });
  expect(res.json.data.metrics.finish_state).toBe("failure");
  const current = await call(emulator().url, "GET", `/operations-manager/jobs/${job._id}`, { auth: AS.alice });
  expect(current.json.data.status).toBe("error");
  expect(current.json.data.tasks.c3.status).toBe("canceled");
  expect(current.json.data.tasks.d4.status).toBe("canceled");
});

test("finish needs a claim by the caller, a running task and a valid body", async () => {
  const job = await startJob();
  const unclaimed = await finish(job._id, "b2", AS.alice, success);
  expect(unclaimed.status).toBe(400);
  expect(unclaimed.json.message).toMatch(/is not claimed: claim it before finishing it/);

  await claimKey(job._id, "b2", AS.alice);
  const otherUser = await finish(job._id, "b2", AS.bob, success);
  expect(otherUser.status).toBe(409);
  expect(otherUser.json.message).toMatch(/is claimed by alice, not by bob/);

  const badBody = await finish(job._id, "b2", AS.alice, { taskData: { finish_state: "maybe" } });
  expect(badBody.status).toBe(400);

  await claimKey(job._id, "d4", AS.pipeline);
  const notReached = await finish(job._id, "d4", AS.pipeline, success);
  expect(notReached.status).toBe(400);
  expect(notReached.json.message).toMatch(/is incomplete: it can be finished once the tasks before it complete/);

  await finish(job._id, "b2", AS.alice, success);
  const again = await finish(job._id, "b2", AS.alice, success);
  expect(again.status).toBe(400);
  expect(again.json.message).toMatch(/cannot be finished again/);

  const automatic = await finish(job._id, "a1", AS.alice, success);
  expect(automatic.status).toBe(400);
});
