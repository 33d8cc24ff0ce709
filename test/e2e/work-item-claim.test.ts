// WorkItemClaim through the real Pulumi CLI (Automation API, inline programs) on the packed library
// installed in a consumer project, against an emulator process, in both of its error modes (real
// statuses, and every business error as 500, the only error Work Center documents). The program
// finds the agent session's approval with findWorkItemOutput and holds it with WorkItemClaim.
// One sandbox per error mode, shared by its tests (each on a stack of its own). The conflict test
// configures the platform through an explicit Provider, as a second platform would be.
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C, DEFAULT_AGENT_SESSION } from "../../emulator";
import { OperationsManagerClient, type WorkItem } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { installedLibrary } from "./consumer";
import { PulumiSandbox } from "./harness";

jest.setTimeout(300_000);

const BASE = "/work-center-service/work-items";
const NAME = "Approve agent remediation";

describe.each([
  ["statuses", false],
  ["all-500", true],
])("WorkItemClaim through the CLI (%s)", (_mode, allErrorsAs500) => {
  const emulator = useEmulatorProcess();
  let sandbox: PulumiSandbox;
  let item: WorkItem;

  beforeAll(() => {
    sandbox = PulumiSandbox.create();
  });
  afterAll(() => sandbox?.dispose());

  const admin = () =>
    new OperationsManagerClient({
      baseUrl: emulator().url,
      auth: { type: "basic", username: C.admin.username, password: C.admin.password },
    });

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    const { items } = await admin().searchWorkItems({
      filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
    });
    item = items[0] as WorkItem;
  });

  /** Who holds the item now, by username. */
  const holder = async () => {
    const owner = (await admin().getWorkItem(item.id)).owner;
    return owner ? (await admin().getAccount(owner.id)).username : undefined;
  };

  /** Work Center writes since the request log was last cleared. */
  const writes = async () =>
    (await emulator().requests()).map((r) => `${r.method} ${r.path}`).filter((line) => line.startsWith("PATCH "));
  const clear = () => emulator().control("DELETE", "/requests");

  /**
   * A stack whose program finds the agent session's approval and holds it. With `explicit`, the
   * platform and credentials come from an explicit Provider (lookup and resource alike) instead of
   * the stack's `itential:*` config, which then has none.
   */
  async function claimStack(stackName: string, takeOver: () => boolean, explicit = false): Promise<Stack> {
    const executionId = item.execution?.id as string;
    const url = emulator().url;
    return sandbox.inlineStack(
      async () => {
        const lib = installedLibrary();
        const provider = explicit
          ? new lib.Provider("work-center", {
              baseUrl: url,
              username: C.pipeline.username,
              password: new pulumi.Config("wc").requireSecret("password"),
            })
          : undefined;
        const found = lib.findWorkItemOutput({ executionId, name: NAME }, { provider });
        const claim = new lib.WorkItemClaim(
          "agent-approval",
          { workItemId: found.id, takeOver: takeOver() },
          { provider },
        );
        return {
          owner: claim.owner,
          status: claim.status,
          name: claim.name,
          executionId: claim.executionId,
          heldSince: claim.heldSince,
        };
      },
      {
        stackName,
        config: explicit
          ? { "wc:password": { value: C.pipeline.password, secret: true } }
          : {
              "itential:baseUrl": { value: url },
              "itential:username": { value: C.pipeline.username },
              "itential:password": { value: C.pipeline.password, secret: true },
            },
      },
    );
  }

  test("preview writes nothing; up claims; a person's release is refreshed and reclaimed; completion; destroy", async () => {
    const stack = await claimStack(`life-${allErrorsAs500 ? "500" : "status"}`, () => false);
    await clear();

    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(await writes()).toEqual([]);
    expect(await holder()).toBeUndefined();

    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.owner?.value).toBe("svc-pipeline");
    expect(up.outputs.name?.value).toBe(NAME);
    expect(up.outputs.status?.value).toBe("pending");
    expect(up.outputs.executionId?.value).toBe(item.execution?.id);
    expect(up.outputs.heldSince?.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await writes()).toEqual([`PATCH ${BASE}/${item.id}/claim`]);
    expect(await holder()).toBe("svc-pipeline");

    // A person (with the pipeline's login, as a colleague might) releases it in Work Center.
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${item.id}/release`);
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await stack.preview()).changeSummary).toMatchObject({ update: 1 });
    await clear();
    const again = await stack.up();
    expect(again.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(again.outputs.owner?.value).toBe("svc-pipeline");
    expect(await writes()).toEqual([`PATCH ${BASE}/${item.id}/claim`]);

    // The approval is given: the item is completed; refresh records it, up and destroy send nothing.
    await emulator().actAs("svc-pipeline", "PATCH", `${BASE}/${item.id}/complete`, { finishState: "approved" });
    await clear();
    await stack.refresh();
    const completed = await stack.up();
    expect(completed.outputs.status?.value).toBe("completed");
    expect(completed.summary.resourceChanges).toEqual({ same: 2 });
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(await writes()).toEqual([]);
  });

  test("an item someone else holds fails up naming them, nothing enters state; takeOver wins it; destroy releases (explicit Provider)", async () => {
    await emulator().actAs("alice", "PATCH", `${BASE}/${item.id}/claim`);
    let takeOver = false;
    const stack = await claimStack(`conflict-${allErrorsAs500 ? "500" : "status"}`, () => takeOver, true);
    await clear();
    const failed = await stack.up().catch((error: Error) => error);
    expect(String(failed)).toMatch(
      new RegExp(
        `work item ${item.id} \\("${NAME}"\\) is claimed by alice since [^.]+\\.\\d{3}Z\\. Set takeOver: true`,
      ),
    );
    expect(await writes()).toEqual([]);
    const state = await stack.exportStack();
    expect((state.deployment.resources as { type: string }[]).some((r) => r.type.endsWith(":WorkItemClaim"))).toBe(
      false,
    );
    expect(await holder()).toBe("alice");

    takeOver = true;
    const up = await stack.up();
    expect(up.outputs.owner?.value).toBe("svc-pipeline");
    expect(await writes()).toEqual([`PATCH ${BASE}/${item.id}/assign`]);
    await clear();
    await stack.destroy();
    expect(await writes()).toEqual([`PATCH ${BASE}/${item.id}/release`]);
    expect(await holder()).toBeUndefined();
  });

  test("WorkItemAssignment: a workflow's item, found by its job, is assigned to alice by username; destroy releases it", async () => {
    const { items } = await admin().searchWorkItems({
      filters: [{ field: "triggerType", operator: "equals", value: "workflow" }],
    });
    const workflowItem = items[0] as WorkItem;
    const jobId = workflowItem.execution?.id as string;
    const stack = await sandbox.inlineStack(
      async () => {
        const lib = installedLibrary();
        const found = lib.findWorkItemOutput({ jobId, name: "Approve change" });
        const assignment = new lib.WorkItemAssignment("approver", { workItemId: found.id, user: "alice" });
        return { assignee: assignment.assignee, owner: assignment.owner, jobId: assignment.jobId };
      },
      {
        stackName: `assign-${allErrorsAs500 ? "500" : "status"}`,
        config: {
          "itential:baseUrl": { value: emulator().url },
          "itential:username": { value: C.admin.username },
          "itential:password": { value: C.admin.password, secret: true },
        },
      },
    );
    await clear();
    const up = await stack.up();
    expect(up.outputs.assignee?.value).toBe("alice");
    expect(up.outputs.owner?.value).toBe("alice");
    expect(up.outputs.jobId?.value).toBe(jobId);
    expect(await writes()).toEqual([`PATCH ${BASE}/${workflowItem.id}/assign`]);
    await clear();
    await stack.destroy();
    expect(await writes()).toEqual([`PATCH ${BASE}/${workflowItem.id}/release`]);
  });
});
