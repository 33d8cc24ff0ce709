// The dynamic-provider adapter: configuration, one client per process, what reaches state, the
// engine's "gone" signal, and the deadline on every operation. Against an emulator process.
import fc from "fast-check";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { ConfigurationError, type ProviderSettings, resolveSettings } from "../../provider/config";
import { configure, taskAssignment, taskClaim, workItemClaim } from "../../provider/dynamic/host";
import { PlatformClients } from "../../provider/platform-clients";
import { PROVIDER_NAME_KEY } from "../../provider/provider-keys";
import { useEmulatorProcess } from "../support/emulator-process";
import { approvalTask, clearRequests, clientAs, requestsSince } from "./fixture";
import { resourceInputs } from "./input-shapes";

const TASK = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
/** Task ids check has not seen yet: one process refuses a second resource on a task it has seen. */
let fresh = 0;
const freshTask = () => `6f1c2d3e-4a5b-4c6d-8e9f-${(++fresh).toString(16).padStart(12, "0")}`;

/** adopt and onDrift at their defaults, as check fills them in. */
const OWNERSHIP = { adopt: false, onDrift: "reclaim" } as const;
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

/** Runs `work` with no ITENTIAL_* variables in the environment. */
async function withoutItentialEnv<T>(work: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("ITENTIAL_")) delete process.env[key];
  try {
    return await work();
  } finally {
    process.env = saved;
  }
}

test("an unconfigured provider fails check, at preview, with one failure naming what to set (no throw)", async () => {
  await withoutItentialEnv(async () => {
    configureWith({});
    for (const [resource, news] of [
      [taskClaim, { taskId: freshTask() }],
      [taskAssignment, { taskId: freshTask(), user: "alice" }],
    ] as const) {
      const checked = await resource.check({}, news);
      expect(checked.failures).toEqual([{ property: "", reason: expect.any(String) }]);
      const reason = checked.failures[0]?.reason as string;
      for (const key of ["clientId", "clientSecret", "token", "username", "password"]) {
        expect(reason).toContain(`itential:${key} (or ITENTIAL_`);
      }
      // The inputs are still checked, and their failures come with it.
      expect((await resource.check({}, { ...news, taskId: "nope" })).failures.map((f) => f.property)).toEqual([
        "taskId",
        "",
      ]);
    }
    // Credentials but no URL: one failure naming the setting; a resource's own baseUrl does not stand in.
    configureWith({ "itential:token": "t" });
    expect((await taskClaim.check({}, { taskId: freshTask() })).failures).toEqual([
      { property: "", reason: expect.stringMatching(/set itential:baseUrl \(or ITENTIAL_BASE_URL\)/) },
    ]);
    expect((await taskClaim.check({}, { taskId: freshTask(), baseUrl: "https://iap.example.com" })).failures).toEqual([
      { property: "baseUrl", reason: expect.stringMatching(/set itential:baseUrl \(or ITENTIAL_BASE_URL\)/) },
    ]);
    // An invalid setting: one failure too, naming the key; create fails with it, sending nothing.
    configureWith({ ...pipelineConfig(), "itential:timeoutMs": "soon" });
    const bad = await taskClaim.check({}, { taskId });
    expect(bad.failures).toEqual([{ property: "", reason: expect.stringContaining("itential:timeoutMs") }]);
    await expect(
      taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP }),
    ).rejects.toBeInstanceOf(ConfigurationError);
    expect(await requestsSince(emulator())).toEqual([]);
  });
});

test("check refuses a resource baseUrl on another platform, naming what to configure; one spelled differently passes", async () => {
  configureWith(pipelineConfig());
  const port = Number(new URL(emulator().url).port);
  const elsewhere = `http://127.0.0.1:${port + 1}`;
  const refused = await taskClaim.check({}, { taskId: freshTask(), baseUrl: elsewhere });
  expect(refused.failures).toEqual([{ property: "baseUrl", reason: expect.any(String) }]);
  expect(refused.failures[0]?.reason).toContain(
    `names ${elsewhere}, but the stack config (itential:*) holds credentials for ${emulator().url}`,
  );
  expect(refused.failures[0]?.reason).toContain('new Provider("other", { baseUrl, username, password })');
  const assignment = await taskAssignment.check({}, { taskId: freshTask(), user: "alice", baseUrl: elsewhere });
  expect(assignment.failures.map((f) => f.property)).toEqual(["baseUrl"]);
  const spelled = emulator().url.replace("http://", "HTTP://");
  const same = await taskClaim.check({}, { taskId: freshTask(), baseUrl: `${spelled}/` });
  expect(same).toMatchObject({ failures: [], inputs: { baseUrl: emulator().url } });
  // An explicit provider's refusal names the provider.
  configureWith({ ...pipelineConfig(), [PROVIDER_NAME_KEY]: "staging" });
  const fromProvider = await taskClaim.check({}, { taskId: freshTask(), baseUrl: elsewhere });
  expect(fromProvider.failures[0]?.reason).toMatch(
    /Provider "staging" holds credentials for .*use a provider configured for/,
  );
});

