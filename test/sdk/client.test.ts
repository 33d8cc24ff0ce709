// Every client method against a real emulator process on a free port.
import { DEFAULT_CREDENTIALS as C, DEFAULT_WORKFLOW } from "../../emulator";
import {
  BadRequestError,
  NotFoundError,
  OperationsManagerClient,
  PermissionError,
  type Task,
  TaskStateError,
  ValidationError,
} from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();
let pipeline: OperationsManagerClient;
let alice: OperationsManagerClient;

const basic = (username: string, password: string) =>
  new OperationsManagerClient({ baseUrl: emulator().url, auth: { type: "basic", username, password } });

beforeEach(async () => {
  pipeline = basic(C.pipeline.username, C.pipeline.password);
  alice = basic(C.approvers[0].username, C.approvers[0].password);
});

async function approveTask(): Promise<Task> {
  const page = await pipeline.listTasks({ filters: { equals: { name: "Approve change" } } });
  expect(page.total).toBe(1);
  return page.items[0] as Task;
}

test("whoami", async () => {
  const me = await pipeline.whoami();
  expect(me).toMatchObject({ username: "svc-pipeline", firstname: "Pipeline", groups: [{ name: "pipelines" }] });
  expect(me.id).toMatch(/^[0-9a-f]{24}$/);
});

describe("getTask", () => {
  test("normalises the document", async () => {
    const { id } = await approveTask();
    const task = await pipeline.getTask(id);
    expect(task).toMatchObject({ id, name: "Approve change", type: "manual", status: "running" });
    expect(task.job).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), taskKey: "b2", name: DEFAULT_WORKFLOW });
    expect(task.owner).toBeUndefined();
    expect(task.claimTime).toBeUndefined();
    expect(task.raw._id).toBe(id);
  });

  test("include, exclude and dereference reach IAP", async () => {
    const { id } = await approveTask();
    await alice.claimTask(id);
    const aliceId = (await alice.whoami()).id;
    const projected = await pipeline.getTask(id, { include: ["name", "metrics.owner"] });
    expect(projected.raw).toEqual({ _id: id, name: "Approve change", metrics: { owner: aliceId } });
    expect(projected.owner).toEqual({ id: aliceId }); // there, as an id only (not dereferenced)
    const dereferenced = await pipeline.getTask(id, { dereference: ["metrics.owner", "job"] });
    expect(dereferenced.owner?.username).toBe("alice");
    expect((dereferenced.raw.job as { status: string }).status).toBe("running");
    const excluded = await pipeline.getTask(id, { exclude: ["variables"] });
    expect(excluded.raw.variables).toBeUndefined();
  });

  test("include with exclude, or an exclude of _id, is refused before any request", async () => {
    const { id } = await approveTask();
    const jobId = (await pipeline.getTask(id)).job?.id as string;
    await emulator().control("DELETE", "/requests");
    const refusals: [string, Promise<unknown>][] = [
      ["getTask both", pipeline.getTask(id, { include: ["name"], exclude: ["variables"] })],
      ["getTask exclude=_id", pipeline.getTask(id, { include: ["name"], exclude: ["_id"] })],
      ["getTask only exclude=_id", pipeline.getTask(id, { exclude: ["_id", "variables"] })],
      ["listTasks both", pipeline.listTasks({ include: ["name"], exclude: ["variables"] })],
      ["listTasks exclude=_id", pipeline.listTasks({ exclude: ["_id"] })],
      ["getJob both", pipeline.getJob(jobId, { include: ["name"], exclude: ["tasks"] })],
      ["listJobs both", pipeline.listJobs({ include: ["name"], exclude: ["tasks"] })],
    ];
    for (const [what, refused] of refusals) {
      await expect(refused.then(() => what)).rejects.toThrow(ValidationError);
    }
    await expect(pipeline.getTask(id, { exclude: ["variables"] })).resolves.toMatchObject({ id });
    expect((await emulator().requests()).map((r) => r.query)).toEqual(["exclude=variables"]);
  });

  test("an unknown id is a NotFoundError; a malformed one fails before any request", async () => {
    await expect(pipeline.getTask("00000000-0000-4000-8000-000000000000")).rejects.toThrow(NotFoundError);
    await emulator().control("DELETE", "/requests");
    for (const bad of ["not-a-uuid", "../../whoami", "00000000-0000-4000-8000-000000000000/claim", ""]) {
      await expect(pipeline.getTask(bad)).rejects.toThrow(ValidationError);
    }
    await expect(pipeline.getTask("00000000-0000-4000-8000-00000000000a", { include: ["a]b"] })).rejects.toThrow(
      ValidationError,
    );
    expect(await emulator().requests()).toEqual([]);
  });
});

