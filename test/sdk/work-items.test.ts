// The Work Center client against a real emulator process, in both of the emulator's error modes
// (business errors as 4xx, and every business error as 500, as IAP documents).
import { DEFAULT_CREDENTIALS as C, DEFAULT_AGENT_SESSION } from "../../emulator";
import { OperationsManagerClient, TaskStateError, ValidationError, type WorkItem } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";

describe.each([
  ["normal errors", []],
  ["errors as 500", ["--errors-as-500"]],
])("Work Center client (%s)", (_mode, extraArgs) => {
  const emulator = useEmulatorProcess({ extraArgs });
  const basic = (username: string, password: string) =>
    new OperationsManagerClient({ baseUrl: emulator().url, auth: { type: "basic", username, password } });
  let pipeline: OperationsManagerClient;
  let alice: OperationsManagerClient;
  beforeEach(() => {
    pipeline = basic(C.pipeline.username, C.pipeline.password);
    alice = basic(C.approvers[0].username, C.approvers[0].password);
  });

  async function agentItem(): Promise<WorkItem> {
    const { items } = await pipeline.searchWorkItems({
      filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
    });
    expect(items).toHaveLength(1);
    return items[0] as WorkItem;
  }

  test("the seed: the running job's approval is a task and a work item; the agent's item only a work item", async () => {
    const { items, total } = await pipeline.searchWorkItems();
    expect(total).toBe(2);
    const workflow = items.find((i) => i.execution?.type === "workflow") as WorkItem;
    const agent = items.find((i) => i.execution?.type === "agent") as WorkItem;
    const tasks = await pipeline.listTasks({ filters: { equals: { name: "Approve change" } } });
    const task = tasks.items[0];
    expect(workflow).toMatchObject({ name: "Approve change", status: "pending", resourceId: task?.id });
    expect(workflow.execution?.id).toBe(task?.job?.id);
    expect(agent).toMatchObject({ name: "Approve agent remediation", status: "pending" });
    expect((await pipeline.listTasks({ filters: { equals: { name: agent.name as string } } })).total).toBe(0);
    expect(await pipeline.countWorkItems()).toBe(2);
    expect(await pipeline.countWorkItems([{ field: "name", operator: "contains", value: "agent" }])).toBe(1);
  });

  test("get, claim (idempotent), release (also of an unclaimed item)", async () => {
    const { id } = await agentItem();
    const fresh = await pipeline.getWorkItem(id);
    expect(fresh.owner).toBeUndefined();
    expect(fresh.claimTime).toBeUndefined();
    const me = await pipeline.whoami();
    const claimed = await pipeline.claimWorkItem(id);
    expect(claimed.owner?.id).toBe(me.id);
    expect(claimed.claimTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const again = await pipeline.claimWorkItem(id);
    expect(again.claimTime).toBe(claimed.claimTime);
    expect((await pipeline.releaseWorkItem(id)).owner).toBeUndefined();
    expect((await pipeline.releaseWorkItem(id)).owner).toBeUndefined();
  });

  test("a claim of an item someone else holds is refused, naming them", async () => {
    const { id } = await agentItem();
    await alice.claimWorkItem(id);
    const refusal = await pipeline.claimWorkItem(id).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(TaskStateError);
    expect(refusal).toMatchObject({ reason: "claimed-by-another", taskId: id });
    expect((refusal as TaskStateError).owner?.username).toBeUndefined(); // ids only on Work Center
    expect((refusal as Error).message).toMatch(/^work item .* is claimed by user [0-9a-f]{24} since /);
    // Releasing it is refused too: only its owner or an admin may.
    await expect(pipeline.releaseWorkItem(id)).rejects.toMatchObject({ reason: "claimed-by-another" });
  });

  test("assign hands the item to a named user; complete ends it", async () => {
    const { id } = await agentItem();
    const aliceId = (await alice.whoami()).id;
    expect((await pipeline.assignWorkItem(id, aliceId)).owner?.id).toBe(aliceId);
    const done = await alice.completeWorkItem(id, { finishState: "approved", variables: { comment: "ok" } });
    expect(done.status).toBe("completed");
    await expect(pipeline.claimWorkItem(id)).rejects.toMatchObject({ reason: "finished" });
    // A finished item has nobody to release it from: done.
    await expect(pipeline.releaseWorkItem(id)).rejects.toMatchObject({ reason: "finished" });
  });

  test("a claim whose answer is lost is settled by reading the item, not repeated", async () => {
    const { id } = await agentItem();
    await emulator().addFault({
      kind: "reset",
      when: "after",
      path: `/work-center-service/work-items/${id}/claim`,
      times: 1,
    });
    const claimed = await pipeline.claimWorkItem(id);
    expect(claimed.owner?.id).toBe((await pipeline.whoami()).id);
    const claims = (await emulator().requests()).filter((r) => r.path.endsWith("/claim"));
    expect(claims).toHaveLength(1);
  });

  test("bad ids and undocumented filters are refused before anything is sent", async () => {
    await expect(pipeline.getWorkItem("../tasks")).rejects.toBeInstanceOf(ValidationError);
    await expect(
      // @ts-expect-error an undocumented field
      pipeline.searchWorkItems({ filters: [{ field: "execution.id", operator: "equals", value: "x" }] }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(pipeline.searchWorkItems({ limit: 101 })).rejects.toBeInstanceOf(ValidationError);
  });

  test("iterateWorkItems pages through every item", async () => {
    const ids: string[] = [];
    for await (const item of pipeline.iterateWorkItems({ limit: 1 })) ids.push(item.id);
    expect(new Set(ids).size).toBe(2);
  });
});
