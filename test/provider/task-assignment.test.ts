// TaskAssignment's lifecycle rules against an emulator process, in both error modes.
import { type TaskAssignmentInputs, UNKNOWN } from "../../provider/lifecycle/inputs";
import {
  createTaskAssignment,
  deleteTaskAssignment,
  diffTaskAssignment,
  readTaskAssignment,
  type TaskAssignmentState,
  updateTaskAssignment,
} from "../../provider/lifecycle/task-assignment";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, approve, clearRequests, clientAs, contextAs, ERROR_MODES, requestsSince } from "./fixture";

/** adopt and onDrift at their defaults, as check fills them in. */
const OWNERSHIP = { adopt: false, onDrift: "reclaim" } as const;
const emulator = useEmulatorProcess();

describe.each(ERROR_MODES)("TaskAssignment lifecycle (%s)", (_mode, allErrorsAs500) => {
  let taskId: string;
  let aliceId: string;
  const holder = async () =>
    (await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    taskId = (await approvalTask(emulator())).id;
    aliceId = (await clientAs(emulator(), "alice").whoami()).id;
    await clearRequests(emulator());
  });

  test("create resolves a username through the accounts API and assigns the task", async () => {
    const state = await createTaskAssignment(contextAs(emulator(), "admin"), {
      taskId,
      user: "alice",
      releaseOnDestroy: true,
      ...OWNERSHIP,
    });
    expect(state).toMatchObject({
      taskId,
      user: "alice",
      assignee: "alice",
      assigneeId: aliceId,
      owner: "alice",
      ownerId: aliceId,
      status: "running",
      taskName: "Approve change",
    });
    // The account, the task as it is (so a refusal sends nothing), then the assign.
    expect(await requestsSince(emulator())).toEqual([
      "GET /authorization/accounts",
      `GET /operations-manager/tasks/${taskId}`,
      `POST /operations-manager/tasks/${taskId}/assign`,
    ]);
    expect(state).toMatchObject({ heldSince: state.claimTime, adopted: false, adopt: false, onDrift: "reclaim" });
    expect(await holder()).toBe("alice");
  });

  test("create by account id needs no lookup", async () => {
    const state = await createTaskAssignment(contextAs(emulator(), "pipeline"), {
      taskId,
      userId: aliceId,
      releaseOnDestroy: true,
      ...OWNERSHIP,
    });
    expect(state).toMatchObject({ assignee: "alice", assigneeId: aliceId, owner: "alice" });
    expect(await requestsSince(emulator())).toEqual([
      `GET /operations-manager/tasks/${taskId}`,
      `POST /operations-manager/tasks/${taskId}/assign`,
    ]);
  });

  test("an unknown username fails naming it, and nothing is assigned", async () => {
    await expect(
      createTaskAssignment(contextAs(emulator(), "pipeline"), {
        taskId,
        user: "mallory",
        releaseOnDestroy: true,
        ...OWNERSHIP,
      }),
    ).rejects.toThrow(`TaskAssignment: IAP at ${emulator().url} has no account with the username "mallory"`);
    expect(await holder()).toBeUndefined();
  });

  test("an unknown account id fails with IAP's words", async () => {
    await expect(
      createTaskAssignment(contextAs(emulator(), "pipeline"), {
        taskId,
        userId: "65a0000000000000000000ff",
        releaseOnDestroy: true,
        ...OWNERSHIP,
      }),
    ).rejects.toThrow(/User 65a0000000000000000000ff does not exist/);
  });

  test("refresh sees the task taken from the assignee; update assigns it back", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    await emulator().actAs("bob", "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: (await clientAs(emulator(), "bob").whoami()).id,
    });
    const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
    expect(refreshed).toMatchObject({ owner: "bob", assignee: "alice" });
    const inputs = { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP };
    expect(diffTaskAssignment(refreshed, inputs).changes).toBe(true);
    expect(diffTaskAssignment(created, inputs).changes).toBe(false);
    const updated = await updateTaskAssignment(ctx, refreshed, inputs);
    expect(updated).toMatchObject({ owner: "alice", assignee: "alice" });
    expect(await holder()).toBe("alice");
  });

  test("a new assignee is an update that re-assigns", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    const inputs = { taskId, user: "bob", releaseOnDestroy: true, ...OWNERSHIP };
    expect(diffTaskAssignment(created, inputs)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
      reasons: ["TaskAssignment: the assignee changes from alice to bob"],
    });
    expect(await updateTaskAssignment(ctx, created, inputs)).toMatchObject({ user: "bob", assignee: "bob" });
    expect(await holder()).toBe("bob");
  });

  test("delete releases the task while the assignee holds it", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    await deleteTaskAssignment(ctx, created);
    expect(await holder()).toBeUndefined();
  });

  test("delete by an account IAP does not let release another's task fails, saying what to do", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    await expect(deleteTaskAssignment(ctx, created)).rejects.toThrow(
      /still held by alice, and IAP does not let svc-pipeline release it.*releaseOnDestroy: false/,
    );
    expect(await holder()).toBe("alice");
  });

  test("delete after the approval succeeds with one read and no release", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    await approve(emulator(), taskId, "alice");
    await clearRequests(emulator());
    await deleteTaskAssignment(ctx, created);
    expect(await requestsSince(emulator())).toEqual([`GET /operations-manager/tasks/${taskId}`]);
  });

  test("a finished task is not assigned again: a new assignee is recorded, and no update fails", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP });
    await approve(emulator(), taskId, "alice");
    const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
    expect(refreshed.status).toBe("complete");
    await clearRequests(emulator());
    const updated = await updateTaskAssignment(ctx, refreshed, {
      taskId,
      user: "bob",
      releaseOnDestroy: true,
      ...OWNERSHIP,
    });
    expect(updated).toMatchObject({ user: "bob", assignee: "alice", owner: "alice", status: "complete" });
    expect(diffTaskAssignment(updated, { taskId, user: "bob", releaseOnDestroy: true, ...OWNERSHIP }).changes).toBe(
      false,
    );
    expect(await requestsSince(emulator())).toEqual([]);
  });

  test("releaseOnDestroy: false leaves the assignment", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: false, ...OWNERSHIP });
    await deleteTaskAssignment(ctx, created);
    expect(await holder()).toBe("alice");
  });
});