describe("listTasks and iterateTasks", () => {
  beforeEach(async () => {
    // Six more jobs: 7 jobs × 4 tasks = 28 tasks, so pages of 5 need six requests.
    for (let i = 0; i < 6; i++) await pipeline.startJob(DEFAULT_WORKFLOW, { description: `Change ${i}` });
  });

  test("filters on dotted paths are encoded the way IAP reads them", async () => {
    const page = await pipeline.listTasks({ filters: { equals: { name: "Approve change" } }, limit: 3 });
    expect(page.total).toBe(7);
    expect(page.items).toHaveLength(3);
    const oneJob = page.items[0]?.job?.id as string;
    const ofJob = await pipeline.listTasks({ filters: { equals: { "job._id": oneJob }, in: { type: ["manual"] } } });
    expect(ofJob.items.map((t) => t.name).sort()).toEqual([
      "Approve change",
      "Confirm maintenance window",
      "Security review",
    ]);
    const prefixed = await pipeline.listTasks({
      filters: { startsWith: { name: "Sec" }, contains: { status: "unn" } },
    });
    expect(prefixed.total).toBe(7);
    const log = await emulator().requests();
    expect(log.at(-1)?.query).toBe("contains%5Bstatus%5D=unn&starts-with%5Bname%5D=Sec");
  });

  test("paging, sorting and projection", async () => {
    // 7 of each name: a page of 8 crosses from the first name to the second, so the order shows.
    const repeat = (name: string) => Array.from({ length: 7 }, () => name);
    const desc = await pipeline.listTasks({ limit: 8, skip: 0, sort: "name", order: "desc", include: ["name"] });
    expect(desc).toMatchObject({ total: 28, skip: 0, limit: 8 });
    expect(desc.items.map((t) => t.name)).toEqual([...repeat("Security review"), "Prepare change"]);
    for (const task of desc.items) expect(Object.keys(task.raw).sort()).toEqual(["_id", "name"]);
    const asc = await pipeline.listTasks({ limit: 8, skip: 7, sort: "name", order: "asc" });
    expect(asc.items.map((t) => t.name)).toEqual([...repeat("Confirm maintenance window"), "Prepare change"]);
  });

  test("iterateTasks pages until every match is read", async () => {
    await emulator().control("DELETE", "/requests");
    const seen: string[] = [];
    for await (const task of pipeline.iterateTasks({ limit: 5, filters: { equals: { type: "manual" } } })) {
      seen.push(task.id);
    }
    expect(seen).toHaveLength(21);
    expect(new Set(seen).size).toBe(21);
    const pages = (await emulator().requests()).filter((r) => r.path === "/operations-manager/tasks");
    expect(pages.map((r) => new URLSearchParams(r.query).get("skip"))).toEqual(["0", "5", "10", "15", "20"]);
  });

  test("iterateJobs and listJobs", async () => {
    const jobs: string[] = [];
    for await (const job of pipeline.iterateJobs({ limit: 2 })) jobs.push(job.id);
    expect(jobs).toHaveLength(7);
    const page = await pipeline.listJobs({ filters: { equals: { description: "Change 3" } } });
    expect(page.items.map((j) => j.description)).toEqual(["Change 3"]);
  });
});

