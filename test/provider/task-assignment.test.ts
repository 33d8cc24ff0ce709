// TaskAssignment's lifecycle rules against an emulator process, in both error modes.
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
    expect(await requestsSince(emulator())).toEqual([
      "GET /authorization/accounts",
      `POST /operations-manager/tasks/${taskId}/assign`,
    ]);
    expect(await holder()).toBe("alice");
  });

  test("create by account id needs no lookup", async () => {
    const state = await createTaskAssignment(contextAs(emulator(), "pipeline"), {
      taskId,
      userId: aliceId,
      releaseOnDestroy: true,
    });
    expect(state).toMatchObject({ assignee: "alice", assigneeId: aliceId, owner: "alice" });
    expect(await requestsSince(emulator())).toEqual([`POST /operations-manager/tasks/${taskId}/assign`]);
  });

  test("an unknown username fails naming it, and nothing is assigned", async () => {
    await expect(
      createTaskAssignment(contextAs(emulator(), "pipeline"), { taskId, user: "mallory", releaseOnDestroy: true }),
    ).rejects.toThrow('IAP has no account with the username "mallory"');
    expect(await holder()).toBeUndefined();
  });

  test("an unknown account id fails with IAP's words", async () => {
    await expect(
      createTaskAssignment(contextAs(emulator(), "pipeline"), {
        taskId,
        userId: "65a0000000000000000000ff",
        releaseOnDestroy: true,
      }),
    ).rejects.toThrow(/User 65a0000000000000000000ff does not exist/);
  });

  test("refresh sees the task taken from the assignee; update assigns it back", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    await emulator().actAs("bob", "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: (await clientAs(emulator(), "bob").whoami()).id,
    });
    const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
    expect(refreshed).toMatchObject({ owner: "bob", assignee: "alice" });
    const inputs = { taskId, user: "alice", releaseOnDestroy: true };
    expect(diffTaskAssignment(refreshed, inputs).changes).toBe(true);
    expect(diffTaskAssignment(created, inputs).changes).toBe(false);
    const updated = await updateTaskAssignment(ctx, refreshed, inputs);
    expect(updated).toMatchObject({ owner: "alice", assignee: "alice" });
    expect(await holder()).toBe("alice");
  });

  test("a new assignee is an update that re-assigns", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    const inputs = { taskId, user: "bob", releaseOnDestroy: true };
    expect(diffTaskAssignment(created, inputs)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
    expect(await updateTaskAssignment(ctx, created, inputs)).toMatchObject({ user: "bob", assignee: "bob" });
    expect(await holder()).toBe("bob");
  });

  test("delete releases the task while the assignee holds it", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    await deleteTaskAssignment(ctx, created);
    expect(await holder()).toBeUndefined();
  });

  test("delete by an account IAP does not let release another's task fails, saying what to do", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    await expect(deleteTaskAssignment(ctx, created)).rejects.toThrow(
      /still held by alice, and IAP does not let svc-pipeline release it.*releaseOnDestroy: false/,
    );
    expect(await holder()).toBe("alice");
  });

  test("delete after the approval succeeds with one read and no release", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    await approve(emulator(), taskId, "alice");
    await clearRequests(emulator());
    await deleteTaskAssignment(ctx, created);
    expect(await requestsSince(emulator())).toEqual([`GET /operations-manager/tasks/${taskId}`]);
  });

  test("a finished task is not assigned again: a new assignee is recorded, and no update fails", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: true });
    await approve(emulator(), taskId, "alice");
    const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
    expect(refreshed.status).toBe("complete");
    await clearRequests(emulator());
    const updated = await updateTaskAssignment(ctx, refreshed, { taskId, user: "bob", releaseOnDestroy: true });
    expect(updated).toMatchObject({ user: "bob", assignee: "alice", owner: "alice", status: "complete" });
    expect(diffTaskAssignment(updated, { taskId, user: "bob", releaseOnDestroy: true }).changes).toBe(false);
    expect(await requestsSince(emulator())).toEqual([]);
  });

  test("releaseOnDestroy: false leaves the assignment", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, { taskId, user: "alice", releaseOnDestroy: false });
    await deleteTaskAssignment(ctx, created);
    expect(await holder()).toBe("alice");
  });
});
