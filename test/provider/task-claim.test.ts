// TaskClaim's lifecycle rules against an emulator process, in both of the emulator's error modes:
// IAP documents only 200 and 500, so every rule must decide from the task's state, not the status.

import { UNKNOWN } from "../../provider/lifecycle/inputs";
import {
  createTaskClaim,
  deleteTaskClaim,
  diffTaskClaim,
  needsClaim,
  readTaskClaim,
  type TaskClaimState,
  updateTaskClaim,
} from "../../provider/lifecycle/task-claim";
import { contextFor } from "../../provider/lifecycle/task-facts";
import { OperationsManagerClient } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, approve, clearRequests, clientAs, contextAs, ERROR_MODES, requestsSince } from "./fixture";

const emulator = useEmulatorProcess();

const inputsFor = (taskId: string, extra: Partial<TaskClaimState> = {}) => ({
  taskId,
  takeOver: false,
  releaseOnDestroy: true,
  ...extra,
});

describe.each(ERROR_MODES)("TaskClaim lifecycle (%s)", (_mode, allErrorsAs500) => {
  let taskId: string;

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    taskId = (await approvalTask(emulator())).id;
    await clearRequests(emulator());
  });

  test("create claims the task and records owner, claim time and the task's facts, nothing more", async () => {
    const state = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    expect(state).toEqual({
      taskId,
      takeOver: false,
      releaseOnDestroy: true,
      platformUrl: emulator().url,
      taskName: "Approve change",
      jobId: expect.stringMatching(/^[0-9a-f]{24}$/),
      status: "running",
      owner: "svc-pipeline",
      ownerId: expect.stringMatching(/^[0-9a-f]{24}$/),
      claimTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      claimant: "svc-pipeline",
      claimantId: state.ownerId,
    });
    // The claim's answer names us: no whoami, no read.
    expect(await requestsSince(emulator())).toEqual([`POST /operations-manager/tasks/${taskId}/claim`]);
    // The job's variables (deviceCredentials) never reach state.
    expect(JSON.stringify(state)).not.toMatch(/deviceCredentials|CHG0001234|variables/);
    const held = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(held.owner?.username).toBe("svc-pipeline");
    expect(held.claimTime).toBe(state.claimTime);
  });

  test("create adopts a task this account already holds, keeping its claim time", async () => {
    const before = await clientAs(emulator(), "pipeline").claimTask(taskId);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a new claim would get a later time
    const state = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    expect(state.owner).toBe("svc-pipeline");
    expect(state.claimTime).toBe(before.claimTime);
  });

  test("create fails naming the holder and their claim time; nothing changes in IAP", async () => {
    const alices = await clientAs(emulator(), "alice").claimTask(taskId);
    const attempt = createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    await expect(attempt).rejects.toThrow(
      `task ${taskId} ("Approve change") is claimed by alice since ${alices.claimTime}. Set takeOver: true`,
    );
    const after = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(after.owner?.username).toBe("alice");
  });

  test("takeOver takes a task someone else holds", async () => {
    await clientAs(emulator(), "alice").claimTask(taskId);
    const state = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId, { takeOver: true }));
    expect(state.owner).toBe("svc-pipeline");
    const after = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(after.owner?.username).toBe("svc-pipeline");
  });

  test("create of a finished task fails saying so", async () => {
    await clientAs(emulator(), "alice").claimTask(taskId);
    await approve(emulator(), taskId, "alice");
    await expect(createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId))).rejects.toThrow(
      /is complete and cannot be claimed/,
    );
  });

  test("refresh sees a release by a person; diff then asks for a claim and update makes it", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await emulator().actAs("admin@pronghorn", "POST", `/operations-manager/tasks/${taskId}/release`);
    const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
    expect(refreshed.owner).toBeUndefined();
    expect(refreshed.ownerId).toBeUndefined();
    expect(refreshed.claimTime).toBeUndefined();
    expect(refreshed.claimant).toBe("svc-pipeline");
    expect(needsClaim(refreshed)).toBe(true);
    expect(diffTaskClaim(refreshed, inputsFor(taskId))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    const updated = await updateTaskClaim(ctx, refreshed, inputsFor(taskId));
    expect(updated.owner).toBe("svc-pipeline");
    expect(updated.claimTime).toEqual(expect.any(String));
  });

  test("refresh sees a person re-taking the task; update fails naming them unless takeOver", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: (await clientAs(emulator(), "alice").whoami()).id,
    });
    const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
    expect(refreshed.owner).toBe("alice");
    expect(diffTaskClaim(refreshed, inputsFor(taskId)).changes).toBe(true);
    await expect(updateTaskClaim(ctx, refreshed, inputsFor(taskId))).rejects.toThrow(/is claimed by alice since/);
    const taken = await updateTaskClaim(ctx, refreshed, inputsFor(taskId, { takeOver: true }));
    expect(taken).toMatchObject({ owner: "svc-pipeline", takeOver: true });
  });

  test("a finished task stays in state with its status, shows no change, and is not claimed again", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await approve(emulator(), taskId, "pipeline");
    const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
    expect(refreshed.status).toBe("complete");
    expect(diffTaskClaim(refreshed, inputsFor(taskId)).changes).toBe(false);
    await clearRequests(emulator());
    const updated = await updateTaskClaim(ctx, refreshed, inputsFor(taskId, { releaseOnDestroy: false }));
    expect(updated).toEqual({ ...refreshed, releaseOnDestroy: false });
    await deleteTaskClaim(ctx, refreshed);
    // update: no call; delete: one read, no release.
    expect(await requestsSince(emulator())).toEqual([`GET /operations-manager/tasks/${taskId}`]);
  });

  test("a task that no longer exists leaves state on refresh, and its delete succeeds", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await emulator().reset(); // a new seed: new jobs and tasks, ours gone
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    expect(await readTaskClaim(ctx, created)).toBeUndefined();
    await expect(deleteTaskClaim(ctx, created)).resolves.toBeUndefined();
  });

  test("delete releases the task we hold, with one read and one write", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await clearRequests(emulator());
    await deleteTaskClaim(ctx, created);
    expect(await requestsSince(emulator())).toEqual([
      `GET /operations-manager/tasks/${taskId}`,
      `POST /operations-manager/tasks/${taskId}/release`,
    ]);
    expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeUndefined();
  });

  test("delete leaves a task someone else took alone, and counts it done", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await clientAs(emulator(), "admin").releaseTask(taskId);
    await clientAs(emulator(), "bob").claimTask(taskId);
    await deleteTaskClaim(ctx, created);
    const after = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(after.owner?.username).toBe("bob");
  });

  test("releaseOnDestroy: false leaves the claim and calls nothing", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId, { releaseOnDestroy: false }));
    await clearRequests(emulator());
    await deleteTaskClaim(ctx, created);
    expect(await requestsSince(emulator())).toEqual([]);
    expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeDefined();
  });

  test("a 404 that is not IAP's (a wrong base path) does not drop the claim from state", async () => {
    const created = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    const wrongPath = contextFor(
      new OperationsManagerClient({
        baseUrl: `${emulator().url}/iap`,
        auth: { type: "basic", username: "svc-pipeline", password: "pipeline-secret" },
        retry: { maxRetries: 0 },
      }),
      `${emulator().url}/iap`,
    );
    await expect(readTaskClaim(wrongPath, created)).rejects.toThrow(/404/);
    await expect(deleteTaskClaim(wrongPath, created)).rejects.toThrow(/404/);
    expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeDefined();
  });

  test("a task approved between refresh and up: up succeeds and records it complete, claiming nothing", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputsFor(taskId));
    await emulator().actAs("admin@pronghorn", "POST", `/operations-manager/tasks/${taskId}/release`);
    const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
    expect(needsClaim(refreshed)).toBe(true);
    await clientAs(emulator(), "alice").claimTask(taskId);
    await approve(emulator(), taskId, "alice");
    const updated = await updateTaskClaim(ctx, refreshed, inputsFor(taskId));
    expect(updated).toMatchObject({ status: "complete", owner: "alice", claimant: "svc-pipeline" });
    expect(needsClaim(updated)).toBe(false);
  });

  test("a release IAP refuses while our account still holds the task fails, so state keeps it", async () => {
    // State says svc-pipeline claimed it, but destroy runs with alice's credentials.
    const created = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    await expect(deleteTaskClaim(contextAs(emulator(), "alice"), created)).rejects.toThrow(
      /is still held by svc-pipeline, and IAP does not let alice release it/,
    );
    const after = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(after.owner?.username).toBe("svc-pipeline");
  });
});

