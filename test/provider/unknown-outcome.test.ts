// Writes whose outcome is unknown, and answers that only look like "gone": the claim or assign may
// have happened while neither its answer nor a follow-up read could be had. State must then record
// a possible claim (never forget one IAP may hold), and the next refresh, update or delete settles
// it. Against an emulator process whose faults hide the answers.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { configure, taskClaim } from "../../provider/dynamic/host";
import { OutcomeUnknownError } from "../../provider/lifecycle/outcome";
import {
  createTaskAssignment,
  deleteTaskAssignment,
  readTaskAssignment,
  type TaskAssignmentState,
  updateTaskAssignment,
} from "../../provider/lifecycle/task-assignment";
import {
  createTaskClaim,
  deleteTaskClaim,
  readTaskClaim,
  type StoredTaskClaim,
  updateTaskClaim,
} from "../../provider/lifecycle/task-claim";
import { readTask } from "../../provider/lifecycle/task-facts";
import { OperationsManagerClient } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, contextAs, requestsSince } from "./fixture";

const emulator = useEmulatorProcess();
let taskId: string;
const inputs = () => ({ taskId, takeOver: false, releaseOnDestroy: true, adopt: false, onDrift: "reclaim" as const });
const assignment = () => ({ taskId, user: "alice", releaseOnDestroy: true, adopt: false, onDrift: "reclaim" as const });
const holder = async () =>
  (await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;

/** Every task route answers nothing after doing its work: the claim lands, nobody learns it. */
const loseEveryAnswer = () => emulator().addFault({ kind: "reset", when: "after", path: "/operations-manager/**" });
const clearFaults = () => emulator().control("DELETE", "/faults");

/**
 * A context as `who` whose every answer is lost from the write on: the task is read first (a
 * refusal sends nothing), so the answers are lost only once the claim or assign is sent.
 */
function losingAnswersFromTheWrite(who: "pipeline" | "admin") {
  const ctx = contextAs(emulator(), who);
  const client = ctx.client;
  for (const method of ["claimTask", "assignTask"] as const) {
    const send = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
      await loseEveryAnswer();
      return send(...args);
    };
  }
  return ctx;
}