describe("claim, release, assign", () => {
  test("claim records this user as owner with an ISO claim time", async () => {
    const { id } = await approveTask();
    const claimed = await pipeline.claimTask(id);
    expect(claimed.owner).toEqual({ id: (await pipeline.whoami()).id, username: "svc-pipeline" });
    expect(claimed.claimTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  test("claiming your own task again succeeds (adoption)", async () => {
    const { id } = await approveTask();
    const first = await pipeline.claimTask(id);
    // Later than the first claim's millisecond, so a claim time set again would differ.
    await new Promise((resolve) => setTimeout(resolve, 25));
    const again = await pipeline.claimTask(id);
    expect(again.owner?.username).toBe("svc-pipeline");
    expect(again.claimTime).toBe(first.claimTime);
  });

  test("claiming a task someone else holds says who and since when", async () => {
    const { id } = await approveTask();
    const held = await alice.claimTask(id);
    const error = await pipeline.claimTask(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskStateError);
    expect(error).toMatchObject({
      reason: "claimed-by-another",
      status: 409,
      taskId: id,
      owner: { username: "alice" },
      message: `task ${id} ("Approve change") is claimed by alice since ${held.claimTime}`,
    });
  });

  test("claiming a finished or automatic task says so", async () => {
    const prepare = (await pipeline.listTasks({ filters: { equals: { name: "Prepare change" } } })).items[0] as Task;
    await expect(pipeline.claimTask(prepare.id)).rejects.toMatchObject({
      reason: "not-manual",
      message: expect.stringMatching(/is an automatic task; only manual tasks can be claimed$/),
    });
    const approve = await approveTask();
    await alice.claimTask(approve.id);
    await alice.finishManualTask(approve.job?.id as string, "b2", { finishState: "success" });
    await expect(pipeline.claimTask(approve.id)).rejects.toMatchObject({
      reason: "finished",
      message: `task ${approve.id} ("Approve change") is complete and cannot be claimed`,
    });
  });

  test("re-claiming your own task after it finished is refused as finished, not reported as held", async () => {
    const approve = await approveTask();
    await pipeline.claimTask(approve.id);
    await pipeline.finishManualTask(approve.job?.id as string, "b2", { finishState: "success" });
    await expect(pipeline.claimTask(approve.id)).rejects.toMatchObject({ name: "TaskStateError", reason: "finished" });
    await expect(pipeline.releaseTask(approve.id)).rejects.toMatchObject({ reason: "finished" });
  });

  test("release clears the claim; releasing an unclaimed task resolves (already released)", async () => {
    const { id } = await approveTask();
    await pipeline.claimTask(id);
    expect((await pipeline.releaseTask(id)).owner).toBeUndefined();
    expect((await pipeline.releaseTask(id)).owner).toBeUndefined();
  });

  test("releasing someone else's claim is a TaskStateError naming them", async () => {
    const { id } = await approveTask();
    await alice.claimTask(id);
    await expect(pipeline.releaseTask(id)).rejects.toMatchObject({
      reason: "claimed-by-another",
      message: expect.stringMatching(/is claimed by alice since .*, not by svc-pipeline$/),
    });
  });

  test("assign hands the task to a named approver", async () => {
    const { id } = await approveTask();
    const bob = await basic(C.approvers[1].username, C.approvers[1].password).whoami();
    const assigned = await pipeline.assignTask(id, bob.id);
    expect(assigned.owner).toEqual({ id: bob.id, username: "bob" });
    await expect(pipeline.assignTask(id, "0123456789abcdef01234567")).rejects.toThrow(BadRequestError);
    await expect(pipeline.assignTask(id, "bob")).rejects.toThrow(ValidationError);
  });

  test("a read-only user gets a PermissionError", async () => {
    const { id } = await approveTask();
    const auditor = basic(C.auditor.username, C.auditor.password);
    await expect(auditor.claimTask(id)).rejects.toThrow(PermissionError);
  });

  test("an unknown task is a NotFoundError", async () => {
    await expect(pipeline.claimTask("00000000-0000-4000-8000-000000000000")).rejects.toThrow(NotFoundError);
  });
});

describe("jobs and manual tasks", () => {
  test("startJob, getJob, getManualTaskController, finishManualTask", async () => {
    const job = await pipeline.startJob(DEFAULT_WORKFLOW, {
      description: "SDK change",
      variables: { changeId: "CHG9" },
    });
    expect(job).toMatchObject({ name: DEFAULT_WORKFLOW, description: "SDK change", status: "running" });
    const fetched = await pipeline.getJob(job.id);
    expect(fetched.tasks?.b2).toMatchObject({ taskId: "b2", name: "Approve change", status: "running" });
    const approveId = fetched.tasks?.b2?.iterations?.at(-1) as string;
    expect((await pipeline.getTask(approveId)).job).toMatchObject({ id: job.id, taskKey: "b2" });

    const form = await pipeline.getManualTaskController(job.id, "b2");
    expect(form).toMatchObject({ name: "Approve change", variables: { changeId: "CHG9" } });

    await pipeline.claimTask(approveId);
    const finished = await pipeline.finishManualTask(job.id, "b2", { finishState: "success", variables: { ok: 1 } });
    expect(finished).toMatchObject({ status: "complete", variables: { outgoing: { ok: 1 } } });
  });

  test("bad arguments fail before any request", async () => {
    await emulator().control("DELETE", "/requests");
    await expect(pipeline.getJob("nope")).rejects.toThrow(ValidationError);
    await expect(pipeline.getManualTaskController("0123456789abcdef01234567", "xyz12")).rejects.toThrow(
      ValidationError,
    );
    await expect(
      pipeline.finishManualTask("0123456789abcdef01234567", "b2", { finishState: "maybe" as never }),
    ).rejects.toThrow(ValidationError);
    await expect(pipeline.startJob("")).rejects.toThrow(ValidationError);
    await expect(pipeline.listTasks({ filters: { equals: { "job][_id": "x" } } })).rejects.toThrow(ValidationError);
    expect(await emulator().requests()).toEqual([]);
  });

  test("an unknown workflow is a BadRequestError with IAP's message", async () => {
    await expect(pipeline.startJob("Nope")).rejects.toMatchObject({
      name: "BadRequestError",
      status: 400,
      method: "POST",
      path: "/operations-manager/jobs/start",
      iapMessage: 'Workflow "Nope" does not exist',
    });
  });
});

describe("accounts", () => {
  test("findAccount matches the username exactly; getAccount reads one by id", async () => {
    const alice = await pipeline.findAccount("alice");
    expect(alice).toMatchObject({ username: "alice", firstname: "Alice", inactive: false });
    expect(alice?.id).toMatch(/^[0-9a-f]{24}$/);
    expect(await pipeline.findAccount("ali")).toBeUndefined();
    expect(await pipeline.findAccount("nobody")).toBeUndefined();
    expect((await pipeline.getAccount(alice?.id as string)).username).toBe("alice");
    await expect(pipeline.getAccount("65a0000000000000000000ff")).rejects.toThrow(NotFoundError);
    await expect(pipeline.getAccount("alice")).rejects.toThrow(ValidationError);
    await expect(pipeline.findAccount("")).rejects.toThrow(ValidationError);
  });
});
