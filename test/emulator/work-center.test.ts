// The Work Center routes and their rules, over real HTTP against an emulator process, in both error
// modes; the act-as control API lets a person claim, release and complete work items.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_AGENT_SESSION, DEFAULT_WORKFLOW } from "../../emulator";
import { AS, call, EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";

const BASE = "/work-center-service/work-items";

describe.each([
  ["normal errors", [], { conflict: 409, bad: 400, missing: 404, forbidden: 403 }],
  ["errors as 500", ["--errors-as-500"], { conflict: 500, bad: 500, missing: 500, forbidden: 500 }],
])("Work Center routes (%s)", (_mode, extraArgs, status) => {
  const emulator = useEmulatorProcess({ extraArgs });
  const url = () => emulator().url;

  async function agentItem() {
    const res = await call(url(), "POST", `${BASE}/search`, {
      auth: AS.pipeline,
      body: { filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }] },
    });
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(1);
    return res.json.data[0];
  }

  test("a work item has the documented fields and no envelope", async () => {
    const item = await agentItem();
    expect(Object.keys(item).sort()).toEqual(
      [
        "appId",
        "createdAt",
        "description",
        "execution",
        "groups",
        "id",
        "isIncomingClaimChecked",
        "metrics",
        "name",
        "resourceId",
        "rootExecution",
        "status",
        "summary",
        "updatedAt",
        "variables",
        "view",
      ].sort(),
    );
    expect(item).toMatchObject({ status: "pending", groups: { read: expect.any(Array), write: expect.any(Array) } });
    expect(item.execution).toMatchObject({ type: "agent", name: DEFAULT_AGENT_SESSION });
    const one = await call(url(), "GET", `${BASE}/${item.id}`, { auth: AS.auditor });
    expect(one.json).toEqual(item);
  });

  test("claim, re-claim, someone else's claim, release and its refusals", async () => {
    const { id } = await agentItem();
    const claimed = await call(url(), "PATCH", `${BASE}/${id}/claim`, { auth: AS.pipeline });
    expect(claimed.status).toBe(200);
    expect(claimed.json.metrics.owner).toMatch(/^[0-9a-f]{24}$/);
    expect(Date.parse(claimed.json.metrics.claimedAt)).not.toBeNaN();
    const again = await call(url(), "PATCH", `${BASE}/${id}/claim`, { auth: AS.pipeline });
    expect(again.json.metrics).toEqual(claimed.json.metrics);
    expect((await call(url(), "PATCH", `${BASE}/${id}/claim`, { auth: AS.alice })).status).toBe(status.conflict);
    expect((await call(url(), "PATCH", `${BASE}/${id}/release`, { auth: AS.alice })).status).toBe(status.conflict);
    const released = await call(url(), "PATCH", `${BASE}/${id}/release`, { auth: AS.pipeline });
    expect(released.json.metrics).toEqual({});
    expect((await call(url(), "PATCH", `${BASE}/${id}/release`, { auth: AS.pipeline })).status).toBe(status.bad);
  });

  test("viewers read but do not act; unknown and malformed ids are refused", async () => {
    const { id } = await agentItem();
    expect((await call(url(), "PATCH", `${BASE}/${id}/claim`, { auth: AS.auditor })).status).toBe(status.forbidden);
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await call(url(), "GET", `${BASE}/${missing}`, { auth: AS.pipeline })).status).toBe(status.missing);
    expect((await call(url(), "GET", `${BASE}/not-a-uuid`, { auth: AS.pipeline })).status).toBe(status.bad);
    const bad = await call(url(), "POST", `${BASE}/search`, {
      auth: AS.pipeline,
      body: { filters: [{ field: "execution.id", operator: "equals", value: "x" }] },
    });
    expect(bad.status).toBe(status.bad);
  });

  test("a person, through the control API, claims, releases, and completes an item", async () => {
    const { id } = await agentItem();
    // Work Center answers no envelope, so the helper's `data` is empty: read the item instead.
    const read = async () => (await call(url(), "GET", `${BASE}/${id}`, { auth: AS.pipeline })).json;
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    const aliceId = (await call(url(), "GET", "/whoami", { auth: AS.alice })).json.id;
    expect((await read()).metrics.owner).toBe(aliceId);
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/release`);
    expect((await read()).metrics.owner).toBeUndefined();
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/complete`, {
      finishState: "approved",
      variables: { comment: "go" },
    });
    const done = await read();
    expect(done.status).toBe("completed");
    expect(done.metrics).toMatchObject({ completedBy: aliceId, finishState: "approved" });
    expect((await call(url(), "PATCH", `${BASE}/${id}/claim`, { auth: AS.pipeline })).status).toBe(status.bad);
    const count = await call(url(), "POST", `${BASE}/count`, { auth: AS.pipeline, body: {} });
    expect(count.json).toEqual({ count: 1 });
  });

  test("create (as an agent would mid-run): the documented required fields, appId+resourceId unique, then listed", async () => {
    const body = {
      appId: "AgentManager",
      resourceId: "step-7",
      name: "Approve rollout",
      summary: "Roll out to edge",
      view: "/work-center/task/ViewData",
      groups: { read: [], write: [] },
      execution: { id: "session-42", type: "agent", name: "rollout agent" },
      variables: { change: "CHG-1" },
    };
    const made = await call(url(), "POST", BASE, { auth: AS.pipeline, body });
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: "pending",
      name: "Approve rollout",
      execution: { id: "session-42", type: "agent" },
      rootExecution: { id: "session-42" },
      metrics: {},
    });
    const one = await call(url(), "GET", `${BASE}/${made.json.id}`, { auth: AS.pipeline });
    expect(one.json).toEqual(made.json);
    const history = await call(url(), "GET", `${BASE}?rootExecutionId=session-42`, { auth: AS.pipeline });
    expect(history.json.items.map((i: { id: string }) => i.id)).toEqual([made.json.id]);
    expect((await call(url(), "POST", BASE, { auth: AS.pipeline, body })).status).toBe(status.conflict);
    const { summary: _, ...noSummary } = body;
    const bad = await call(url(), "POST", BASE, { auth: AS.pipeline, body: { ...noSummary, resourceId: "x" } });
    expect(bad.status).toBe(status.bad);
    expect(bad.json.message).toMatch(/summary is required/);
    const noGroups = await call(url(), "POST", BASE, {
      auth: AS.pipeline,
      body: { ...body, resourceId: "y", groups: {} },
    });
    expect(noGroups.status).toBe(status.bad);
    expect((await call(url(), "POST", BASE, { auth: AS.auditor, body: { ...body, resourceId: "z" } })).status).toBe(
      status.forbidden,
    );
  });

  /** A job started through the API (not the seed): its first manual tasks wait. */
  async function startJob() {
    const res = await call(url(), "POST", "/operations-manager/jobs/start", {
      auth: AS.pipeline,
      body: {
        workflow: DEFAULT_WORKFLOW,
        options: { type: "automation", description: "API job", variables: {}, groups: [] },
      },
    });
    expect(res.status).toBe(200);
    return res.json.data as { _id: string; tasks: Record<string, { iterations: string[] }> };
  }
  const itemsOf = async (jobId: string) =>
    (await call(url(), "GET", `${BASE}?rootExecutionId=${jobId}`, { auth: AS.pipeline })).json.items as Array<{
      id: string;
      name: string;
      status: string;
      resourceId: string;
      execution: { id: string; type: string };
    }>;
  const jobOf = async (jobId: string) =>
    (await call(url(), "GET", `/operations-manager/jobs/${jobId}`, { auth: AS.pipeline })).json.data;

  test("a job started through the API lists each manual task in Work Center as it starts waiting", async () => {
    const job = await startJob();
    const first = await itemsOf(job._id);
    expect(first.map((i) => i.name).sort()).toEqual(["Approve change", "Security review"]);
    for (const item of first) {
      expect(item).toMatchObject({ status: "pending", execution: { id: job._id, type: "workflow" } });
      expect(item.resourceId).toBe(job.tasks[item.name === "Approve change" ? "b2" : "c3"]?.iterations.at(-1));
    }
    // Finishing both through Operations Manager completes their items and starts the next task,
    // whose item appears then.
    for (const key of ["b2", "c3"]) {
      const taskId = job.tasks[key]?.iterations.at(-1);
      await call(url(), "POST", `/operations-manager/tasks/${taskId}/claim`, { auth: AS.pipeline });
      const done = await call(url(), "POST", `/operations-manager/jobs/${job._id}/tasks/${key}/finish`, {
        auth: AS.pipeline,
        body: { taskData: { finish_state: "success", variables: {} } },
      });
      expect(done.status).toBe(200);
    }
    const after = await itemsOf(job._id);
    expect(Object.fromEntries(after.map((i) => [i.name, i.status]))).toEqual({
      "Approve change": "completed",
      "Security review": "completed",
      "Confirm maintenance window": "pending",
    });
  });

  test("completing a workflow's item in Work Center finishes its task and moves the job on", async () => {
    const job = await startJob();
    const approve = (await itemsOf(job._id)).find((i) => i.name === "Approve change");
    if (!approve) throw new Error("no item for the approval");
    await call(url(), "PATCH", `${BASE}/${approve.id}/claim`, { auth: AS.pipeline });
    const done = await call(url(), "PATCH", `${BASE}/${approve.id}/complete`, {
      auth: AS.pipeline,
      body: { finishState: "approved", variables: { ok: true } },
    });
    expect(done.status).toBe(200);
    const task = await call(url(), "GET", `/operations-manager/tasks/${approve.resourceId}`, { auth: AS.pipeline });
    expect(task.json.data).toMatchObject({ status: "complete", metrics: { finish_state: "success" } });
    expect((await jobOf(job._id)).tasks.b2.status).toBe("complete");
    // A failure finishes the task as failed: the job errors and its other waiting item is canceled.
    const review = (await itemsOf(job._id)).find((i) => i.name === "Security review");
    if (!review) throw new Error("no item for the review");
    // Security review is the approvers' alone.
    expect((await call(url(), "PATCH", `${BASE}/${review.id}/claim`, { auth: AS.alice })).status).toBe(200);
    const failed = await call(url(), "PATCH", `${BASE}/${review.id}/complete`, {
      auth: AS.alice,
      body: { finishState: "failure" },
    });
    expect(failed.status).toBe(200);
    const ended = await jobOf(job._id);
    expect(ended.status).toBe("error");
    expect(ended.tasks.c3.status).toBe("complete");
    expect(ended.tasks.d4.status).toBe("canceled");
  });

  test("the seed's approval is one approval: finishing its task completes its item", async () => {
    const { json } = await call(url(), "POST", `${BASE}/search`, {
      auth: AS.pipeline,
      body: { filters: [{ field: "name", operator: "equals", value: "Approve change" }] },
    });
    const item = json.data[0];
    const task = await call(url(), "GET", `/operations-manager/tasks/${item.resourceId}`, { auth: AS.pipeline });
    await call(url(), "POST", `/operations-manager/tasks/${item.resourceId}/claim`, { auth: AS.pipeline });
    const finished = await call(url(), "POST", `/operations-manager/jobs/${task.json.data.job._id}/tasks/b2/finish`, {
      auth: AS.pipeline,
      body: { taskData: { finish_state: "success", variables: {} } },
    });
    expect(finished.status).toBe(200);
    const after = await call(url(), "GET", `${BASE}/${item.id}`, { auth: AS.pipeline });
    expect(after.json).toMatchObject({ status: "completed", metrics: { finishState: "success" } });
  });

  test("assign needs a user id and hands the item over", async () => {
    const { id } = await agentItem();
    const bobId = (await call(url(), "GET", "/whoami", { auth: AS.bob })).json.id;
    const bad = await call(url(), "PATCH", `${BASE}/${id}/assign`, { auth: AS.pipeline, body: { owner: "bob" } });
    expect(bad.status).toBe(status.bad);
    const ok = await call(url(), "PATCH", `${BASE}/${id}/assign`, { auth: AS.pipeline, body: { owner: bobId } });
    expect(ok.json.metrics.owner).toBe(bobId);
  });
});

test("work items survive a restart through the state file, and older state files without them load", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wc-state-"));
  const stateFile = path.join(dir, "state.json");
  try {
    let running = await EmulatorProcess.start({ stateFile });
    const search = () => call(running.url, "POST", `${BASE}/search`, { auth: AS.pipeline, body: {} });
    const item = (await search()).json.data.find((i: { execution: { type: string } }) => i.execution.type === "agent");
    await call(running.url, "PATCH", `${BASE}/${item.id}/claim`, { auth: AS.pipeline });
    await running.stop();
    running = await EmulatorProcess.start({ stateFile });
    const again = (await call(running.url, "GET", `${BASE}/${item.id}`, { auth: AS.pipeline })).json;
    expect(again.metrics.owner).toMatch(/^[0-9a-f]{24}$/);
    await running.stop();
    const old = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    delete old.workItems;
    fs.writeFileSync(stateFile, JSON.stringify(old));
    running = await EmulatorProcess.start({ stateFile });
    expect((await search()).json.data).toEqual([]);
    await running.stop();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