describe("TaskClaim diff", () => {
  const state: TaskClaimState = {
    taskId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    takeOver: false,
    releaseOnDestroy: true,
    platformUrl: "https://iap.example.com",
    status: "running",
    owner: "svc-pipeline",
    ownerId: "65a000000000000000000001",
    claimant: "svc-pipeline",
    claimantId: "65a000000000000000000001",
  };
  const same = { taskId: state.taskId, takeOver: false, releaseOnDestroy: true };

  test("no change when inputs match and we hold the task", () => {
    expect(diffTaskClaim(state, same)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: true });
  });

  test("another task or platform is a replacement; a trailing slash is not another platform", () => {
    const configured = "https://iap.example.com";
    const other = "7f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    expect(diffTaskClaim(state, { ...same, taskId: other }, configured).replaces).toEqual(["taskId"]);
    expect(diffTaskClaim(state, { ...same, taskId: UNKNOWN }, configured).replaces).toEqual(["taskId"]);
    expect(diffTaskClaim(state, same, configured).changes).toBe(false);
    expect(diffTaskClaim(state, same, "https://iap.example.com/").changes).toBe(false);
    // The stack's URL changed: the claim moves (released there, made here), not left behind.
    expect(diffTaskClaim(state, same, "https://other.example.com").replaces).toEqual(["baseUrl"]);
    // A resource's own baseUrl wins over the stack's.
    const own = { ...same, baseUrl: "https://iap.example.com/" };
    expect(diffTaskClaim(state, own, "https://x.example.com").changes).toBe(false);
    expect(diffTaskClaim(state, { ...same, baseUrl: "https://other.example.com" }, configured).replaces).toEqual([
      "baseUrl",
    ]);
    expect(diffTaskClaim(state, { ...same, baseUrl: UNKNOWN }, configured).replaces).toEqual(["baseUrl"]);
  });

  test("flags are an in-place update", () => {
    expect(diffTaskClaim(state, { ...same, takeOver: true })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
    expect(diffTaskClaim(state, { ...same, releaseOnDestroy: false }).changes).toBe(true);
  });

  test("an owner recorded by username (older IAP) is still us", () => {
    expect(diffTaskClaim({ ...state, ownerId: "svc-pipeline", owner: "svc-pipeline" }, same).changes).toBe(false);
    expect(diffTaskClaim({ ...state, ownerId: "alice", owner: "alice" }, same).changes).toBe(true);
  });

  test("an open task nobody holds is drift; a finished one is not", () => {
    const released = { ...state, owner: undefined, ownerId: undefined };
    expect(diffTaskClaim(released, same).changes).toBe(true);
    expect(diffTaskClaim({ ...released, status: "complete" }, same).changes).toBe(false);
    expect(diffTaskClaim({ ...released, status: "canceled" }, same).changes).toBe(false);
  });
});
