// WorkItemClaim's lifecycle (TaskClaim's rules over Work Center) and findWorkItem, against an
// emulator process in both error modes: Work Center documents only 500, so every rule must decide
// from the work item's state, not the status.
import { DEFAULT_AGENT_SESSION } from "../../emulator";
import { UNKNOWN, type WorkItemClaimInputs } from "../../provider/lifecycle/inputs";
import { findWorkItem } from "../../provider/lifecycle/lookups";
import {
  checkWorkItemClaim,
  createWorkItemClaim,
  deleteWorkItemClaim,
  diffWorkItemClaim,
  readWorkItemClaim,
  updateWorkItemClaim,
} from "../../provider/lifecycle/work-item-claim";
import type { WorkItem } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, contextAs, ERROR_MODES, requestsSince } from "./fixture";

const emulator = useEmulatorProcess();
const BASE = "/work-center-service/work-items";

const inputsFor = (workItemId: string, extra: Partial<WorkItemClaimInputs> = {}): WorkItemClaimInputs => ({
  workItemId,
  takeOver: false,
  releaseOnDestroy: true,
  adopt: false,
  onDrift: "reclaim",
  ...extra,
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const writesSince = async () => (await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"));

async function agentItem(): Promise<WorkItem> {
  const { items } = await clientAs(emulator(), "admin").searchWorkItems({
    filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
  });
  return items[0] as WorkItem;
}

describe.each(ERROR_MODES)("WorkItemClaim lifecycle (%s)", (_mode, allErrorsAs500) => {
  let item: WorkItem;
  let id: string;

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    item = await agentItem();
    id = item.id;
    await clearRequests(emulator());
  });

  test("create claims the item and records its facts under work item names, nothing from its variables", async () => {
    const state = await createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id));
    expect(state).toEqual({
      workItemId: id,
      takeOver: false,
      releaseOnDestroy: true,
      adopt: false,
      onDrift: "reclaim",
      platformUrl: emulator().url,
      name: "Approve agent remediation",
      status: "pending",
      executionId: item.execution?.id,
      rootExecutionId: item.rootExecution?.id,
      owner: "svc-pipeline",
      ownerId: expect.stringMatching(/^[0-9a-f]{24}$/),
      claimTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      claimant: "svc-pipeline",
      claimantId: state.ownerId,
      heldSince: state.claimTime,
      adopted: false,
    });
    expect(JSON.stringify(state)).not.toContain("clear ip bgp");
    expect(await writesSince()).toEqual([`PATCH ${BASE}/${id}/claim`]);
  });

  test("an item held by someone else is refused, naming them, and nothing is sent; takeOver assigns it", async () => {
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    await clearRequests(emulator());
    await expect(createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id))).rejects.toThrow(
      /^WorkItemClaim: work item .* \("Approve agent remediation"\) is claimed by alice since .*Set takeOver: true/,
    );
    expect(await writesSince()).toEqual([]);
    const taken = await createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id, { takeOver: true }));
    expect(taken).toMatchObject({ owner: "svc-pipeline", adopted: false });
    expect(await writesSince()).toEqual([`PATCH ${BASE}/${id}/assign`]);
  });

  test("an item the account already holds is refused without adopt, and recorded (never released) with it", async () => {
    await clientAs(emulator(), "pipeline").claimWorkItem(id);
    await expect(createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id))).rejects.toThrow(
      /is already held by svc-pipeline since .* by a claim this resource did not make/,
    );
    const adopted = await createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id, { adopt: true }));
    expect(adopted.adopted).toBe(true);
    await clearRequests(emulator());
    await deleteWorkItemClaim(contextAs(emulator(), "pipeline"), adopted);
    expect(await writesSince()).toEqual([]);
  });

  test("a person's release is drift: refresh sees it, diff says why, up claims again", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const state = await createWorkItemClaim(ctx, inputsFor(id));
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${id}/release`);
    const refreshed = await readWorkItemClaim(ctx, state);
    expect(refreshed?.owner).toBeUndefined();
    const diff = diffWorkItemClaim(refreshed as NonNullable<typeof refreshed>, inputsFor(id));
    expect(diff.changes).toBe(true);
    expect(diff.reasons.join("\n")).toMatch(
      /refresh found work item .* released \(nobody holds it\); up will claim it again/,
    );
    const failing = updateWorkItemClaim(
      ctx,
      refreshed as NonNullable<typeof refreshed>,
      inputsFor(id, { onDrift: "fail" }),
    );
    await expect(failing).rejects.toThrow(/onDrift is "fail", so nothing was sent/);
    const again = await updateWorkItemClaim(ctx, refreshed as NonNullable<typeof refreshed>, inputsFor(id));
    expect(again.owner).toBe("svc-pipeline");
    expect(again.heldSince).toBe(again.claimTime);
  });

  test("the same account releasing and claiming again is not this resource's claim: diff says so, delete sends nothing", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const state = await createWorkItemClaim(ctx, inputsFor(id));
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${id}/release`);
    await sleep(5); // a later claim time than the one this resource made
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${id}/claim`);
    const r = await readWorkItemClaim(ctx, state);
    if (!r) throw new Error("the item should still be there");
    expect(r.owner).toBe("svc-pipeline");
    expect(r.claimTime).not.toBe(state.heldSince);
    expect(diffWorkItemClaim(r, inputsFor(id)).reasons.join("\n")).toMatch(/did not make/);
    await clearRequests(emulator());
    await deleteWorkItemClaim(ctx, r);
    expect(await writesSince()).toEqual([]);
  });

  test.each([
    ["its execution's history", true],
    ["the full search (state without rootExecutionId)", false],
  ])("a transient 500 on read keeps a held claim in state (gone check through %s)", async (_, withRoot) => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createWorkItemClaim(ctx, inputsFor(id));
    const { rootExecutionId, ...withoutRoot } = created;
    expect(rootExecutionId).toBeDefined();
    const state = withRoot ? created : withoutRoot;
    await emulator().addFault({ kind: "status", status: 500, method: "GET", path: `${BASE}/${id}`, times: 1 });
    await expect(readWorkItemClaim(ctx, state)).rejects.toThrow();
    const again = await readWorkItemClaim(ctx, state);
    expect(again).toMatchObject({ workItemId: id, owner: "svc-pipeline", heldSince: created.heldSince });
  });

  test("destroy releases only its own claim; a completed item is left alone", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const state = await createWorkItemClaim(ctx, inputsFor(id));
    await clearRequests(emulator());
    await deleteWorkItemClaim(ctx, state);
    expect(await writesSince()).toEqual([`PATCH ${BASE}/${id}/release`]);
    // Someone else's claim now: not this resource's to release.
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    await clearRequests(emulator());
    await deleteWorkItemClaim(ctx, state);
    expect(await writesSince()).toEqual([]);
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/complete`, { finishState: "approved" });
    const read = await readWorkItemClaim(ctx, state);
    expect(read?.status).toBe("completed");
    await expect(createWorkItemClaim(ctx, inputsFor(id))).rejects.toThrow(
      /is completed: there is nothing left to claim/,
    );
  });

  test("a claim whose outcome is unknown records a possible claim under workItemId", async () => {
    await emulator().addFault({ kind: "reset", when: "after", path: `${BASE}/*/claim` });
    await emulator().addFault({ kind: "status", status: 503, method: "GET", path: `${BASE}/*`, skip: 1 });
    const error = await createWorkItemClaim(contextAs(emulator(), "pipeline"), inputsFor(id)).catch((e) => e);
    await emulator().control("DELETE", "/faults");
    expect(error.name).toBe("OutcomeUnknownError");
    expect(error.message).toMatch(
      /the claim of work item \S+ may or may not have been made .* reads the work item and settles it\.$/,
    );
    expect(error.recorded).toMatchObject({ workItemId: id, claimant: "svc-pipeline" });
    expect(error.recorded.taskId).toBeUndefined();
    expect(error.recorded.status).toBeUndefined();
  });
});