// A baseUrl the input check refused is not also judged as a platform: one that is not a string
// (null, 5) once made check throw a TypeError, and an invalid string got a second failure.
test("check answers an invalid baseUrl with the input's one failure, never a TypeError", async () => {
  configureWith(pipelineConfig());
  expect((await taskClaim.check({}, { taskId: freshTask(), baseUrl: "http://svc:pw@127.0.0.1:9" })).failures).toEqual([
    { property: "baseUrl", reason: expect.stringMatching(/^must not contain credentials/) },
  ]);
  for (const baseUrl of [null, 5, true, ["http://x"], { href: "http://x" }]) {
    const checked = await taskClaim.check({}, { taskId: freshTask(), baseUrl });
    expect(checked.failures).toEqual([{ property: "baseUrl", reason: "must be an http:// or https:// URL" }]);
  }
});

test("check refuses a second resource on a task this process already serves, of either kind", async () => {
  configureWith(pipelineConfig());
  const task = freshTask();
  expect((await taskClaim.check({}, { taskId: task })).failures).toEqual([]);
  const twice = await taskClaim.check({}, { taskId: task.toUpperCase() });
  expect(twice.failures).toEqual([
    {
      property: "taskId",
      reason: expect.stringContaining(`which another TaskClaim of this stack already holds on ${emulator().url}`),
    },
  ]);
  expect((await taskAssignment.check({}, { taskId: task, user: "alice" })).failures.map((f) => f.property)).toEqual([
    "taskId",
  ]);
  // A task id not known yet is not noted (nor refused); another task is fine.
  expect((await taskClaim.check({}, { taskId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).failures).toEqual([]);
  expect((await taskAssignment.check({}, { taskId: freshTask(), user: "alice" })).failures).toEqual([]);
});

test("create answers the task id and only defined outputs; one login serves the whole process", async () => {
  configureWith(pipelineConfig());
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP });
  expect(created.id).toBe(taskId);
  expect(Object.values(created.outs).every((v) => v !== undefined)).toBe(true);
  expect(created.outs).toMatchObject({ owner: "svc-pipeline", claimant: "svc-pipeline" });
  expect(JSON.stringify(created)).not.toContain(C.pipeline.password);

  const read = await taskClaim.read(taskId, created.outs);
  expect(read).toEqual({ id: taskId, props: created.outs });
  await taskClaim.delete(taskId, created.outs);
  expect(await requestsSince(emulator())).toEqual([
    "POST /login",
    "GET /whoami",
    `GET /operations-manager/tasks/${taskId}`,
    `POST /operations-manager/tasks/${taskId}/claim`,
    `GET /operations-manager/tasks/${taskId}`,
    `GET /operations-manager/tasks/${taskId}`,
    `POST /operations-manager/tasks/${taskId}/release`,
  ]);
});

test("a task that is gone answers the empty id that drops it from state", async () => {
  configureWith(pipelineConfig());
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP });
  await emulator().reset();
  expect(await taskClaim.read(taskId, created.outs)).toEqual({ id: "", props: {} });
});

test("every operation is bounded: a platform that stops answering fails it after operationTimeoutMs", async () => {
  configureWith({ ...pipelineConfig(), "itential:operationTimeoutMs": "400", "itential:timeoutMs": "20000" });
  await emulator().addFault({ kind: "latency", delayMs: 5000, path: "/operations-manager/tasks/*/claim" });
  const started = Date.now();
  await expect(taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP })).rejects.toThrow(
    /TaskClaim create gave up after 400 ms \(itential:operationTimeoutMs \(or ITENTIAL_OPERATION_TIMEOUT_MS\)\)/,
  );
  expect(Date.now() - started).toBeLessThan(3000);
});

