// The dynamic-provider adapter: configuration, one client per process, what reaches state, the
// engine's "gone" signal, and the deadline on every operation. Against an emulator process.
import fc from "fast-check";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { configure, taskAssignment, taskClaim } from "../../provider/dynamic/host";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, requestsSince } from "./fixture";
import { resourceInputs } from "./input-shapes";

const TASK = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

const emulator = useEmulatorProcess();
let taskId: string;

const configureWith = (values: Record<string, string>) => configure({ get: (key) => values[key] });
const pipelineConfig = () => ({
  "itential:baseUrl": emulator().url,
  "itential:username": C.pipeline.username,
  "itential:password": C.pipeline.password,
});

beforeEach(async () => {
  taskId = (await approvalTask(emulator())).id;
  await clearRequests(emulator());
});

test("an unconfigured provider fails check, at preview, with what to set", async () => {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("ITENTIAL_")) delete process.env[key];
  try {
    configureWith({});
    await expect(taskClaim.check({}, { taskId })).rejects.toThrow(/itential:username \(or ITENTIAL_USERNAME\)/);
    // Credentials but no URL: a resource without its own baseUrl fails check, naming the property.
    configureWith({ "itential:token": "t" });
    const checked = await taskClaim.check({}, { taskId });
    expect(checked.failures).toEqual([
      { property: "baseUrl", reason: expect.stringMatching(/set itential:baseUrl \(or ITENTIAL_BASE_URL\)/) },
    ]);
    await expect(taskClaim.check({}, { taskId, baseUrl: "https://iap.example.com" })).resolves.toMatchObject({
      failures: [],
    });
  } finally {
    process.env = saved;
  }
});

test("create answers the task id and only defined outputs; one login serves the whole process", async () => {
  configureWith(pipelineConfig());
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true });
  expect(created.id).toBe(taskId);
  expect(Object.values(created.outs).every((v) => v !== undefined)).toBe(true);
  expect(created.outs).toMatchObject({ owner: "svc-pipeline", claimant: "svc-pipeline" });
  expect(JSON.stringify(created)).not.toContain(C.pipeline.password);

  const read = await taskClaim.read(taskId, created.outs);
  expect(read).toEqual({ id: taskId, props: created.outs });
  await taskClaim.delete(taskId, created.outs);
  expect(await requestsSince(emulator())).toEqual([
    "POST /login",
    `POST /operations-manager/tasks/${taskId}/claim`,
    `GET /operations-manager/tasks/${taskId}`,
    `GET /operations-manager/tasks/${taskId}`,
    `POST /operations-manager/tasks/${taskId}/release`,
  ]);
});

test("a task that is gone answers the empty id that drops it from state", async () => {
  configureWith(pipelineConfig());
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true });
  await emulator().reset();
  expect(await taskClaim.read(taskId, created.outs)).toEqual({ id: "", props: {} });
});

test("every operation is bounded: a platform that stops answering fails it after operationTimeoutMs", async () => {
  configureWith({ ...pipelineConfig(), "itential:operationTimeoutMs": "400", "itential:timeoutMs": "20000" });
  await emulator().addFault({ kind: "latency", delayMs: 5000, path: "/operations-manager/tasks/*/claim" });
  const started = Date.now();
  await expect(taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true })).rejects.toThrow(
    /TaskClaim create gave up after 400 ms \(itential:operationTimeoutMs\)/,
  );
  expect(Date.now() - started).toBeLessThan(3000);
});

test("the deadline also bounds the whoami a takeOver needs", async () => {
  configureWith({ ...pipelineConfig(), "itential:operationTimeoutMs": "500", "itential:timeoutMs": "20000" });
  await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/claim`);
  await emulator().addFault({ kind: "latency", delayMs: 5000, path: "/whoami" });
  const started = Date.now();
  await expect(taskClaim.create({ taskId, takeOver: true, releaseOnDestroy: true })).rejects.toThrow(
    /TaskClaim create gave up after 500 ms/,
  );
  expect(Date.now() - started).toBeLessThan(3000);
  // The whoami is the client's, shared by every caller, so the operation gave up on it without
  // ending it: wait until it is answered, or it lands in a later test's request log (and after
  // that test's reset, its 401 brings a login too).
  while (!(await requestsSince(emulator())).includes("GET /whoami")) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

test("state records the platform; refresh and destroy go back there, not to today's itential:baseUrl", async () => {
  configureWith(pipelineConfig());
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true });
  expect(created.outs.platformUrl).toBe(emulator().url);
  // The stack's URL now names another platform: diff asks to move the claim; refresh and delete of
  // the stored resource still reach the platform that holds it.
  configureWith({ ...pipelineConfig(), "itential:baseUrl": "http://127.0.0.1:9" });
  expect(
    (await taskClaim.diff(taskId, created.outs, { taskId, takeOver: false, releaseOnDestroy: true })).replaces,
  ).toEqual(["baseUrl"]);
  expect((await taskClaim.read(taskId, created.outs)).id).toBe(taskId);
  await taskClaim.delete(taskId, created.outs);
  expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeUndefined();
});

test("a resource's baseUrl gets its own client; a URL with credentials never does", async () => {
  configureWith({ ...pipelineConfig(), "itential:baseUrl": "http://127.0.0.1:9" });
  const created = await taskClaim.create({
    taskId,
    takeOver: false,
    releaseOnDestroy: true,
    baseUrl: emulator().url,
  });
  expect(created.outs.baseUrl).toBe(emulator().url);
  const checked = await taskClaim.check({}, { taskId, baseUrl: "http://svc:pw@127.0.0.1:9" });
  expect(checked.failures.map((f) => f.property)).toEqual(["baseUrl"]);
});

test("nothing invalid reaches the network: check refuses it, and create and update refuse it again unsent", async () => {
  configureWith(pipelineConfig());
  // Some draws aim the resource at this emulator, so a URL the check lets through would be seen here.
  const inputs = resourceInputs.chain((news) =>
    fc.constantFrom(news, { ...news, baseUrl: emulator().url }, { ...news, baseUrl: `${emulator().url}/` }),
  );
  const refused = { claim: 0, assignment: 0 };
  await fc.assert(
    fc.asyncProperty(inputs, async (news) => {
      for (const [kind, resource] of [
        ["claim", taskClaim],
        ["assignment", taskAssignment],
      ] as const) {
        const { failures } = await resource.check({}, news);
        if (failures.length === 0) continue; // valid: what the engine may send on (not exercised here)
        refused[kind]++;
        // The engine would stop here; a create or update reached anyway still sends nothing.
        const create = await resource.create(news as never).catch((e: Error) => e);
        const update = await resource.update(TASK, { taskId: TASK } as never, news as never).catch((e: Error) => e);
        for (const error of [create, update]) {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toContain(failures[0]?.property);
        }
      }
    }),
    { numRuns: 400 },
  );
  expect(refused.claim).toBeGreaterThan(100);
  expect(refused.assignment).toBeGreaterThan(100);
  expect(await requestsSince(emulator())).toEqual([]);
});
