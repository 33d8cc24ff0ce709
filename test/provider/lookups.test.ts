// findTask and getTask (the lifecycle side, without Pulumi) against an emulator process.
import { DEFAULT_WORKFLOW } from "../../emulator";
import { findTask, lookupTask, parseDuration } from "../../provider/lifecycle/lookups";
import { contextFor } from "../../provider/lifecycle/task-facts";
import { type OperationsManagerClient, type Page, type SearchQuery, type Task, ValidationError } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, contextAs, requestsSince } from "./fixture";

const emulator = useEmulatorProcess();

test("findTask finds a job's task by name through the task search", async () => {
  const approval = await approvalTask(emulator());
  await clientAs(emulator(), "alice").claimTask(approval.id);
  await clearRequests(emulator());
  const found = await findTask(contextAs(emulator(), "pipeline"), {
    jobId: approval.job?.id as string,
    name: "Approve change",
  });
  expect(found).toEqual({
    id: approval.id,
    name: "Approve change",
    type: "manual",
    status: "running",
    jobId: approval.job?.id,
    taskKey: "b2",
    owner: "alice",
    ownerId: expect.stringMatching(/^[0-9a-f]{24}$/),
    claimTime: expect.any(String),
  });
  const [search] = await emulator().requests();
  expect(search?.path).toBe("/operations-manager/tasks");
  expect(new URLSearchParams(search?.query).get("equals[job._id]")).toBe(approval.job?.id);
  expect(new URLSearchParams(search?.query).get("equals[name]")).toBe("Approve change");
});

test("several matches are an error naming the candidates", async () => {
  const seeded = await emulator().reset({
    users: [{ username: "svc-pipeline", password: "pipeline-secret" }],
    workflows: [
      {
        name: "Twice",
        tasks: [
          { key: "1", name: "Approve" },
          { key: "2", name: "Approve", after: ["1"] },
        ],
      },
    ],
    jobs: [{ workflow: "Twice" }],
  });
  const jobId = seeded.jobs[0] as string;
  const attempt = findTask(contextAs(emulator(), "pipeline"), { jobId, name: "Approve" });
  await expect(attempt).rejects.toThrow(
    /2 tasks match a task named "Approve" in job [0-9a-f]{24}: [0-9a-f-]{36} \((running|incomplete)\), /,
  );
  const narrowed = await findTask(contextAs(emulator(), "pipeline"), { jobId, name: "Approve", status: "running" });
  expect(narrowed.taskKey).toBe("1");
});

describe("an answer that does not match the search (a platform that ignored the filters)", () => {
  const JOB = "65a0000000000000000000aa";
  const task = (over: Partial<Task>): Task =>
    ({
      id: "0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30",
      name: "Approve change",
      type: "manual",
      status: "running",
      job: { id: JOB, taskKey: "b2" },
      ...over,
    }) as Task;
  /** A context whose task search answers `items`, whatever it was asked. */
  function answering(items: Task[]) {
    const searches: SearchQuery[] = [];
    const client = {
      async listTasks(query: SearchQuery): Promise<Page<Task>> {
        searches.push(query);
        return { items, total: items.length } as Page<Task>;
      },
    } as unknown as OperationsManagerClient;
    return { ctx: contextFor(client, "https://iap.example.com"), searches };
  }

  test.each([
    ["a task of another job", { job: { id: "65a0000000000000000000bb", taskKey: "b2" } }],
    ["a task of another name", { name: "Security review" }],
    ["a task of another type", { type: "automatic" }],
    ["a task of another status", { status: "complete" }],
  ] as const)("one answer, %s: refused, no task chosen", async (_what, stray) => {
    const { ctx, searches } = answering([task(stray as Partial<Task>)]);
    await expect(
      findTask(ctx, { jobId: JOB, name: "Approve change", type: "manual", status: "running" }),
    ).rejects.toThrow(
      /^findTask: IAP answered tasks that do not match the search for a task named "Approve change" .*no task is chosen/,
    );
    expect(searches).toHaveLength(1);
  });

  test("a stray among matches is refused too, rather than counted", async () => {
    const { ctx } = answering([
      task({}),
      task({ id: "1e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30", job: { id: "65a0000000000000000000bb" } }),
    ]);
    await expect(findTask(ctx, { jobId: JOB, name: "Approve change" })).rejects.toThrow(
      "(e.g. 1e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30)",
    );
  });

  test("the matching answer is taken", async () => {
    const { ctx } = answering([task({})]);
    expect(await findTask(ctx, { jobId: JOB, name: "Approve change" })).toMatchObject({ jobId: JOB, taskKey: "b2" });
  });
});