test("the deadline also bounds the whoami every create starts with", async () => {
  configureWith({ ...pipelineConfig(), "itential:operationTimeoutMs": "500", "itential:timeoutMs": "20000" });
  await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/claim`);
  await emulator().addFault({ kind: "latency", delayMs: 5000, path: "/whoami" });
  const started = Date.now();
  await expect(taskClaim.create({ taskId, takeOver: true, releaseOnDestroy: true, ...OWNERSHIP })).rejects.toThrow(
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

test("state records the platform; a provider moved to another platform replaces, and sends no credentials there", async () => {
  configureWith(pipelineConfig());
  const news = { taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP };
  const created = await taskClaim.create(news);
  expect(created.outs.platformUrl).toBe(emulator().url);
  // The same platform spelled differently is no change.
  configureWith({ ...pipelineConfig(), "itential:baseUrl": `${emulator().url.toUpperCase()}/` });
  expect(await taskClaim.diff(taskId, created.outs, news)).toEqual({
    changes: false,
    replaces: [],
    deleteBeforeReplace: true,
  });
  // The stack's URL now names another platform: diff asks to move the claim. The stored
  // resource's platform is not the provider's any more: refresh and delete refuse, naming it,
  // rather than send these credentials to a platform they are not configured for.
  configureWith({ ...pipelineConfig(), "itential:baseUrl": "http://127.0.0.1:9" });
  expect((await taskClaim.diff(taskId, created.outs, news)).replaces).toEqual(["baseUrl"]);
  await clearRequests(emulator());
  await expect(taskClaim.read(taskId, created.outs)).rejects.toThrow(
    `TaskClaim read (task ${taskId}): baseUrl names ${emulator().url}, but the stack config (itential:*) holds credentials for http://127.0.0.1:9`,
  );
  await expect(taskClaim.delete(taskId, created.outs)).rejects.toThrow(
    /TaskClaim delete \(task [0-9a-f-]+\): baseUrl names/,
  );
  expect(await requestsSince(emulator())).toEqual([]);
  expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeDefined();
  // Back on its platform, destroy releases it.
  configureWith(pipelineConfig());
  await taskClaim.delete(taskId, created.outs);
  expect((await clientAs(emulator(), "admin").getTask(taskId)).owner).toBeUndefined();
});

test("a resource's baseUrl must name the provider's platform: one spelling is recorded, another platform is refused unsent", async () => {
  configureWith(pipelineConfig());
  // What the engine does: check's inputs are what create gets.
  const { inputs, failures } = await taskClaim.check(
    {},
    { taskId, baseUrl: `${emulator().url.replace("http://", "HTTP://")}//` },
  );
  expect(failures).toEqual([]);
  const created = await taskClaim.create(inputs);
  expect(created.outs).toMatchObject({ baseUrl: emulator().url, platformUrl: emulator().url, owner: "svc-pipeline" });
  await clearRequests(emulator());
  const other = await taskAssignment
    .create({ taskId, user: "alice", releaseOnDestroy: true, ...OWNERSHIP, baseUrl: "http://127.0.0.1:9" })
    .catch((e: Error) => e);
  expect((other as Error).message).toMatch(
    /^TaskAssignment create \(task [0-9a-f-]+\): baseUrl names http:\/\/127\.0\.0\.1:9, but/,
  );
  expect(await requestsSince(emulator())).toEqual([]);
  // A URL with credentials is refused, and its password is never echoed (that it is refused once,
  // not twice, is the test above).
  const checked = await taskClaim.check({}, { taskId: freshTask(), baseUrl: "http://svc:pw-1234@127.0.0.1:9" });
  expect(checked.failures[0]).toEqual({
    property: "baseUrl",
    reason: expect.stringMatching(/^must not contain credentials/),
  });
  expect(new Set(checked.failures.map((f) => f.property))).toEqual(new Set(["baseUrl"]));
  expect(JSON.stringify(checked.failures)).not.toContain("pw-1234");
});

