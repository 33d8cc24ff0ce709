// TaskClaim's lifecycle rules against an emulator process, in both of the emulator's error modes:
// IAP documents only 200 and 500, so every rule must decide from the task's state, not the status.

import { type TaskClaimInputs, UNKNOWN } from "../../provider/lifecycle/inputs";
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

const inputsFor = (taskId: string, extra: Partial<TaskClaimInputs> = {}): TaskClaimInputs => ({
  taskId,
  takeOver: false,
  releaseOnDestroy: true,
  adopt: false,
  onDrift: "reclaim",
  ...extra,
});

/** Requests that change something in IAP (claims, releases, assigns): reads and whoami excluded. */
const writesSince = async () => (await requestsSince(emulator())).filter((r) => r.startsWith("POST"));

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
      adopt: false,
      onDrift: "reclaim",
      platformUrl: emulator().url,
      taskName: "Approve change",
      jobId: expect.stringMatching(/^[0-9a-f]{24}$/),
      status: "running",
      owner: "svc-pipeline",
      ownerId: expect.stringMatching(/^[0-9a-f]{24}$/),
      claimTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      claimant: "svc-pipeline",
      claimantId: state.ownerId,
      // The claim this resource made: its own claim time, not adopted.
      heldSince: state.claimTime,
      adopted: false,
    });
    // Who we are, the task as it is (so a refusal sends nothing), then the claim.
    expect(await requestsSince(emulator())).toEqual([
      "GET /whoami",
      `GET /operations-manager/tasks/${taskId}`,
      `POST /operations-manager/tasks/${taskId}/claim`,
    ]);
    // The job's variables (deviceCredentials) never reach state.
    expect(JSON.stringify(state)).not.toMatch(/deviceCredentials|CHG0001234|variables/);
    const held = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(held.owner?.username).toBe("svc-pipeline");
    expect(held.claimTime).toBe(state.claimTime);
  });

  test("create refuses a task this account already holds, naming its claim time and the fixes; nothing is sent", async () => {
    const before = await clientAs(emulator(), "pipeline").claimTask(taskId);
    await clearRequests(emulator());
    const attempt = createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    await expect(attempt).rejects.toThrow(
      `is already held by svc-pipeline since ${before.claimTime}, by a claim this resource did not make`,
    );
    await expect(attempt).rejects.toThrow(/Nothing was sent.*aliases: \[\{ name: "<old name>" \}\].*adopt: true/);
    expect(await writesSince()).toEqual([]);
    const after = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    expect(after.claimTime).toBe(before.claimTime);
  });

  test("adopt: true records a task this account already holds, with its claim time, sending no write", async () => {
    const before = await clientAs(emulator(), "pipeline").claimTask(taskId);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a new claim would get a later time
    await clearRequests(emulator());
    const state = await createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId, { adopt: true }));
    expect(state).toMatchObject({
      owner: "svc-pipeline",
      claimant: "svc-pipeline",
      adopt: true,
      adopted: true,
      claimTime: before.claimTime,
      heldSince: before.claimTime,
    });
    expect(await writesSince()).toEqual([]);
    // adopt is permission to share, not a requirement: a free task is claimed, and is this resource's own.
    const other = await createTaskClaim(
      contextAs(emulator(), "admin"),
      inputsFor(taskId, { adopt: true, takeOver: true }),
    );
    expect(other).toMatchObject({ owner: "admin@pronghorn", adopted: false, heldSince: other.claimTime });
  });

  test("create fails naming the holder and their claim time; nothing changes in IAP", async () => {
    const alices = await clientAs(emulator(), "alice").claimTask(taskId);
    const attempt = createTaskClaim(contextAs(emulator(), "pipeline"), inputsFor(taskId));
    const refusal = await attempt.catch((error: Error) => error.message);
    expect(refusal).toContain(
      `task ${taskId} ("Approve change") is claimed by alice since ${alices.claimTime}. Set takeOver: true`,
    );
    expect(refusal).toContain("(nothing was sent)");
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
      `task ${taskId} ("Approve change") is complete: there is nothing left to claim`,
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
      reasons: [
        `TaskClaim: refresh found task ${taskId} ("Approve change") released (nobody holds it); up will claim it again for svc-pipeline (onDrift "reclaim")`,
      ],
    });
    const updated = await updateTaskClaim(ctx, refreshed, inputsFor(taskId));
    expect(updated.owner).toBe("svc-pipeline");
    expect(updated.claimTime).toEqual(expect.any(String));
    // The new claim is this resource's: its claim time is recorded, so a later delete releases it.
    expect(updated).toMatchObject({ heldSince: updated.claimTime, adopted: false });
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
  const CLAIMED_AT = "2026-01-05T10:00:00.000Z";
  const state: TaskClaimState = {
    taskId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    takeOver: false,
    releaseOnDestroy: true,
    adopt: false,
    onDrift: "reclaim",
    platformUrl: "https://iap.example.com",
    status: "running",
    owner: "svc-pipeline",
    ownerId: "65a000000000000000000001",
    claimTime: CLAIMED_AT,
    claimant: "svc-pipeline",
    claimantId: "65a000000000000000000001",
    heldSince: CLAIMED_AT,
    adopted: false,
  };
  const same: TaskClaimInputs = {
    taskId: state.taskId,
    takeOver: false,
    releaseOnDestroy: true,
    adopt: false,
    onDrift: "reclaim",
  };
  const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: true, reasons: [] };

  test("no change when inputs match and we hold the task", () => {
    expect(diffTaskClaim(state, same)).toEqual(NO_CHANGE);
  });

  test("another task or platform is a replacement, with a reason; a trailing slash is not another platform", () => {
    const configured = "https://iap.example.com";
    const other = "7f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    expect(diffTaskClaim(state, { ...same, taskId: other }, configured)).toEqual({
      changes: true,
      replaces: ["taskId"],
      deleteBeforeReplace: true,
      reasons: [expect.stringContaining(`taskId changes from ${state.taskId} to ${other}`)],
    });
    expect(diffTaskClaim(state, same, configured).changes).toBe(false);
    expect(diffTaskClaim(state, same, "https://iap.example.com/").changes).toBe(false);
    // The stack's URL changed: the claim moves (released there, made here), not left behind.
    expect(diffTaskClaim(state, same, "https://other.example.com")).toMatchObject({
      replaces: ["baseUrl"],
      reasons: [
        expect.stringContaining("the platform changes from https://iap.example.com to https://other.example.com"),
      ],
    });
    // A resource's own baseUrl wins over the stack's.
    const own = { ...same, baseUrl: "https://iap.example.com/" };
    expect(diffTaskClaim(state, own, "https://x.example.com").changes).toBe(false);
    expect(diffTaskClaim(state, { ...same, baseUrl: "https://other.example.com" }, configured).replaces).toEqual([
      "baseUrl",
    ]);
  });

  test("an unknown taskId (or baseUrl) is a possible change, never a certain replace", () => {
    const configured = "https://iap.example.com";
    expect(diffTaskClaim(state, { ...same, taskId: UNKNOWN }, configured)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
      reasons: [expect.stringMatching(/^taskId is not known until .* only if it changes$/)],
    });
    expect(diffTaskClaim(state, { ...same, baseUrl: UNKNOWN }, configured)).toMatchObject({
      changes: true,
      replaces: [],
    });
    // Unknown, and drifted meanwhile: still no replace (up decides once the id is known).
    const released = { ...state, owner: undefined, ownerId: undefined, claimTime: undefined };
    expect(diffTaskClaim(released, { ...same, taskId: UNKNOWN }, configured).replaces).toEqual([]);
  });

  test("one platform spelled differently is no change; another port is another platform", () => {
    const local: TaskClaimState = { ...state, platformUrl: "http://127.0.0.1:4123" };
    expect(diffTaskClaim(local, same, "HTTP://127.0.0.1:4123/")).toEqual(NO_CHANGE);
    expect(diffTaskClaim(local, { ...same, baseUrl: "http://127.0.0.1:4123//" }, "http://127.0.0.1:4123")).toEqual(
      NO_CHANGE,
    );
    // The default port is no port: https on 443 is the platform without one.
    expect(diffTaskClaim(state, same, "HTTPS://IAP.example.com:443/")).toEqual(NO_CHANGE);
    const moved = diffTaskClaim(local, same, "http://127.0.0.1:4124");
    expect(moved).toEqual({
      changes: true,
      replaces: ["baseUrl"],
      deleteBeforeReplace: true,
      reasons: [expect.stringContaining("the platform changes from http://127.0.0.1:4123 to http://127.0.0.1:4124")],
    });
  });

  test("each flag is an in-place update; a state written before a flag existed reads as its default", () => {
    for (const changed of [
      { takeOver: true },
      { releaseOnDestroy: false },
      { adopt: true },
      { onDrift: "ignore" },
      { onDrift: "fail" },
    ] as Partial<TaskClaimInputs>[]) {
      expect([changed, diffTaskClaim(state, { ...same, ...changed })]).toEqual([
        changed,
        { changes: true, replaces: [], deleteBeforeReplace: true, reasons: [] },
      ]);
    }
    const { adopt: _a, onDrift: _d, heldSince: _h, adopted: _o, ...older } = state;
    expect(diffTaskClaim(older, same)).toEqual(NO_CHANGE);
    expect(diffTaskClaim(older, { ...same, onDrift: "fail" }).changes).toBe(true);
    expect(diffTaskClaim(older, { ...same, adopt: true }).changes).toBe(true);
  });

  test("an owner recorded by username (older IAP) is still us", () => {
    expect(diffTaskClaim({ ...state, ownerId: "svc-pipeline", owner: "svc-pipeline" }, same).changes).toBe(false);
    expect(diffTaskClaim({ ...state, ownerId: "alice", owner: "alice" }, same).changes).toBe(true);
  });

  test("an open task nobody holds is drift; a finished one is not", () => {
    const released = { ...state, owner: undefined, ownerId: undefined, claimTime: undefined };
    expect(diffTaskClaim(released, same).changes).toBe(true);
    expect(diffTaskClaim({ ...released, status: "complete" }, same).changes).toBe(false);
    expect(diffTaskClaim({ ...released, status: "canceled" }, same).changes).toBe(false);
  });

  test("our account holding the task under another claim time is drift: that claim is not this resource's", () => {
    const reclaimed = { ...state, claimTime: "2026-01-05T11:30:00.000Z" };
    expect(needsClaim(reclaimed)).toBe(true);
    expect(diffTaskClaim(reclaimed, same)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
      reasons: [
        `TaskClaim: refresh found task ${state.taskId} held by svc-pipeline since 2026-01-05T11:30:00.000Z, under a claim this resource did not make; up will fail, sending nothing: this resource does not take over a claim it did not make (set adopt: true to record it, or onDrift "ignore")`,
      ],
    });
    // With adopt, the plan says the claim is recorded as adopted: what update then does.
    expect(diffTaskClaim(reclaimed, { ...same, adopt: true }).reasons).toEqual([
      expect.stringMatching(
        /under a claim this resource did not make; up records that claim as adopted \(adopt: true\)$/,
      ),
    ]);
    // A state that does not know its claim time yet (written before it was kept) is not drift.
    const { heldSince: _h, ...unknownSince } = reclaimed;
    expect(diffTaskClaim(unknownSince, same).changes).toBe(false);
  });

  test("onDrift: drift is a change to reclaim or to fail on, and no change to ignore; a possible claim is always one", () => {
    const taken = { ...state, owner: "alice", ownerId: "65a000000000000000000002" };
    expect(diffTaskClaim(taken, same)).toMatchObject({
      changes: true,
      reasons: [expect.stringContaining("claim it again")],
    });
    expect(diffTaskClaim({ ...taken, onDrift: "fail" }, { ...same, onDrift: "fail" })).toMatchObject({
      changes: true,
      reasons: [expect.stringMatching(/held by alice since .*; up will fail, naming the holder \(onDrift "fail"\)$/)],
    });
    expect(diffTaskClaim({ ...taken, onDrift: "ignore" }, { ...same, onDrift: "ignore" })).toEqual(NO_CHANGE);
    // A possible claim (no status: its outcome unknown) is settled whatever onDrift says.
    const { status: _s, owner: _o, ownerId: _i, claimTime: _c, heldSince: _h, ...possible } = state;
    expect(diffTaskClaim({ ...possible, onDrift: "ignore" }, { ...same, onDrift: "ignore" })).toMatchObject({
      changes: true,
      reasons: [expect.stringContaining("the outcome of the claim of task")],
    });
  });
});
