// WorkItemAssignment's lifecycle (TaskAssignment's rules over Work Center) against an emulator
// process, in both error modes.
import { DEFAULT_AGENT_SESSION } from "../../emulator";
import type { WorkItemAssignmentInputs } from "../../provider/lifecycle/inputs";
import {
  checkWorkItemAssignment,
  createWorkItemAssignment,
  deleteWorkItemAssignment,
  diffWorkItemAssignment,
  readWorkItemAssignment,
  updateWorkItemAssignment,
} from "../../provider/lifecycle/work-item-assignment";
import type { WorkItem } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { clearRequests, clientAs, contextAs, ERROR_MODES, requestsSince } from "./fixture";

const emulator = useEmulatorProcess();
const BASE = "/work-center-service/work-items";

const inputsFor = (workItemId: string, extra: Partial<WorkItemAssignmentInputs> = {}): WorkItemAssignmentInputs => ({
  workItemId,
  user: "alice",
  releaseOnDestroy: true,
  adopt: false,
  onDrift: "reclaim",
  ...extra,
});

const writesSince = async () => (await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"));

async function agentItem(): Promise<WorkItem> {
  const { items } = await clientAs(emulator(), "admin").searchWorkItems({
    filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
  });
  return items[0] as WorkItem;
}

describe.each(ERROR_MODES)("WorkItemAssignment lifecycle (%s)", (_mode, allErrorsAs500) => {
  let id: string;

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    id = (await agentItem()).id;
    await clearRequests(emulator());
  });

  test("create assigns the item to the named person, by username, and records it under work item names; destroy releases it", async () => {
    const state = await createWorkItemAssignment(contextAs(emulator(), "admin"), inputsFor(id));
    expect(state).toMatchObject({
      workItemId: id,
      user: "alice",
      assignee: "alice",
      owner: "alice",
      name: "Approve agent remediation",
      status: "pending",
      adopted: false,
      heldSince: state.claimTime,
    });
    expect(state).not.toHaveProperty("taskId");
    await deleteWorkItemAssignment(contextAs(emulator(), "admin"), state);
    expect(await writesSince()).toEqual([`PATCH ${BASE}/${id}/assign`, `PATCH ${BASE}/${id}/release`]);
  });

  test("an item the person already holds is refused without adopt; an unknown username is refused", async () => {
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    await clearRequests(emulator());
    await expect(createWorkItemAssignment(contextAs(emulator(), "admin"), inputsFor(id))).rejects.toThrow(
      /^WorkItemAssignment: work item .* is already held by alice since/,
    );
    await expect(
      createWorkItemAssignment(contextAs(emulator(), "admin"), inputsFor(id, { user: "nobody" })),
    ).rejects.toThrow(/^WorkItemAssignment: IAP at .* has no account with the username "nobody"/);
    expect(await writesSince()).toEqual([]);
  });

  test("drift, re-assignment to another person, and a destroy that releases only its own assignment", async () => {
    const ctx = contextAs(emulator(), "admin");
    const state = await createWorkItemAssignment(ctx, inputsFor(id));
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/release`);
    const refreshed = await readWorkItemAssignment(ctx, state);
    const drift = diffWorkItemAssignment(refreshed as NonNullable<typeof refreshed>, inputsFor(id));
    expect(drift.reasons.join("\n")).toMatch(/WorkItemAssignment: refresh found work item .* released/);
    const bob = await updateWorkItemAssignment(
      ctx,
      refreshed as NonNullable<typeof refreshed>,
      inputsFor(id, { user: "bob" }),
    );
    expect(bob).toMatchObject({ assignee: "bob", owner: "bob" });
    // Bob hands it to alice himself: not this resource's assignment any more, so destroy leaves it.
    await emulator().actAs("bob", "PATCH", `${BASE}/${id}/release`);
    await emulator().actAs("alice", "PATCH", `${BASE}/${id}/claim`);
    await clearRequests(emulator());
    await deleteWorkItemAssignment(ctx, bob);
    expect(await writesSince()).toEqual([]);
  });
});

test("check: workItemId and one of user/userId are required", () => {
  expect(checkWorkItemAssignment({}).failures.map((f) => f.property)).toEqual(["workItemId", "user"]);
  expect(
    checkWorkItemAssignment({ workItemId: "0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30", user: "a", userId: "b" }).failures,
  ).toEqual(expect.arrayContaining([expect.objectContaining({ property: "userId" })]));
});
