// TaskClaim through the real Pulumi CLI (Automation API, inline programs), with the packed library
// installed in a consumer project outside the repository, against an emulator process. Each test
// checks what the engine reports, what state holds, and what IAP (the emulator) saw and holds.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C, DEFAULT_WORKFLOW } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { type EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";
import { installedLibrary } from "./consumer";
import { type PulumiSandbox, withSandbox } from "./harness";
import { INSTALLED_PROVIDER, SERIALIZED_PROVIDER_0_1 } from "./installed-provider";

jest.setTimeout(300_000);

const emulator = useEmulatorProcess();
const admin = () =>
  new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });

async function approvalTaskId(): Promise<string> {
  const page = await admin().listTasks({ filters: { equals: { name: "Approve change" } } });
  return page.items[0]?.id as string;
}

/** A new change job's approval task. */
async function newApprovalTask(): Promise<string> {
  const job = await admin().startJob(DEFAULT_WORKFLOW);
  const page = await admin().listTasks({ filters: { equals: { "job._id": job.id, name: "Approve change" } } });
  return page.items[0]?.id as string;
}

async function holder(taskId: string): Promise<string | undefined> {
  return (await admin().getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;
}

/** IAP calls since the log was last cleared, as "METHOD path". */
async function calls(e: EmulatorProcess): Promise<string[]> {
  return (await e.requests()).map((r) => `${r.method} ${r.path}`);
}

const writes = (log: string[]) => log.filter((line) => line.startsWith("POST ") && !line.includes("/login"));

interface ClaimArgs {
  taskId: string;
  takeOver?: boolean;
  releaseOnDestroy?: boolean;
}

/** A stack whose program claims `args.taskId`, configured for the pipeline's account. */
async function claimStack(sandbox: PulumiSandbox, args: () => ClaimArgs, stackName = "test"): Promise<Stack> {
  return sandbox.inlineStack(
    async () => {
      const { TaskClaim } = installedLibrary();
      const claim = new TaskClaim("approval", args());
      return { owner: claim.owner, claimTime: claim.claimTime, status: claim.status, taskName: claim.taskName };
    },
    {
      stackName,
      config: {
        "itential:baseUrl": { value: emulator().url },
        "itential:username": { value: C.pipeline.username },
        "itential:password": { value: C.pipeline.password, secret: true },
      },
    },
  );
}

interface StoredResource {
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  sourcePosition?: string;
}

function claimResource(state: { deployment: { resources: StoredResource[] } }) {
  return state.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/itential:TaskClaim");
}

test("preview writes nothing; up claims once; the next preview shows no change; destroy releases", async () => {
  let taskId = await approvalTaskId();
  await withSandbox(async (sandbox) => {
    const stack = await claimStack(sandbox, () => ({ taskId }));
    await emulator().control("DELETE", "/requests");

    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(writes(await calls(emulator()))).toEqual([]);
    expect(await holder(taskId)).toBeUndefined();

    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.owner?.value).toBe("svc-pipeline");
    expect(up.outputs.claimTime?.value).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(up.outputs.taskName?.value).toBe("Approve change");
    expect(writes(await calls(emulator()))).toEqual([`POST /operations-manager/tasks/${taskId}/claim`]);
    expect(await holder(taskId)).toBe("svc-pipeline");

    const again = await stack.preview();
    expect(again.changeSummary).toEqual({ same: 2 });

    // A new taskId (the next job's task) is a replace, which the engine checks twice (the update,
    // then the replacement): not two resources on one task. The claim moves: released, then claimed.
    const first = taskId;
    taskId = await newApprovalTask();
    await emulator().control("DELETE", "/requests");
    const moved = await stack.up();
    expect(moved.summary.resourceChanges).toEqual({ replace: 1, same: 1 });
    expect(writes(await calls(emulator()))).toEqual([
      `POST /operations-manager/tasks/${first}/release`,
      `POST /operations-manager/tasks/${taskId}/claim`,
    ]);
    expect(await holder(first)).toBeUndefined();
    expect(await holder(taskId)).toBe("svc-pipeline");

    // The stored provider: exactly a require of the installed package's provider module, in
    // inputs and outputs: no path, no credential, no code of ours.
    const state = await stack.exportStack();
    const stored = claimResource(state) as StoredResource;
    expect(stored.outputs.__provider).toBe(INSTALLED_PROVIDER);
    expect(stored.inputs.__provider).toBe(INSTALLED_PROVIDER);
    // The source position Pulumi records is the program's `new TaskClaim(...)`, not a line of ours.
    expect(stored.sourcePosition).toMatch(/task-claim\.test\.ts#\d+,\d+$/);
    expect(JSON.stringify(stored)).not.toContain("node_modules/pulumi-itential");

    // Secrets stay ciphertext in state, and never reach the resource's state.
    const files = fs.readdirSync(sandbox.backendDir, { recursive: true, encoding: "utf8" });
    const stateText = files
      .map((f) => path.join(sandbox.backendDir, f))
      .filter((f) => fs.statSync(f).isFile())
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n");
    expect(stateText).toContain("svc-pipeline");
    expect(stateText).not.toContain(C.pipeline.password);
    // (exportStack decrypts secrets for its caller, so only our resource is checked in that view.)
    expect(JSON.stringify(claimResource(state))).not.toContain(C.pipeline.password);

    await emulator().control("DELETE", "/requests");
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(writes(await calls(emulator()))).toEqual([`POST /operations-manager/tasks/${taskId}/release`]);
    expect(await holder(taskId)).toBeUndefined();
  });
});

test("refresh shows a person's release as drift, and the next up claims again", async () => {
  const taskId = await approvalTaskId();
  await withSandbox(async (sandbox) => {
    const stack = await claimStack(sandbox, () => ({ taskId }));
    await stack.up();
    await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);

    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const refreshed = claimResource(await stack.exportStack());
    expect(refreshed?.outputs.owner).toBeUndefined();
    expect(refreshed?.outputs.status).toBe("running");

    const preview = await stack.preview();
    expect(preview.changeSummary).toMatchObject({ update: 1 });

    await emulator().control("DELETE", "/requests");
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(up.outputs.owner?.value).toBe("svc-pipeline");
    expect(writes(await calls(emulator()))).toEqual([`POST /operations-manager/tasks/${taskId}/claim`]);
    expect(await holder(taskId)).toBe("svc-pipeline");
    await stack.destroy();
  });
});