describe("TaskAssignment diff", () => {
  const CLAIMED_AT = "2026-01-05T10:00:00.000Z";
  const state: TaskAssignmentState = {
    taskId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
    user: "alice",
    releaseOnDestroy: true,
    adopt: false,
    onDrift: "reclaim",
    platformUrl: "http://127.0.0.1:4123",
    status: "running",
    owner: "alice",
    ownerId: "65a000000000000000000002",
    claimTime: CLAIMED_AT,
    assignee: "alice",
    assigneeId: "65a000000000000000000002",
    heldSince: CLAIMED_AT,
    adopted: false,
  };
  const same: TaskAssignmentInputs = { taskId: state.taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP };
  const NO_CHANGE = { changes: false, replaces: [], deleteBeforeReplace: true, reasons: [] };
  const UPDATE = { changes: true, replaces: [], deleteBeforeReplace: true, reasons: [] };

  test("no change when inputs match and the assignee holds the claim this resource made", () => {
    expect(diffTaskAssignment(state, same, "http://127.0.0.1:4123")).toEqual(NO_CHANGE);
  });

  test("releaseOnDestroy, adopt or onDrift alone is an in-place update (so state records what destroy will do)", () => {
    expect(diffTaskAssignment(state, { ...same, releaseOnDestroy: false })).toEqual(UPDATE);
    expect(diffTaskAssignment(state, { ...same, adopt: true })).toEqual(UPDATE);
    expect(diffTaskAssignment(state, { ...same, onDrift: "ignore" })).toEqual(UPDATE);
    expect(diffTaskAssignment(state, { ...same, onDrift: "fail" })).toEqual(UPDATE);
    // A state written before adopt and onDrift existed reads as their defaults.
    const { adopt: _a, onDrift: _d, ...older } = state;
    expect(diffTaskAssignment(older, same)).toEqual(NO_CHANGE);
    expect(diffTaskAssignment(older, { ...same, onDrift: "fail" })).toEqual(UPDATE);
  });

  test("the same person by id instead of username is a change (the inputs name them differently)", () => {
    expect(diffTaskAssignment(state, { ...same, user: undefined, userId: state.assigneeId }).changes).toBe(true);
  });

  test("an unknown taskId is a possible change, never a certain replace; another port is a replace with a reason", () => {
    expect(diffTaskAssignment(state, { ...same, taskId: UNKNOWN }, "http://127.0.0.1:4123")).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
      reasons: [expect.stringContaining("taskId is not known until")],
    });
    expect(diffTaskAssignment(state, same, "HTTP://127.0.0.1:4123/")).toEqual(NO_CHANGE);
    expect(diffTaskAssignment(state, same, "http://127.0.0.1:4124")).toEqual({
      changes: true,
      replaces: ["baseUrl"],
      deleteBeforeReplace: true,
      reasons: [expect.stringContaining("the platform changes from http://127.0.0.1:4123 to http://127.0.0.1:4124")],
    });
  });

  test("the assignee holding the task under another claim time is drift, with a reason", () => {
    const again = { ...state, claimTime: "2026-01-05T12:00:00.000Z" };
    expect(diffTaskAssignment(again, same)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
      reasons: [
        expect.stringContaining(
          "held by alice since 2026-01-05T12:00:00.000Z, under a claim this resource did not make",
        ),
      ],
    });
    expect(diffTaskAssignment({ ...again, onDrift: "ignore" }, { ...same, onDrift: "ignore" })).toEqual(NO_CHANGE);
  });
});
