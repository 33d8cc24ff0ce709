// Issue 15, "a claim belongs to its resource", against an emulator process in both error modes:
// a resource releases only the claim it made (never a person's, never another stack's, never an
// adopted one), acquiring never silently takes a claim the holder already has, and onDrift decides
// what `up` does about drift. The release rules run with the pipeline account and with an
// administrator as the provider's account: IAP lets an administrator release anyone's task, so
// only the provider's own rule keeps it from releasing a claim that is not its resource's.
import type { TaskAssignmentInputs, TaskClaimInputs } from "../../provider/lifecycle/inputs";
import {
  createTaskAssignment,
  deleteTaskAssignment,
  diffTaskAssignment,
  readTaskAssignment,
  type TaskAssignmentState,
  updateTaskAssignment,
} from "../../provider/lifecycle/task-assignment";
import {
  createTaskClaim,
  deleteTaskClaim,
  diffTaskClaim,
  readTaskClaim,
  type TaskClaimState,
  updateTaskClaim,
} from "../../provider/lifecycle/task-claim";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, contextAs, ERROR_MODES, requestsSince, USERS } from "./fixture";

const emulator = useEmulatorProcess();

/** IAP gives claim times in milliseconds: a pause makes the next claim's time differ from the last. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

const ACCOUNTS = ["pipeline", "admin"] as const;

describe.each(ERROR_MODES)("ownership (%s)", (_mode, allErrorsAs500) => {
  let taskId: string;
  let aliceId: string;
  let bobId: string;

  const claimInputs = (extra: Partial<TaskClaimInputs> = {}): TaskClaimInputs => ({
    taskId,
    takeOver: false,
    releaseOnDestroy: true,
    adopt: false,
    onDrift: "reclaim",
    ...extra,
  });
  const assignInputs = (extra: Partial<TaskAssignmentInputs> = {}): TaskAssignmentInputs => ({
    taskId,
    user: "alice",
    releaseOnDestroy: true,
    adopt: false,
    onDrift: "reclaim",
    ...extra,
  });
  /** Who holds the task in IAP now, and since when. */
  const holding = async () => {
    const task = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
    return { holder: task.owner?.username, since: task.claimTime };
  };
  const requests = () => requestsSince(emulator());
  const writes = async () => (await requests()).filter((r) => r.startsWith("POST"));
  /** A person (or a script with their login) takes the task for themselves, out of band. */
  const takenBy = async (who: "alice" | "bob") =>
    emulator().actAs(USERS[who].username, "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: who === "alice" ? aliceId : bobId,
    });
  const releasedByAdmin = () =>
    emulator().actAs(USERS.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);

  beforeEach(async () => {
    await emulator().settings({ businessErrorsAs500: allErrorsAs500 });
    taskId = (await approvalTask(emulator())).id;
    aliceId = (await clientAs(emulator(), "alice").whoami()).id;
    bobId = (await clientAs(emulator(), "bob").whoami()).id;
    await clearRequests(emulator());
  });

  describe.each(ACCOUNTS)("a TaskClaim made as %s releases only its own claim", (account) => {
    const username = () => USERS[account].username;

    test("the claim it made: released, with one read and one release", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskClaim(ctx, claimInputs());
      await clearRequests(emulator());
      await deleteTaskClaim(ctx, created);
      expect(await requests()).toEqual([
        `GET /operations-manager/tasks/${taskId}`,
        `POST /operations-manager/tasks/${taskId}/release`,
      ]);
      expect((await holding()).holder).toBeUndefined();
    });

    test("a person took the task: not released, nothing sent", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskClaim(ctx, claimInputs());
      await takenBy("alice");
      const taken = await holding();
      await clearRequests(emulator());
      await deleteTaskClaim(ctx, created);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test("a state without its claim time (written before it was kept): a person's claim is still not released", async () => {
      const ctx = contextAs(emulator(), account);
      const { heldSince: _h, adopted: _a, ...older } = await createTaskClaim(ctx, claimInputs());
      await takenBy("alice");
      const taken = await holding();
      await clearRequests(emulator());
      // Only the holder tells: the claim time is not known to compare.
      await deleteTaskClaim(ctx, older);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test("released, then claimed again by the same account by hand (a new claim time): not released", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskClaim(ctx, claimInputs());
      await releasedByAdmin();
      await tick();
      const again = await clientAs(emulator(), account).claimTask(taskId);
      expect(again.claimTime).not.toBe(created.heldSince);
      await clearRequests(emulator());
      await deleteTaskClaim(ctx, created);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual({ holder: username(), since: again.claimTime });
    });

    test("released, then claimed by another stack's TaskClaim (adopt: true): only that stack releases it", async () => {
      const stackA = contextAs(emulator(), account);
      const first = await createTaskClaim(stackA, claimInputs());
      await releasedByAdmin();
      await tick();
      const stackB = contextAs(emulator(), account);
      // The task was free: stack B made its own claim (adopt permits sharing, it does not force it).
      const second = await createTaskClaim(stackB, claimInputs({ adopt: true }));
      expect(second).toMatchObject({ adopted: false, owner: username() });
      expect(second.heldSince).not.toBe(first.heldSince);
      await clearRequests(emulator());
      await deleteTaskClaim(stackA, first);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual({ holder: username(), since: second.heldSince });
      await deleteTaskClaim(stackB, second);
      expect((await holding()).holder).toBeUndefined();
    });

    test("an adopted claim is never released by the resource that adopted it; its maker's release still works", async () => {
      const stackA = contextAs(emulator(), account);
      const made = await createTaskClaim(stackA, claimInputs());
      const stackB = contextAs(emulator(), account);
      await clearRequests(emulator());
      const adopted = await createTaskClaim(stackB, claimInputs({ adopt: true }));
      expect(adopted).toMatchObject({ adopted: true, heldSince: made.heldSince, owner: username() });
      expect(await writes()).toEqual([]);
      await clearRequests(emulator());
      await deleteTaskClaim(stackB, adopted);
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual({ holder: username(), since: made.heldSince });
      // A refresh keeps it adopted, so a destroy after `pulumi refresh` leaves it too.
      const refreshed = (await readTaskClaim(stackB, adopted)) as TaskClaimState;
      expect(refreshed).toMatchObject({ adopted: true, heldSince: made.heldSince });
      await deleteTaskClaim(stackB, refreshed);
      expect((await holding()).holder).toBe(username());
      await deleteTaskClaim(stackA, made);
      expect((await holding()).holder).toBeUndefined();
    });

    test("releaseOnDestroy: false: not released, nothing sent", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskClaim(ctx, claimInputs({ releaseOnDestroy: false }));
      await clearRequests(emulator());
      await deleteTaskClaim(ctx, created);
      expect(await requests()).toEqual([]);
      expect((await holding()).holder).toBe(username());
    });

    test("a state without its claim time (written before it was kept) learns it at refresh, then keeps it", async () => {
      const ctx = contextAs(emulator(), account);
      const { heldSince: made, adopted: _a, ...older } = await createTaskClaim(ctx, claimInputs());
      const settled = (await readTaskClaim(ctx, older)) as TaskClaimState;
      expect(settled.heldSince).toBe(made);
      await releasedByAdmin();
      await tick();
      await clientAs(emulator(), account).claimTask(taskId);
      // The claim time learnt is the resource's: a new claim is not, and is left alone.
      const later = (await readTaskClaim(ctx, settled)) as TaskClaimState;
      expect(later.heldSince).toBe(made);
      await clearRequests(emulator());
      await deleteTaskClaim(ctx, later);
      expect(await writes()).toEqual([]);
    });
  });

  describe.each(ACCOUNTS)("a TaskAssignment made as %s releases only its own claim", (account) => {
    test("a person took the task: not released, nothing sent", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskAssignment(ctx, assignInputs());
      await takenBy("bob");
      const taken = await holding();
      await clearRequests(emulator());
      await deleteTaskAssignment(ctx, created);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test("a state without its claim time: a person's claim is still not released", async () => {
      const ctx = contextAs(emulator(), account);
      const { heldSince: _h, adopted: _a, ...older } = await createTaskAssignment(ctx, assignInputs());
      await takenBy("bob");
      const taken = await holding();
      await clearRequests(emulator());
      await deleteTaskAssignment(ctx, older);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test("the assignee let go and claimed it again (a new claim time): not released", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskAssignment(ctx, assignInputs());
      await clientAs(emulator(), "alice").releaseTask(taskId);
      await tick();
      const again = await clientAs(emulator(), "alice").claimTask(taskId);
      await clearRequests(emulator());
      await deleteTaskAssignment(ctx, created);
      expect(await writes()).toEqual([]);
      expect(await holding()).toEqual({ holder: "alice", since: again.claimTime });
    });

    test("an adopted assignment is recorded without a write and never released", async () => {
      const before = await clientAs(emulator(), "alice").claimTask(taskId);
      const ctx = contextAs(emulator(), account);
      await clearRequests(emulator());
      const adopted = await createTaskAssignment(ctx, assignInputs({ adopt: true }));
      expect(adopted).toMatchObject({ assignee: "alice", adopted: true, heldSince: before.claimTime });
      expect(await writes()).toEqual([]);
      await clearRequests(emulator());
      await deleteTaskAssignment(ctx, adopted);
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual({ holder: "alice", since: before.claimTime });
    });

    test("releaseOnDestroy: false: not released, nothing sent", async () => {
      const ctx = contextAs(emulator(), account);
      const created = await createTaskAssignment(ctx, assignInputs({ releaseOnDestroy: false }));
      await clearRequests(emulator());
      await deleteTaskAssignment(ctx, created);
      expect(await requests()).toEqual([]);
      expect((await holding()).holder).toBe("alice");
    });
  });

  test("a TaskAssignment made by an administrator releases the assignment it made", async () => {
    const ctx = contextAs(emulator(), "admin");
    const created = await createTaskAssignment(ctx, assignInputs());
    expect(created).toMatchObject({ heldSince: created.claimTime, adopted: false });
    await clearRequests(emulator());
    await deleteTaskAssignment(ctx, created);
    expect(await writes()).toEqual([`POST /operations-manager/tasks/${taskId}/release`]);
    expect((await holding()).holder).toBeUndefined();
  });

  test("TaskAssignment create refuses a task the assignee already holds, naming the fixes; nothing is sent", async () => {
    const before = await clientAs(emulator(), "alice").claimTask(taskId);
    await clearRequests(emulator());
    const attempt = createTaskAssignment(contextAs(emulator(), "admin"), assignInputs());
    await expect(attempt).rejects.toThrow(
      `is already held by alice since ${before.claimTime}, by a claim this resource did not make`,
    );
    await expect(attempt).rejects.toThrow(/adopt: true/);
    expect(await writes()).toEqual([]);
    expect(await holding()).toEqual({ holder: "alice", since: before.claimTime });
  });

  test("create of a task that does not exist fails naming the platform, sending nothing", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(
      createTaskClaim(contextAs(emulator(), "pipeline"), { ...claimInputs(), taskId: missing }),
    ).rejects.toThrow(`TaskClaim: task ${missing} does not exist on ${emulator().url}`);
    await expect(
      createTaskAssignment(contextAs(emulator(), "admin"), { ...assignInputs(), taskId: missing }),
    ).rejects.toThrow(`TaskAssignment: task ${missing} does not exist on ${emulator().url}`);
    expect(await writes()).toEqual([]);
  });

  describe("TaskClaim onDrift, after a person took the task", () => {
    async function drifted(onDrift: TaskClaimInputs["onDrift"]) {
      const ctx = contextAs(emulator(), "pipeline");
      const created = await createTaskClaim(ctx, claimInputs({ onDrift }));
      await takenBy("alice");
      const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
      expect(refreshed).toMatchObject({ owner: "alice", heldSince: created.heldSince });
      const taken = await holding();
      await clearRequests(emulator());
      return { ctx, created, refreshed, taken };
    }

    test('"reclaim": diff says up claims it again; up takes it back with takeOver', async () => {
      const { ctx, refreshed } = await drifted("reclaim");
      expect(diffTaskClaim(refreshed, claimInputs()).reasons).toEqual([
        expect.stringMatching(/held by alice since .*; up will claim it again for svc-pipeline \(onDrift "reclaim"\)$/),
      ]);
      const updated = await updateTaskClaim(ctx, refreshed, claimInputs({ takeOver: true }));
      expect(updated).toMatchObject({ owner: "svc-pipeline", heldSince: updated.claimTime, adopted: false });
      expect(updated.heldSince).not.toBe(refreshed.heldSince);
      expect((await holding()).holder).toBe("svc-pipeline");
    });

    test('"ignore": no change in diff; up sends nothing and records the holder', async () => {
      const { ctx, refreshed, taken } = await drifted("ignore");
      expect(diffTaskClaim(refreshed, claimInputs({ onDrift: "ignore" }))).toEqual({
        changes: false,
        replaces: [],
        deleteBeforeReplace: true,
        reasons: [],
      });
      // Even with takeOver newly set: ignore leaves the task where it is.
      const updated = await updateTaskClaim(ctx, refreshed, claimInputs({ onDrift: "ignore", takeOver: true }));
      expect(updated).toMatchObject({ owner: "alice", takeOver: true, onDrift: "ignore" });
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test('"fail": diff says up fails; up fails naming the holder and sends nothing', async () => {
      const { ctx, refreshed, taken } = await drifted("fail");
      expect(diffTaskClaim(refreshed, claimInputs({ onDrift: "fail" }))).toMatchObject({
        changes: true,
        reasons: [expect.stringContaining('up will fail, naming the holder (onDrift "fail")')],
      });
      await expect(updateTaskClaim(ctx, refreshed, claimInputs({ onDrift: "fail", takeOver: true }))).rejects.toThrow(
        new RegExp(
          `refresh found task ${taskId} \\("Approve change"\\) held by alice since .*onDrift is "fail", so nothing was sent`,
        ),
      );
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test('"reclaim" after another stack claimed it again for this account: refused like a create unless adopt', async () => {
      const ctx = contextAs(emulator(), "pipeline");
      const created = await createTaskClaim(ctx, claimInputs());
      await releasedByAdmin();
      await tick();
      const other = await clientAs(emulator(), "pipeline").claimTask(taskId);
      const refreshed = (await readTaskClaim(ctx, created)) as TaskClaimState;
      expect(diffTaskClaim(refreshed, claimInputs()).reasons).toEqual([
        expect.stringContaining("held by svc-pipeline since"),
      ]);
      await clearRequests(emulator());
      await expect(updateTaskClaim(ctx, refreshed, claimInputs())).rejects.toThrow(/is already held by svc-pipeline/);
      expect(await writes()).toEqual([]);
      const adopted = await updateTaskClaim(ctx, refreshed, claimInputs({ adopt: true }));
      expect(adopted).toMatchObject({ adopted: true, heldSince: other.claimTime });
      expect(await writes()).toEqual([]);
      await deleteTaskClaim(ctx, adopted);
      expect(await holding()).toEqual({ holder: "svc-pipeline", since: other.claimTime });
    });
  });

  describe("TaskAssignment onDrift, after a person took the task from the assignee", () => {
    async function drifted(onDrift: TaskAssignmentInputs["onDrift"]) {
      const ctx = contextAs(emulator(), "admin");
      const created = await createTaskAssignment(ctx, assignInputs({ onDrift }));
      await takenBy("bob");
      const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
      expect(refreshed).toMatchObject({ owner: "bob", assignee: "alice", heldSince: created.heldSince });
      const taken = await holding();
      await clearRequests(emulator());
      return { ctx, refreshed, taken };
    }

    test('"reclaim": diff says up assigns it again; up does', async () => {
      const { ctx, refreshed } = await drifted("reclaim");
      expect(diffTaskAssignment(refreshed, assignInputs()).reasons).toEqual([
        expect.stringMatching(/held by bob since .*; up will claim it again for alice \(onDrift "reclaim"\)$/),
      ]);
      const updated = await updateTaskAssignment(ctx, refreshed, assignInputs());
      expect(updated).toMatchObject({ owner: "alice", heldSince: updated.claimTime, adopted: false });
      expect(await writes()).toEqual([`POST /operations-manager/tasks/${taskId}/assign`]);
      expect((await holding()).holder).toBe("alice");
    });

    test('"ignore": no change in diff; up sends nothing', async () => {
      const { ctx, refreshed, taken } = await drifted("ignore");
      expect(diffTaskAssignment(refreshed, assignInputs({ onDrift: "ignore" }))).toEqual({
        changes: false,
        replaces: [],
        deleteBeforeReplace: true,
        reasons: [],
      });
      const updated = await updateTaskAssignment(ctx, refreshed, assignInputs({ onDrift: "ignore" }));
      expect(updated).toMatchObject({ owner: "bob", assignee: "alice" });
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test('"fail": up fails naming the holder and sends nothing', async () => {
      const { ctx, refreshed, taken } = await drifted("fail");
      expect(diffTaskAssignment(refreshed, assignInputs({ onDrift: "fail" }))).toMatchObject({
        changes: true,
        reasons: [expect.stringContaining('up will fail, naming the holder (onDrift "fail")')],
      });
      await expect(updateTaskAssignment(ctx, refreshed, assignInputs({ onDrift: "fail" }))).rejects.toThrow(
        /TaskAssignment: refresh found task .* held by bob since .*onDrift is "fail", so nothing was sent/,
      );
      expect(await requests()).toEqual([]);
      expect(await holding()).toEqual(taken);
    });

    test('a new assignee is not drift: onDrift "fail" still assigns the task to the person the inputs now name', async () => {
      const ctx = contextAs(emulator(), "admin");
      const created = await createTaskAssignment(ctx, assignInputs({ onDrift: "fail" }));
      await releasedByAdmin();
      const refreshed = (await readTaskAssignment(ctx, created)) as TaskAssignmentState;
      const updated = await updateTaskAssignment(ctx, refreshed, assignInputs({ user: "bob", onDrift: "fail" }));
      expect(updated).toMatchObject({ assignee: "bob", owner: "bob", heldSince: updated.claimTime });
    });
  });
});