describe("check and diff", () => {
  test("workItemId is required and must be a UUID; unknowns pass", () => {
    expect(checkWorkItemClaim({}).failures).toEqual([
      { property: "workItemId", reason: expect.stringMatching(/^is required: the work item's id/) },
    ]);
    expect(checkWorkItemClaim({ workItemId: "x" }).failures[0]?.property).toBe("workItemId");
    expect(checkWorkItemClaim({ workItemId: UNKNOWN, takeOver: "yes" }).failures).toEqual([
      { property: "takeOver", reason: 'must be true or false, got the string "yes"' },
    ]);
  });

  test("another work item is a replacement, named by its own property", () => {
    const a = "0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30";
    const b = "1e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30";
    const diff = diffWorkItemClaim({ ...inputsFor(a), status: "pending" }, inputsFor(b));
    expect(diff.replaces).toEqual(["workItemId"]);
    expect(diff.reasons[0]).toMatch(/^workItemId changes from/);
  });
});

describe("findWorkItem", () => {
  test("by execution (an agent session) and by job (a workflow's item), with the owner's name", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const agent = await agentItem();
    await emulator().actAs("alice", "PATCH", `${BASE}/${agent.id}/claim`);
    const found = await findWorkItem(ctx, { executionId: agent.execution?.id as string, name: agent.name as string });
    expect(found).toMatchObject({ id: agent.id, executionType: "agent", status: "pending", owner: "alice" });
    const task = await approvalTask(emulator());
    const workflow = await findWorkItem(ctx, { jobId: task.job?.id as string, name: "Approve change" });
    expect(workflow).toMatchObject({ jobId: task.job?.id, executionType: "workflow", name: "Approve change" });
  });

  const ROOT = "0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b31";
  let created = 0;
  /** An agent session's work item made mid-run through the create route, as an agent would. */
  const createItem = async (name: string, executionId: string, extra: Record<string, unknown> = {}) => {
    const resourceId = `r-${++created}`;
    await emulator().actAs("svc-pipeline", "POST", BASE, {
      appId: "AgentManager",
      resourceId,
      name,
      summary: name,
      view: "/work-center/task/ViewData",
      groups: { read: [], write: [] },
      execution: { id: executionId, type: "agent", name: "session" },
      ...extra,
    });
    // act-as answers the control API's `data`, which a Work Center answer has not: read it back.
    const { items } = await clientAs(emulator(), "admin").searchWorkItems({
      filters: [{ field: "name", operator: "equals", value: name }],
    });
    const item = items.find((i) => i.resourceId === resourceId);
    if (!item) throw new Error(`the created item ${resourceId} is not listed`);
    return item;
  };

  test("several matches are refused, listing them; status narrows them", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const a = await createItem("Approve twice", "exec-several");
    const b = await createItem("Approve twice", "exec-several");
    await expect(findWorkItem(ctx, { executionId: "exec-several", name: "Approve twice" })).rejects.toThrow(
      /^findWorkItem: 2 work items match .*Narrow it with status/,
    );
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${a.id}/claim`);
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${a.id}/complete`, { finishState: "approved" });
    const pending = await findWorkItem(ctx, { executionId: "exec-several", name: "Approve twice", status: "pending" });
    expect(pending).toMatchObject({ id: b.id, status: "pending" });
    const done = await findWorkItem(ctx, { executionId: "exec-several", name: "Approve twice", status: "completed" });
    expect(done).toMatchObject({ id: a.id, status: "completed" });
  });

  test("an item is found by its root execution, not only by the execution that created it", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const child = await createItem("Approve child step", "exec-child", {
      rootExecution: { id: ROOT, type: "agent", name: "parent session" },
    });
    const found = await findWorkItem(ctx, { executionId: ROOT, name: "Approve child step" });
    expect(found).toMatchObject({ id: child.id, executionId: "exec-child", rootExecutionId: ROOT });
  });

  test("waitFor finds an item that appears while it waits", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    let made: Promise<WorkItem> | undefined;
    const found = await findWorkItem(
      ctx,
      { executionId: "exec-later", name: "Approve later", waitFor: "30s" },
      async () => {
        made ??= createItem("Approve later", "exec-later");
        await made;
      },
    );
    expect(made).toBeDefined();
    expect(found.id).toBe((await made)?.id);
  });

  test("a jobId that is not 24 hex characters fails at once, naming the argument, sending nothing", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    await clearRequests(emulator());
    await expect(findWorkItem(ctx, { jobId: "not-a-job", name: "Approve change" })).rejects.toThrow(
      /^findWorkItem: jobId must be a job id \(24 hexadecimal characters\), got "not-a-job"/,
    );
    expect(await requestsSince(emulator())).toEqual([]);
  });

  test("nothing found, waitFor, and bad arguments", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const agent = await agentItem();
    await expect(findWorkItem(ctx, { executionId: agent.execution?.id as string, name: "Nope" })).rejects.toThrow(
      /^findWorkItem: no work item named "Nope" of execution .*; pass waitFor/,
    );
    const sleeps: number[] = [];
    await expect(
      findWorkItem(ctx, { executionId: "elsewhere", name: agent.name as string, waitFor: "1s" }, async (ms) => {
        sleeps.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      }),
    ).rejects.toThrow(/appeared within 1s/);
    expect(sleeps.length).toBeGreaterThan(0);
    await expect(findWorkItem(ctx, { name: "x" })).rejects.toThrow(/set executionId .* or jobId/);
    await expect(findWorkItem(ctx, { executionId: "a", jobId: "b", name: "x" })).rejects.toThrow(/exactly one/);
  });
});