test("no match is an error; with waitFor, once the time is up", async () => {
  const ctx = contextAs(emulator(), "pipeline");
  const jobId = "65a0000000000000000000aa";
  await expect(findTask(ctx, { jobId, name: "Approve change" })).rejects.toThrow(
    `findTask: no task named "Approve change" in job ${jobId}; pass waitFor`,
  );
  await clearRequests(emulator());
  const started = Date.now();
  await expect(findTask(ctx, { jobId, name: "Approve change", waitFor: "300ms" })).rejects.toThrow(
    `findTask: no task named "Approve change" in job ${jobId} appeared within 300ms`,
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  // One search, a wait of the 300 ms left, one more search.
  expect(await requestsSince(emulator())).toEqual(["GET /operations-manager/tasks", "GET /operations-manager/tasks"]);
});

test("waitFor keeps searching while the task is not there yet", async () => {
  const ctx = contextAs(emulator(), "pipeline");
  const job = await clientAs(emulator(), "pipeline").startJob(DEFAULT_WORKFLOW);
  const key = "d4"; // "Confirm maintenance window" runs only after b2 and c3 complete
  const admin = clientAs(emulator(), "admin");
  let polls = 0;
  const found = await findTask(
    ctx,
    { jobId: job.id, name: "Confirm maintenance window", status: "running", waitFor: "30s" },
    async () => {
      polls++;
      if (polls === 2) {
        // A person approves both gates meanwhile; the next search finds the task running.
        for (const name of ["Approve change", "Security review"]) {
          const gate = (await admin.listTasks({ filters: { equals: { "job._id": job.id, name } } })).items[0];
          await admin.claimTask(gate?.id as string);
          await admin.finishManualTask(job.id, gate?.job?.taskKey as string, { finishState: "success" });
        }
      }
    },
  );
  expect(found).toMatchObject({ taskKey: key, status: "running" });
  expect(polls).toBe(2);
});

test("getTask reads one task; an unknown id is an error naming it", async () => {
  const approval = await approvalTask(emulator());
  const ctx = contextAs(emulator(), "pipeline");
  expect(await lookupTask(ctx, approval.id)).toMatchObject({ id: approval.id, name: "Approve change" });
  await expect(lookupTask(ctx, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(
    "getTask: task 00000000-0000-4000-8000-000000000000 does not exist",
  );
});

test("bad arguments fail before anything is sent", async () => {
  const ctx = contextAs(emulator(), "pipeline");
  await clearRequests(emulator());
  await expect(findTask(ctx, { jobId: "nope", name: "x" })).rejects.toThrow(ValidationError);
  await expect(findTask(ctx, { jobId: "65a0000000000000000000aa", name: "" })).rejects.toThrow(ValidationError);
  await expect(findTask(ctx, { jobId: "65a0000000000000000000aa", name: "x", waitFor: "soon" })).rejects.toThrow(
    /waitFor must be a duration/,
  );
  expect(await requestsSince(emulator())).toEqual([]);
});

test("durations", () => {
  expect(parseDuration("90s")).toBe(90_000);
  expect(parseDuration("5m")).toBe(300_000);
  expect(parseDuration("1h")).toBe(3_600_000);
  expect(parseDuration("250ms")).toBe(250);
  expect(parseDuration("1.5s")).toBe(1500);
  expect(parseDuration(42)).toBe(42);
  for (const bad of ["", "5 minutes", "-1s", "1d", Number.NaN, -5])
    expect(() => parseDuration(bad)).toThrow(ValidationError);
});