test("a task someone else holds fails up naming them, and nothing enters state; takeOver wins it", async () => {
  const taskId = await approvalTaskId();
  const alice = await emulator().actAs<{ metrics: { claim_time: string } }>(
    "alice",
    "POST",
    `/operations-manager/tasks/${taskId}/claim`,
  );
  await withSandbox(async (sandbox) => {
    let takeOver = false;
    const stack = await claimStack(sandbox, () => ({ taskId, takeOver }));
    const failed = await stack.up().catch((error: Error) => error);
    expect(String(failed)).toContain(
      `task ${taskId} ("Approve change") is claimed by alice since ${alice.metrics.claim_time}. Set takeOver: true`,
    );
    expect(claimResource(await stack.exportStack())).toBeUndefined();
    expect(await holder(taskId)).toBe("alice");

    takeOver = true;
    const up = await stack.up();
    expect(up.outputs.owner?.value).toBe("svc-pipeline");
    expect(await holder(taskId)).toBe("svc-pipeline");
    await stack.destroy();
  });
});

test("after the approval: refresh, preview, up and destroy succeed, and no claim or release is sent", async () => {
  const taskId = await approvalTaskId();
  await withSandbox(async (sandbox) => {
    const stack = await claimStack(sandbox, () => ({ taskId }));
    await stack.up();
    const task = await admin().getTask(taskId);
    await emulator().actAs("svc-pipeline", "POST", `/operations-manager/jobs/${task.job?.id}/tasks/b2/finish`, {
      taskData: { finish_state: "success", variables: {} },
    });
    await emulator().control("DELETE", "/requests");

    await stack.refresh();
    expect(claimResource(await stack.exportStack())?.outputs.status).toBe("complete");
    expect((await stack.preview()).changeSummary).toEqual({ same: 2 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(writes(await calls(emulator()))).toEqual([]);
  });
});

test("a __provider written by an earlier library (the closure serializer's) shows no diff, refreshes and destroys", async () => {
  const taskId = await approvalTaskId();
  await withSandbox(async (sandbox) => {
    const stack = await claimStack(sandbox, () => ({ taskId }));
    await stack.up();
    // State as pulumi-itential wrote it while Pulumi's closure serializer made its `__provider`.
    const state = await stack.exportStack();
    const resource = claimResource(state) as StoredResource;
    for (const bag of [resource.inputs, resource.outputs]) bag.__provider = SERIALIZED_PROVIDER_0_1;
    await stack.importStack(state);
    expect((await stack.preview()).changeSummary).toEqual({ same: 2 });
    // A person releases the task; refresh (run by the stored provider) notices, up claims again.
    await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
    await stack.refresh();
    expect(claimResource(await stack.exportStack())?.outputs.owner).toBeUndefined();
    expect((await stack.up()).summary.resourceChanges).toMatchObject({ update: 1 });
    expect(await holder(taskId)).toBe("svc-pipeline");
    await stack.destroy();
    expect(await holder(taskId)).toBeUndefined();
  });
});