beforeEach(async () => {
  taskId = (await approvalTask(emulator())).id;
  await clearRequests(emulator());
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

test("a claim applied whose answer and follow-up reads are lost records a possible claim", async () => {
  const pipelineId = (await clientAs(emulator(), "pipeline").whoami()).id;
  const error = await failure(createTaskClaim(losingAnswersFromTheWrite("pipeline"), inputs()));
  expect(error).toBeInstanceOf(OutcomeUnknownError);
  const unknown = error as OutcomeUnknownError<StoredTaskClaim>;
  expect(unknown.message).toMatch(
    new RegExp(`^TaskClaim: the claim of task ${taskId} may or may not have been made \\(.+\\)\\. State records it`),
  );
  // Where, the inputs and whom the claim is for: owner, status and claim time are not known.
  expect(unknown.recorded).toEqual({
    ...inputs(),
    platformUrl: emulator().url,
    claimant: "svc-pipeline",
    claimantId: pipelineId,
  });
  await clearFaults();
  expect(await holder()).toBe("svc-pipeline");
});

test("a refused claim records nothing: someone else holds the task", async () => {
  await clientAs(emulator(), "alice").claimTask(taskId);
  const error = await failure(createTaskClaim(contextAs(emulator(), "pipeline"), inputs()));
  expect(error).not.toBeInstanceOf(OutcomeUnknownError);
  expect(String(error)).toMatch(/is claimed by alice since .*\(nothing was sent\)/);
});

test("refresh settles a possible claim: ours, with its claimant learnt from IAP", async () => {
  await clientAs(emulator(), "pipeline").claimTask(taskId);
  const settled = await readTaskClaim(contextAs(emulator(), "pipeline"), inputs());
  expect(settled).toMatchObject({ owner: "svc-pipeline", claimant: "svc-pipeline", status: "running" });
  expect(settled?.claimantId).toBe(settled?.ownerId);
  // The claim IAP shows is the one this resource possibly made: its claim time is learnt.
  expect(settled).toMatchObject({ heldSince: settled?.claimTime, adopted: false });
});

test("update of a possible claim IAP holds adopts it without claiming again", async () => {
  await clientAs(emulator(), "pipeline").claimTask(taskId);
  await clearRequests(emulator());
  const updated = await updateTaskClaim(contextAs(emulator(), "pipeline"), inputs(), inputs());
  expect(updated).toMatchObject({ owner: "svc-pipeline", claimant: "svc-pipeline" });
  expect((await requestsSince(emulator())).filter((r) => r.startsWith("POST"))).toEqual([]);
});

test("update of a possible claim that did not happen claims the task", async () => {
  const updated = await updateTaskClaim(contextAs(emulator(), "pipeline"), inputs(), inputs());
  expect(updated.owner).toBe("svc-pipeline");
  expect(await holder()).toBe("svc-pipeline");
});

test('a possible claim is settled whatever onDrift says: "ignore" and "fail" still claim a task it did not get', async () => {
  for (const onDrift of ["ignore", "fail"] as const) {
    await emulator().reset();
    taskId = (await approvalTask(emulator())).id;
    const updated = await updateTaskClaim(
      contextAs(emulator(), "pipeline"),
      { ...inputs(), onDrift },
      {
        ...inputs(),
        onDrift,
      },
    );
    expect(updated).toMatchObject({ owner: "svc-pipeline", onDrift, heldSince: updated.claimTime });
    expect(await holder()).toBe("svc-pipeline");
  }
});

test("update of a possible claim on a task approved meanwhile records it finished and claims nothing", async () => {
  const pipeline = clientAs(emulator(), "pipeline");
  const task = await pipeline.claimTask(taskId);
  await pipeline.finishManualTask(task.job?.id as string, task.job?.taskKey as string, { finishState: "success" });
  await clearRequests(emulator());
  const updated = await updateTaskClaim(contextAs(emulator(), "pipeline"), inputs(), inputs());
  expect(updated.status).toBe("complete");
  expect((await requestsSince(emulator())).filter((r) => r.startsWith("POST"))).toEqual([]);
});

test("delete of a possible claim releases it when IAP holds it, and is done when it does not", async () => {
  await clientAs(emulator(), "pipeline").claimTask(taskId);
  await deleteTaskClaim(contextAs(emulator(), "pipeline"), inputs());
  expect(await holder()).toBeUndefined();
  await expect(deleteTaskClaim(contextAs(emulator(), "pipeline"), inputs())).resolves.toBeUndefined();
});

test("an update whose claim's outcome is unknown records a possible claim, keeping its claimant", async () => {
  const ctx = contextAs(emulator(), "pipeline");
  const created = await createTaskClaim(ctx, inputs());
  await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
  const drifted = (await readTaskClaim(ctx, created)) as StoredTaskClaim;
  const error = await failure(
    updateTaskClaim(losingAnswersFromTheWrite("pipeline"), drifted, { ...inputs(), takeOver: true }),
  );
  expect(error).toBeInstanceOf(OutcomeUnknownError);
  expect((error as OutcomeUnknownError).recorded).toEqual({
    ...inputs(),
    takeOver: true,
    platformUrl: emulator().url,
    claimant: "svc-pipeline",
    claimantId: created.claimantId,
  });
  await clearFaults();
  expect(await holder()).toBe("svc-pipeline");
});

test("an assign whose outcome is unknown records a possible assignment; update settles it", async () => {
  const ctx = contextAs(emulator(), "admin");
  const error = await failure(createTaskAssignment(losingAnswersFromTheWrite("admin"), assignment()));
  expect(error).toBeInstanceOf(OutcomeUnknownError);
  const recorded = (error as OutcomeUnknownError<TaskAssignmentState>).recorded as TaskAssignmentState;
  expect(recorded).toEqual({
    ...assignment(),
    platformUrl: emulator().url,
    assignee: "alice",
    assigneeId: expect.stringMatching(/^[0-9a-f]{24}$/),
  });
  await clearFaults();
  expect(await holder()).toBe("alice");
  await clearRequests(emulator());
  const settled = await updateTaskAssignment(ctx, recorded, assignment());
  expect(settled).toMatchObject({ owner: "alice", status: "running", heldSince: settled.claimTime, adopted: false });
  expect((await requestsSince(emulator())).filter((r) => r.startsWith("POST"))).toEqual([]);
  expect(await readTaskAssignment(ctx, recorded)).toMatchObject({ owner: "alice" });
  await deleteTaskAssignment(ctx, recorded);
  expect(await holder()).toBeUndefined();
});

describe("a 404 is not taken for a gone task", () => {
  test("read fails rather than dropping a task IAP still has; a task really gone still reads as gone", async () => {
    const ctx = contextAs(emulator(), "pipeline");
    const created = await createTaskClaim(ctx, inputs());
    await emulator().addFault({ kind: "status", status: 404, path: "/operations-manager/**" });
    await expect(readTaskClaim(ctx, created)).rejects.toThrow(/404/);
    await expect(deleteTaskClaim(ctx, created)).rejects.toThrow(/404/);
    await clearFaults();
    expect(await holder()).toBe("svc-pipeline");
    // Only the task's own route answers 404, IAP's search answers: gone is believed when it finds nothing.
    await emulator().addFault({ kind: "status", status: 404, path: `/operations-manager/tasks/${taskId}` });
    await expect(readTask(ctx, taskId)).rejects.toThrow(/404/);
    await emulator().reset();
    expect(await readTaskClaim(ctx, created)).toBeUndefined();
  });
});

describe("the dynamic provider", () => {
  afterEach(() => jest.restoreAllMocks());
  beforeEach(() =>
    configure({
      get: (key) =>
        ({
          "itential:baseUrl": emulator().url,
          "itential:username": C.pipeline.username,
          "itential:password": C.pipeline.password,
          "itential:timeoutMs": "1000",
          "itential:maxRetries": "1",
          "itential:retryDelayMs": "10",
        })[key],
    }),
  );

  test("create reports a possibly created resource: id, properties with __provider, and reasons", async () => {
    // The provider's own client reads the task first; its answers are lost from the claim on.
    const claim = OperationsManagerClient.prototype.claimTask;
    jest.spyOn(OperationsManagerClient.prototype, "claimTask").mockImplementation(async function (
      this: OperationsManagerClient,
      ...args
    ) {
      await loseEveryAnswer();
      return claim.apply(this, args);
    });
    const pipelineId = (await clientAs(emulator(), "pipeline").whoami()).id;
    const provider = "exports.handler = () => require('pulumi-itential/dist/provider/dynamic/task-claim-provider');";
    const error = (await failure(taskClaim.create({ ...inputs(), __provider: provider } as never))) as Error & {
      id?: string;
      properties?: Record<string, unknown>;
      reasons?: string[];
    };
    expect(error.id).toBe(taskId);
    expect(error.properties).toEqual({
      ...inputs(),
      platformUrl: emulator().url,
      claimant: "svc-pipeline",
      claimantId: pipelineId,
      __provider: provider,
    });
    expect(error.reasons).toEqual([error.message]);
    expect(error.message).toMatch(/may or may not have been made .* State records it as possibly made/);
    expect(JSON.stringify(error.properties)).not.toContain(C.pipeline.password);
  });

  test("a refused create is a plain error, which leaves nothing in state", async () => {
    await clientAs(emulator(), "alice").claimTask(taskId);
    const error = (await failure(taskClaim.create(inputs()))) as Error & { id?: string };
    expect(error.id).toBeUndefined();
    expect(error.message).toMatch(/is claimed by alice/);
  });
});