describe("PlatformClients", () => {
  /** Settings whose credentials record every read of them. */
  function watched(baseUrl: string): { settings: ProviderSettings; reads: () => number } {
    const resolved = resolveSettings((key) => ({ "itential:baseUrl": baseUrl, "itential:token": "t" })[key], {});
    let reads = 0;
    const client = {
      get auth() {
        reads++;
        return resolved.client.auth;
      },
    };
    return { settings: { ...resolved, client }, reads: () => reads };
  }

  test("refuses a baseUrl on another platform with a ConfigurationError, before credentials are read", () => {
    const { settings, reads } = watched("https://iap.example.com:3443");
    const clients = new PlatformClients();
    for (const foreign of [
      "https://iap.example.com",
      "https://other.example.com:3443",
      "http://iap.example.com:3443",
    ]) {
      let error: unknown;
      try {
        clients.for(settings, foreign);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain(`baseUrl names ${foreign}, but`);
    }
    expect(reads()).toBe(0);
    // The platform itself, however spelled, gets one client, made once.
    const first = clients.for(settings, undefined);
    expect(reads()).toBe(1);
    const again = clients.for(settings, "HTTPS://IAP.EXAMPLE.COM:3443/");
    expect(again.client).toBe(first.client);
    expect(again.url).toBe("https://iap.example.com:3443");
    expect(reads()).toBe(1);
  });

  test("refuses everything when no platform is configured", () => {
    const resolved = resolveSettings((key) => ({ "itential:token": "t" })[key], {});
    expect(() => new PlatformClients().for(resolved, "https://iap.example.com")).toThrow(ConfigurationError);
    expect(() => new PlatformClients().for(resolved, undefined)).toThrow(/set itential:baseUrl/);
  });
});

test("nothing invalid reaches the network: check refuses it, and create and update refuse it again unsent", async () => {
  configureWith(pipelineConfig());
  await clearRequests(emulator());
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
        // Valid inputs on a task this process already serves (the other kind was just checked on
        // it): a refusal of the stack's shape, not of the inputs, which create does not repeat.
        if (failures.every((f) => f.property === "taskId" && f.reason.includes("of this stack already holds")))
          continue;
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

describe("WorkItemClaim through the dynamic host", () => {
  const freshItem = () => `7f1c2d3e-4a5b-4c6d-8e9f-${(++fresh).toString(16).padStart(12, "0")}`;

  test("check: workItemId is its key; a second WorkItemClaim on one item is refused; a task of the same id is another thing", async () => {
    configureWith(pipelineConfig());
    const id = freshItem();
    expect((await workItemClaim.check({}, { workItemId: id })).failures).toEqual([]);
    expect((await workItemClaim.check({}, { workItemId: id.toUpperCase() })).failures).toEqual([
      {
        property: "workItemId",
        reason: expect.stringContaining(
          `names work item ${id.toUpperCase()}, which another WorkItemClaim of this stack`,
        ),
      },
    ]);
    expect((await taskClaim.check({}, { taskId: id })).failures).toEqual([]);
    expect((await workItemClaim.check({}, { taskId: freshItem() })).failures.map((f) => f.property)).toEqual([
      "workItemId",
    ]);
    expect(
      (await workItemClaim.check({}, { workItemId: freshItem(), baseUrl: "https://elsewhere.example" })).failures,
    ).toEqual([{ property: "baseUrl", reason: expect.any(String) }]);
  });

  test("create answers the work item's id; read and delete go to Work Center; a gone item drops from state", async () => {
    configureWith(pipelineConfig());
    const admin = clientAs(emulator(), "admin");
    const { items } = await admin.searchWorkItems({
      filters: [{ field: "triggerType", operator: "equals", value: "agent" }],
    });
    const id = items[0]?.id as string;
    await clearRequests(emulator());
    const created = await workItemClaim.create({
      workItemId: id,
      takeOver: false,
      releaseOnDestroy: true,
      ...OWNERSHIP,
    });
    expect(created.id).toBe(id);
    expect(created.outs).toMatchObject({ workItemId: id, owner: "svc-pipeline", name: "Approve agent remediation" });
    expect(Object.values(created.outs).every((v) => v !== undefined)).toBe(true);
    expect(await workItemClaim.read(id, created.outs)).toEqual({ id, props: created.outs });
    await workItemClaim.delete(id, created.outs);
    const writes = (await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"));
    expect(writes).toEqual([
      `PATCH /work-center-service/work-items/${id}/claim`,
      `PATCH /work-center-service/work-items/${id}/release`,
    ]);
    await emulator().reset();
    expect(await workItemClaim.read(id, created.outs)).toEqual({ id: "", props: {} });
  });

  test("a replace onto another work item passes the engine's second check of the replacement, once; its reason says work item", async () => {
    configureWith(pipelineConfig());
    const [before, after] = [freshItem(), freshItem()];
    const news = { workItemId: after, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP };
    // The engine: check the new inputs, diff them against state, and on a replace check them again.
    expect((await workItemClaim.check({ workItemId: before }, news)).failures).toEqual([]);
    const olds = { ...news, workItemId: before, platformUrl: emulator().url, status: "pending" };
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await workItemClaim.diff(before, olds, news)).toMatchObject({ changes: true, replaces: ["workItemId"] });
      expect(stderr.mock.calls.map(([text]) => String(text)).join("")).toContain(
        "the claim on the old work item is released (if this resource made it), then the new work item claimed",
      );
    } finally {
      stderr.mockRestore();
    }
    expect((await workItemClaim.check({}, news)).failures).toEqual([]);
    // The allowance is spent: a further resource on that item is a second resource.
    expect((await workItemClaim.check({}, news)).failures.map((f) => f.property)).toEqual(["workItemId"]);
    // and it was the work item's: a task of the same id is another thing, never let through by it.
    expect((await taskClaim.check({}, { taskId: after })).failures).toEqual([]);
  });

  test("a failure names the operation and the work item", async () => {
    configureWith(pipelineConfig());
    const id = freshItem();
    await expect(
      workItemClaim.create({ workItemId: id, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP }),
    ).rejects.toThrow(new RegExp(`^WorkItemClaim: work item ${id} does not exist on .*findWorkItem finds one by name`));
  });
});
