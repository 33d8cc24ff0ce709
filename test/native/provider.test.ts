// The native plugin's provider: CheckConfig (every bad key in one message, secrets always wrapped),
// detailed diffs, secrets and unknowns on the way in and out, import by id, and the gRPC service on
// the wire (the stubs @pulumi/pulumi ships, a real server on a free port). Against an emulator
// process where the platform is needed.
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, DEFAULT_AGENT_SESSION } from "../../emulator";
import { DiffKind, NativeProvider, ORIGIN_KEY, originOf } from "../../provider/native/provider";
import {
  FIND_WORK_ITEM,
  TASK_ASSIGNMENT,
  TASK_CLAIM,
  WORK_ITEM_ASSIGNMENT,
  WORK_ITEM_CLAIM,
} from "../../provider/native/schema";
import { engineAddressOf, ResourceProviderService, serve, typeOf } from "../../provider/native/server";
import { hasUnknown, SECRET_SIG, SIG, secret, UNKNOWN, unwrap, wrap } from "../../provider/native/values";
import type { WorkItem } from "../../sdk";
import { approvalTask, clearRequests, clientAs, requestsSince } from "../provider/fixture";
import { useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();
const DEFAULT_URN = "urn:pulumi:dev::proj::pulumi:providers:itential::default_0_1_0";
const STAGING_URN = "urn:pulumi:dev::proj::pulumi:providers:itential::staging";
const CLAIM_URN = "urn:pulumi:dev::proj::itential:index:TaskClaim::approval";

/** Runs `work` with no ITENTIAL_* variables in the environment. */
async function withoutItentialEnv<T>(work: () => T | Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (key.startsWith("ITENTIAL_")) delete process.env[key];
  try {
    return await work();
  } finally {
    process.env = saved;
  }
}

const configured = (who: { username: string; password: string } = C.pipeline) => {
  const provider = new NativeProvider(() => {});
  provider.configure(STAGING_URN, { baseUrl: emulator().url, username: who.username, password: secret(who.password) });
  return provider;
};

describe("values", () => {
  test("secrets are unwrapped at any depth and the properties that held one are named; wrap puts them back", () => {
    const { values, secrets } = unwrap({ a: secret("x"), b: { c: secret(1) }, d: "plain", e: [secret(true)] });
    expect(values).toEqual({ a: "x", b: { c: 1 }, d: "plain", e: [true] });
    expect([...secrets].sort()).toEqual(["a", "b", "e"]);
    expect(wrap({ a: "x", d: "plain" }, new Set(["a"]))).toEqual({ a: { [SIG]: SECRET_SIG, value: "x" }, d: "plain" });
    expect(hasUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
    expect(hasUnknown({ a: "known" })).toBe(false);
  });

  test("the provider's name in its URN decides whether the environment applies", () => {
    expect(originOf(DEFAULT_URN)).toEqual({ kind: "stack" });
    expect(originOf("urn:pulumi:dev::proj::pulumi:providers:itential::default")).toEqual({ kind: "stack" });
    expect(originOf(STAGING_URN)).toEqual({ kind: "provider", name: "staging" });
    expect(typeOf(CLAIM_URN)).toBe(TASK_CLAIM);
    expect(typeOf("urn:pulumi:dev::proj::my:Component$itential:index:TaskAssignment::a")).toBe(TASK_ASSIGNMENT);
  });
});

describe("CheckConfig", () => {
  test("one failure naming every bad key: unknown keys, bad values, missing credentials", async () => {
    await withoutItentialEnv(() => {
      const provider = new NativeProvider(() => {});
      const checked = provider.checkConfig(STAGING_URN, {
        baseUrl: "ftp://iap",
        pasword: secret("hunter2"),
        timeoutMs: "soon",
        insecure: "maybe",
        version: "0.1.0",
      });
      expect(checked.failures).toHaveLength(1);
      const reason = checked.failures[0]?.reason as string;
      for (const key of [
        '"pasword"',
        '"baseUrl"',
        '"timeoutMs"',
        '"insecure"',
        'Provider "staging" has no IAP credentials',
      ]) {
        expect(reason).toContain(key);
      }
      expect(reason).not.toContain("hunter2");
      expect(reason).not.toContain('"version"');
    });
  });

  test("the default provider names stack config keys and falls back to ITENTIAL_*; an explicit one does not", async () => {
    await withoutItentialEnv(() => {
      process.env.ITENTIAL_USERNAME = "svc-pipeline";
      process.env.ITENTIAL_PASSWORD = "from-env";
      const provider = new NativeProvider(() => {});
      expect(provider.checkConfig(DEFAULT_URN, { baseUrl: emulator().url }).failures).toEqual([]);
      const typo = provider.checkConfig(DEFAULT_URN, { baseUrl: emulator().url, usrname: "x" });
      expect(typo.failures[0]?.reason).toContain("itential:usrname is not a setting");
      const explicit = provider.checkConfig(STAGING_URN, { baseUrl: emulator().url });
      expect(explicit.failures[0]?.reason).toContain('Provider "staging" has no IAP credentials');
    });
  });

  test("secret settings are recorded as secrets even when given as plain values; others stay as given", () => {
    const provider = new NativeProvider(() => {});
    const { inputs, failures } = provider.checkConfig(STAGING_URN, {
      baseUrl: emulator().url,
      username: "svc-pipeline",
      password: "plain-password",
      timeoutMs: "5000",
    });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      baseUrl: emulator().url,
      username: "svc-pipeline",
      password: { [SIG]: SECRET_SIG, value: "plain-password" },
      timeoutMs: "5000",
      [ORIGIN_KEY]: "provider:staging",
    });
    expect(provider.checkConfig(DEFAULT_URN, { baseUrl: emulator().url }).inputs[ORIGIN_KEY]).toBe("default");
  });

  test("unknown values (preview of a provider built from other resources) are let through", () => {
    const provider = new NativeProvider(() => {});
    expect(provider.checkConfig(STAGING_URN, { baseUrl: UNKNOWN, username: "u", password: UNKNOWN }).failures).toEqual(
      [],
    );
  });

  test("DiffConfig names the settings that changed, never a replace", () => {
    const provider = new NativeProvider(() => {});
    const diff = provider.diffConfig(
      { baseUrl: "https://a", password: secret("x"), version: "0.1.0" },
      { baseUrl: "https://a", password: secret("y"), timeoutMs: "5", version: "0.2.0" },
    );
    expect(diff).toMatchObject({
      changes: true,
      replaces: [],
      detailed: { password: { kind: DiffKind.UPDATE }, timeoutMs: { kind: DiffKind.ADD } },
    });
    expect(provider.diffConfig({ baseUrl: "https://a" }, { baseUrl: "https://a" }).changes).toBe(false);
  });

  test("DiffConfig ignores the recorded origin: state from before it, or a changed one, is no user-facing diff", () => {
    const provider = new NativeProvider(() => {});
    const after = { baseUrl: "https://a", [ORIGIN_KEY]: "provider:staging" };
    expect(provider.diffConfig({ baseUrl: "https://a" }, after)).toMatchObject({ changes: false, detailed: {} });
    expect(provider.diffConfig({ ...after, [ORIGIN_KEY]: "default" }, after).changes).toBe(false);
  });
});

describe("Configure without the provider's URN (destroy and refresh with the 3.139.0 stubs)", () => {
  /** Runs `work` with another platform's credentials in ITENTIAL_*, as a stack's CI environment has. */
  async function withStackEnv<T>(work: () => T): Promise<T> {
    return withoutItentialEnv(() => {
      process.env.ITENTIAL_BASE_URL = "https://stack-platform.example";
      process.env.ITENTIAL_TOKEN = "stack-token";
      process.env.ITENTIAL_USERNAME = "stack-user";
      process.env.ITENTIAL_PASSWORD = "stack-password";
      return work();
    });
  }

  test("the origin CheckConfig recorded keeps an explicit provider off the environment", async () => {
    await withStackEnv(() => {
      const provider = new NativeProvider(() => {});
      const { inputs } = provider.checkConfig(STAGING_URN, { baseUrl: emulator().url });
      expect(inputs[ORIGIN_KEY]).toBe("provider:staging");
      provider.configure(undefined, inputs);
      // Not filled from ITENTIAL_*: the explicit provider's missing credentials are named instead.
      expect(() => provider.session.settings()).toThrow('Provider "staging" has no IAP credentials');
      const full = { ...inputs, username: C.pipeline.username, password: secret(C.pipeline.password) };
      provider.configure(undefined, full);
      const settings = provider.session.settings();
      expect(settings.source).toEqual({ kind: "provider", name: "staging" });
      expect(JSON.stringify(settings.client)).not.toMatch(/stack-(token|user|password)/);
    });
  });

  test("the default provider's recorded origin still reads the environment", async () => {
    await withStackEnv(() => {
      const provider = new NativeProvider(() => {});
      provider.configure(undefined, { [ORIGIN_KEY]: "default" });
      expect(provider.session.settings()).toMatchObject({ baseUrl: "https://stack-platform.example" });
    });
  });

  test("neither URN nor recorded origin: fail closed, ITENTIAL_* is not read, and a warning says why", async () => {
    await withStackEnv(() => {
      const warnings: string[] = [];
      const provider = new NativeProvider((m) => warnings.push(m));
      provider.configure(undefined, { baseUrl: emulator().url });
      expect(() => provider.session.settings()).toThrow(/credentials/);
      provider.configure(undefined, { baseUrl: emulator().url, username: "u", password: secret("p") });
      const settings = provider.session.settings();
      expect(settings.baseUrl).toBe(emulator().url);
      expect(JSON.stringify(settings.client)).not.toMatch(/stack-(token|user|password)/);
      provider.configure(undefined, {});
      expect(provider.session.configuredUrl()).toBeUndefined();
      expect(warnings.join("\n")).toContain("ITENTIAL_* environment variables were not read");
    });
  });
});

describe("resources", () => {
  test("check: defaults filled, a secret input stays secret, an unknown task id passes, a foreign baseUrl is refused", async () => {
    const provider = configured();
    const taskId = (await approvalTask(emulator())).id;
    const checked = provider.check(TASK_CLAIM, { taskId: secret(taskId) });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({
      taskId: { [SIG]: SECRET_SIG, value: taskId },
      takeOver: false,
      releaseOnDestroy: true,
      adopt: false,
      onDrift: "reclaim",
    });
    expect(provider.check(TASK_CLAIM, { taskId: UNKNOWN }).failures).toEqual([]);
    const foreign = provider.check(TASK_ASSIGNMENT, {
      taskId: "6f1c2d3e-4a5b-4c6d-8e9f-000000000001",
      user: "alice",
      baseUrl: "https://elsewhere.example.com",
    });
    expect(foreign.failures).toEqual([
      { property: "baseUrl", reason: expect.stringContaining("elsewhere.example.com") },
    ]);
    // The same rule as the dynamic provider: one resource per task in a provider.
    expect(provider.check(TASK_ASSIGNMENT, { taskId, user: "alice" }).failures).toEqual([
      { property: "taskId", reason: expect.stringContaining("another TaskClaim of this stack already holds") },
    ]);
  });

  test("create, refresh after a person took the task (owner in the detailed diff), update, delete", async () => {
    const provider = configured();
    const taskId = (await approvalTask(emulator())).id;
    const inputs = provider.check(TASK_CLAIM, { taskId }).inputs;
    const created = await provider.create(TASK_CLAIM, inputs);
    expect(created).toMatchObject({ id: taskId, properties: { owner: "svc-pipeline", claimant: "svc-pipeline" } });
    expect(provider.diff(TASK_CLAIM, created.properties, inputs)).toMatchObject({ changes: false, detailed: {} });

    await clientAs(emulator(), "admin").assignTask(taskId, (await clientAs(emulator(), "alice").currentUser()).id);
    const read = await provider.read(TASK_CLAIM, taskId, created.properties, inputs);
    expect(read).toMatchObject({ id: taskId, properties: { owner: "alice" }, inputs });
    const drift = provider.diff(TASK_CLAIM, read.properties, inputs);
    expect(drift).toMatchObject({
      changes: true,
      replaces: [],
      detailed: { owner: { kind: DiffKind.UPDATE, inputDiff: false } },
    });
    expect(drift.reasons.join("\n")).toContain("held by alice");

    // A flag and a new task: an update and a replace, each named.
    const other = { ...inputs, taskId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", releaseOnDestroy: false };
    expect(provider.diff(TASK_CLAIM, read.properties, other)).toMatchObject({
      changes: true,
      replaces: ["taskId"],
      deleteBeforeReplace: true,
      detailed: {
        taskId: { kind: DiffKind.UPDATE_REPLACE, inputDiff: true },
        releaseOnDestroy: { kind: DiffKind.UPDATE, inputDiff: true },
      },
    });

    // onDrift "fail" refuses naming alice; the default takes it over (takeOver false: refused too).
    await expect(provider.update(TASK_CLAIM, taskId, read.properties, { ...inputs, onDrift: "fail" })).rejects.toThrow(
      /held by alice/,
    );
    await clearRequests(emulator());
    await provider.delete(TASK_CLAIM, read.properties);
    // Not this resource's claim any more: nothing released.
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("POST"))).toEqual([]);
  });

  test("import by id alone: adopts a task this account holds, refuses one held by another naming them", async () => {
    const provider = configured();
    const taskId = (await approvalTask(emulator())).id;
    await clientAs(emulator(), "alice").claimTask(taskId);
    await expect(provider.read(TASK_CLAIM, taskId, {}, {})).rejects.toThrow(
      new RegExp(
        `TaskClaim: task ${taskId} \\("Approve change"\\) is held by alice since .*: import adopts only a task svc-pipeline`,
      ),
    );
    // TaskAssignment imports what is: alice's claim, adopted.
    const assignment = await provider.read(TASK_ASSIGNMENT, taskId, {}, {});
    expect(assignment.inputs).toEqual({
      taskId,
      user: "alice",
      releaseOnDestroy: true,
      adopt: true,
      onDrift: "reclaim",
    });
    expect(assignment.properties).toMatchObject({ assignee: "alice", adopted: true });

    await clientAs(emulator(), "admin").assignTask(taskId, (await clientAs(emulator(), "pipeline").currentUser()).id);
    await clearRequests(emulator());
    const imported = await provider.read(TASK_CLAIM, taskId, {}, {});
    expect(imported.inputs).toEqual({
      taskId,
      takeOver: false,
      releaseOnDestroy: true,
      adopt: true,
      onDrift: "reclaim",
    });
    expect(imported.properties).toMatchObject({ owner: "svc-pipeline", adopted: true, platformUrl: emulator().url });
    // Reading sends nothing.
    expect((await requestsSince(emulator())).filter((r) => !r.startsWith("GET"))).toEqual([]);
  });

  test("errors name the operation and the task; refused credentials name the settings to fix", async () => {
    const provider = configured({ username: "svc-pipeline", password: "wrong" });
    const taskId = (await approvalTask(emulator())).id;
    const error = await provider.create(TASK_CLAIM, provider.check(TASK_CLAIM, { taskId }).inputs).catch((e) => e);
    expect(String(error.message)).toContain(`TaskClaim create (task ${taskId})`);
    expect(String(error.message)).toContain('check the "username" input of Provider "staging"');
    expect(String(error.message)).not.toContain("wrong");
  });

  test("invoke: getTask and findTask, read-only", async () => {
    const provider = configured();
    const task = await approvalTask(emulator());
    await clearRequests(emulator());
    expect((await provider.invoke("itential:index:getTask", { taskId: task.id })).result).toMatchObject({
      id: task.id,
      name: "Approve change",
    });
    expect(
      (await provider.invoke("itential:index:findTask", { jobId: task.job?.id, name: "Approve change" })).result,
    ).toMatchObject({ id: task.id });
    expect((await provider.invoke("itential:index:getTask", {})).failures).toEqual([
      { property: "taskId", reason: expect.any(String) },
    ]);
    expect((await requestsSince(emulator())).filter((r) => !r.startsWith("GET") && r !== "POST /login")).toEqual([]);
  });
});

describe("work item resources (the same rules over the Work Center desk)", () => {
  const ITEMS = "/work-center-service/work-items";
  const NAME = "Approve agent remediation";

  /** The seed's agent session's approval (Work Center only). */
  async function agentItem(): Promise<WorkItem> {
    const { items } = await clientAs(emulator(), "admin").searchWorkItems({
      filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
    });
    const item = items[0];
    if (!item || items.length !== 1) throw new Error(`expected one item of "${DEFAULT_AGENT_SESSION}"`);
    return item;
  }

  test("check: workItemId is the identity (a second resource on one item is refused naming workItemId and the work item)", async () => {
    const provider = configured();
    const item = await agentItem();
    const claim = provider.check(WORK_ITEM_CLAIM, { workItemId: item.id });
    expect(claim.failures).toEqual([]);
    expect(claim.inputs).toEqual({
      workItemId: item.id,
      takeOver: false,
      releaseOnDestroy: true,
      adopt: false,
      onDrift: "reclaim",
    });
    expect(provider.check(WORK_ITEM_CLAIM, {}).failures.map((f) => f.property)).toContain("workItemId");
    expect(provider.check(WORK_ITEM_ASSIGNMENT, { workItemId: item.id, user: "alice" }).failures).toEqual([
      {
        property: "workItemId",
        reason: expect.stringMatching(/another WorkItemClaim of this stack already holds.*work item/),
      },
    ]);
    // A task resource on a task is another register entry's business: tasks and items do not mix keys.
    expect(provider.check(TASK_CLAIM, { taskId: (await approvalTask(emulator())).id }).failures).toEqual([]);
  });

  test("create, a person's release refreshed (owner in the detailed diff), a new item replaces on workItemId, delete releases", async () => {
    const provider = configured();
    const item = await agentItem();
    const inputs = provider.check(WORK_ITEM_CLAIM, { workItemId: item.id }).inputs;
    await clearRequests(emulator());
    const created = await provider.create(WORK_ITEM_CLAIM, inputs);
    expect(created).toMatchObject({
      id: item.id,
      properties: { workItemId: item.id, name: NAME, owner: "svc-pipeline", claimant: "svc-pipeline" },
    });
    expect(created.properties).not.toHaveProperty("taskId");
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"))).toEqual([
      `PATCH ${ITEMS}/${item.id}/claim`,
    ]);
    expect(provider.diff(WORK_ITEM_CLAIM, created.properties, inputs)).toMatchObject({ changes: false, detailed: {} });

    await emulator().actAs("svc-pipeline", "PATCH", `${ITEMS}/${item.id}/release`);
    const read = await provider.read(WORK_ITEM_CLAIM, item.id, created.properties, inputs);
    expect(read.properties.owner).toBeUndefined();
    const drift = provider.diff(WORK_ITEM_CLAIM, read.properties, inputs);
    expect(drift).toMatchObject({ changes: true, replaces: [] });
    expect(drift.detailed).toEqual({ owner: { kind: DiffKind.UPDATE, inputDiff: false } });
    expect(drift.reasons.join("\n")).toContain("work item");

    const other = { ...inputs, workItemId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f", releaseOnDestroy: false };
    const replace = provider.diff(WORK_ITEM_CLAIM, created.properties, other);
    expect(replace).toMatchObject({ changes: true, replaces: ["workItemId"], deleteBeforeReplace: true });
    expect(replace.detailed).toEqual({
      workItemId: { kind: DiffKind.UPDATE_REPLACE, inputDiff: true },
      releaseOnDestroy: { kind: DiffKind.UPDATE, inputDiff: true },
    });

    const again = await provider.update(WORK_ITEM_CLAIM, item.id, read.properties, inputs);
    expect(again).toMatchObject({ workItemId: item.id, owner: "svc-pipeline" });
    await clearRequests(emulator());
    await provider.delete(WORK_ITEM_CLAIM, again);
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"))).toEqual([
      `PATCH ${ITEMS}/${item.id}/release`,
    ]);
  });

  test("import by id alone: adopts an item this account holds; one held by another is refused naming them; reads only", async () => {
    const provider = configured();
    const item = await agentItem();
    await emulator().actAs("alice", "PATCH", `${ITEMS}/${item.id}/claim`);
    await clearRequests(emulator());
    await expect(provider.read(WORK_ITEM_CLAIM, item.id, {}, {})).rejects.toThrow(
      new RegExp(
        `WorkItemClaim: work item ${item.id} \\("${NAME}"\\) is held by alice since .*: import adopts only a work item svc-pipeline`,
      ),
    );
    // WorkItemAssignment imports what is: alice's claim, adopted.
    const assignment = await provider.read(WORK_ITEM_ASSIGNMENT, item.id, {}, {});
    expect(assignment.id).toBe(item.id);
    expect(assignment.inputs).toEqual({
      workItemId: item.id,
      user: "alice",
      releaseOnDestroy: true,
      adopt: true,
      onDrift: "reclaim",
    });
    expect(assignment.properties).toMatchObject({ assignee: "alice", adopted: true, name: NAME });

    await emulator().actAs("alice", "PATCH", `${ITEMS}/${item.id}/release`);
    await emulator().actAs("svc-pipeline", "PATCH", `${ITEMS}/${item.id}/claim`);
    await clearRequests(emulator());
    const imported = await provider.read(WORK_ITEM_CLAIM, item.id, {}, {});
    expect(imported.id).toBe(item.id);
    expect(imported.inputs).toEqual({
      workItemId: item.id,
      takeOver: false,
      releaseOnDestroy: true,
      adopt: true,
      onDrift: "reclaim",
    });
    expect(imported.properties).toMatchObject({ owner: "svc-pipeline", adopted: true, platformUrl: emulator().url });
    expect((await requestsSince(emulator())).filter((r) => !r.startsWith("GET") && r !== "POST /login")).toEqual([]);
  });

  test("WorkItemAssignment: create assigns the item to alice (Work Center's assign), delete releases it", async () => {
    const provider = configured(C.admin);
    const item = await agentItem();
    const inputs = provider.check(WORK_ITEM_ASSIGNMENT, { workItemId: item.id, user: "alice" }).inputs;
    await clearRequests(emulator());
    const created = await provider.create(WORK_ITEM_ASSIGNMENT, inputs);
    expect(created).toMatchObject({
      id: item.id,
      properties: { workItemId: item.id, assignee: "alice", owner: "alice" },
    });
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"))).toEqual([
      `PATCH ${ITEMS}/${item.id}/assign`,
    ]);
    await clearRequests(emulator());
    await provider.delete(WORK_ITEM_ASSIGNMENT, created.properties);
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"))).toEqual([
      `PATCH ${ITEMS}/${item.id}/release`,
    ]);
  });

  test("invoke findWorkItem: the agent session's item by execution and name, read-only; errors name findWorkItem", async () => {
    const provider = configured();
    const item = await agentItem();
    await clearRequests(emulator());
    const found = await provider.invoke(FIND_WORK_ITEM, { executionId: item.execution?.id, name: NAME });
    expect(found.result).toMatchObject({ id: item.id, name: NAME, executionType: "agent" });
    await expect(provider.invoke(FIND_WORK_ITEM, { executionId: item.execution?.id, name: "No such" })).rejects.toThrow(
      /findWorkItem/,
    );
    // Work Center's search is a POST; nothing is claimed, assigned or released.
    expect((await requestsSince(emulator())).filter((r) => r.startsWith("PATCH"))).toEqual([]);
  });
});

describe("the gRPC service", () => {
  // The stubs and runtime the server uses, from @pulumi/pulumi, as the engine's client would.
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const fromPulumi = (id: string) => require(require.resolve(id, { paths: [pulumiDir] }));
  const grpc = fromPulumi("@grpc/grpc-js");
  const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
  const provproto = require("@pulumi/pulumi/proto/provider_pb");
  const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

  test("CheckConfig, Configure, Check and Diff over the wire: secrets wrapped, detailed diff, failures", async () => {
    const { port, server } = await serve([]);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, request: unknown): Promise<T> =>
      new Promise((resolve, reject) =>
        client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
      );
    try {
      const checkConfig = new provproto.CheckRequest();
      checkConfig.setUrn(STAGING_URN);
      checkConfig.setNews(
        structproto.Struct.fromJavaScript({
          baseUrl: emulator().url,
          username: "svc-pipeline",
          password: "p",
          extra: 1,
        }),
      );
      const checkedConfig = await call<{
        getFailuresList(): { getReason(): string }[];
        getInputs(): { toJavaScript(): unknown };
      }>("checkConfig", checkConfig);
      expect(checkedConfig.getFailuresList().map((f) => f.getReason())).toEqual([
        expect.stringContaining('"extra" is not a setting'),
      ]);
      expect(checkedConfig.getInputs().toJavaScript()).toMatchObject({ password: { [SIG]: SECRET_SIG, value: "p" } });

      const configure = new provproto.ConfigureRequest();
      configure.setArgs(
        structproto.Struct.fromJavaScript({
          baseUrl: emulator().url,
          username: C.pipeline.username,
          password: { [SIG]: SECRET_SIG, value: C.pipeline.password },
        }),
      );
      configure.setAcceptsecrets(true);
      const configured = await call<{ getAcceptsecrets(): boolean; getSupportspreview(): boolean }>(
        "configure",
        configure,
      );
      expect(configured.getAcceptsecrets()).toBe(true);
      expect(configured.getSupportspreview()).toBe(false);

      const check = new provproto.CheckRequest();
      check.setUrn(CLAIM_URN);
      check.setNews(structproto.Struct.fromJavaScript({ taskId: "nope", takeOver: "yes" }));
      const checked = await call<{ getFailuresList(): { getProperty(): string }[] }>("check", check);
      expect(
        checked
          .getFailuresList()
          .map((f) => f.getProperty())
          .sort(),
      ).toEqual(["takeOver", "taskId"]);

      const diff = new provproto.DiffRequest();
      diff.setUrn(CLAIM_URN);
      const taskId = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
      const old = {
        taskId,
        takeOver: false,
        releaseOnDestroy: true,
        adopt: false,
        onDrift: "reclaim",
        platformUrl: emulator().url,
      };
      diff.setOlds(
        structproto.Struct.fromJavaScript({
          ...old,
          status: "running",
          claimantId: "1",
          claimant: "svc-pipeline",
          ownerId: "1",
          owner: "svc-pipeline",
        }),
      );
      const { platformUrl: _, ...inputs } = old;
      diff.setNews(structproto.Struct.fromJavaScript({ ...inputs, taskId: UNKNOWN }));
      const diffed = await call<{
        getChanges(): number;
        getDetaileddiffMap(): {
          forEach(f: (v: { getKind(): number; getInputdiff(): boolean }, k: string) => void): void;
        };
        getHasdetaileddiff(): boolean;
      }>("diff", diff);
      expect(diffed.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_SOME);
      expect(diffed.getHasdetaileddiff()).toBe(true);
      const detailed: Record<string, unknown> = {};
      diffed.getDetaileddiffMap().forEach((v, k) => {
        detailed[k] = { kind: v.getKind(), inputDiff: v.getInputdiff() };
      });
      expect(detailed).toEqual({ taskId: { kind: DiffKind.UPDATE, inputDiff: true } });
    } finally {
      client.close();
      server.forceShutdown();
    }
  });

  test("an invoke's bad argument comes back INVALID_ARGUMENT, naming the argument, before anything is sent", async () => {
    const { port, server } = await serve([]);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, request: unknown): Promise<T> =>
      new Promise((resolve, reject) =>
        client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
      );
    try {
      const configure = new provproto.ConfigureRequest();
      configure.setArgs(
        structproto.Struct.fromJavaScript({
          baseUrl: emulator().url,
          username: C.pipeline.username,
          password: C.pipeline.password,
          [ORIGIN_KEY]: "provider:staging",
        }),
      );
      await call("configure", configure);
      await clearRequests(emulator());
      for (const [args, named] of [
        [
          { jobId: "nothex", name: "Approve change" },
          /jobId must be a job id \(24 hexadecimal characters\), got "nothex"/,
        ],
        [{ jobId: "0".repeat(24), name: "Approve change", waitFor: "soon" }, /waitFor must be a duration/],
      ] as const) {
        const invoke = new provproto.InvokeRequest();
        invoke.setTok("itential:index:findTask");
        invoke.setArgs(structproto.Struct.fromJavaScript(args));
        const error = (await call("invoke", invoke).catch((e) => e)) as { code?: number; details?: string };
        expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(error.details).toMatch(named);
      }
      expect((await requestsSince(emulator())).filter((r) => r !== "POST /login")).toEqual([]);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });

  test("a claim applied whose answer and follow-up reads are lost: Create answers ErrorResourceInitFailed with the claim to record", async () => {
    const statusproto = require("@pulumi/pulumi/proto/status_pb");
    const { port, server } = await serve([]);
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, request: unknown): Promise<T> =>
      new Promise((resolve, reject) =>
        client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
      );
    const taskId = (await approvalTask(emulator())).id;
    try {
      const configure = new provproto.ConfigureRequest();
      configure.setArgs(
        structproto.Struct.fromJavaScript({
          baseUrl: emulator().url,
          username: C.pipeline.username,
          password: { [SIG]: SECRET_SIG, value: C.pipeline.password },
          maxRetries: "0",
          [ORIGIN_KEY]: "provider:staging",
        }),
      );
      await call("configure", configure);
      // The claim's first read passes (a refusal would send nothing); the claim is applied and its
      // answer lost, and so is every read that could settle it.
      const route = "/operations-manager/**";
      await emulator().addFault({ kind: "reset", when: "after", method: "POST", path: route });
      await emulator().addFault({ kind: "reset", method: "GET", path: route, skip: 1 });
      const create = new provproto.CreateRequest();
      create.setUrn(CLAIM_URN);
      create.setProperties(structproto.Struct.fromJavaScript({ taskId, releaseOnDestroy: true, onDrift: "reclaim" }));
      const error = (await call("create", create).catch((e) => e)) as {
        code?: number;
        details?: string;
        metadata?: { get(key: string): Buffer[] };
      };
      expect(error.code).toBe(grpc.status.UNKNOWN);
      expect(error.details).toMatch(/may or may not have been made/);
      const [bin] = error.metadata?.get("grpc-status-details-bin") ?? [];
      const status = statusproto.Status.deserializeBinary(bin);
      const [any] = status.getDetailsList();
      expect(any.getTypeName()).toBe("pulumirpc.ErrorResourceInitFailed");
      const detail = provproto.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      expect(detail.getId()).toBe(taskId);
      expect(detail.getReasonsList()).toEqual([expect.stringMatching(/may or may not have been made/)]);
      // What state records: the claim, where and for whom (not forgotten).
      expect(detail.getProperties().toJavaScript()).toMatchObject({
        taskId,
        platformUrl: emulator().url,
        claimant: C.pipeline.username,
      });
      await emulator().control("DELETE", "/faults");
      const task = await clientAs(emulator(), "admin").getTask(taskId, { dereference: ["metrics.owner"] });
      expect(task.owner?.username).toBe(C.pipeline.username);
    } finally {
      await emulator().control("DELETE", "/faults");
      client.close();
      server.forceShutdown();
    }
  });

  test("Configure with no URN (destroy with old stubs): the recorded origin decides, and ITENTIAL_* is never read otherwise", async () => {
    await withoutItentialEnv(async () => {
      process.env.ITENTIAL_TOKEN = "stack-token";
      process.env.ITENTIAL_BASE_URL = emulator().url;
      for (const [args, expected] of [
        [{ baseUrl: emulator().url, [ORIGIN_KEY]: "provider:staging" }, 'Provider "staging" has no IAP credentials'],
        [{ baseUrl: emulator().url }, "has no IAP credentials"],
      ] as const) {
        const { port, server } = await serve([]);
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const call = <T>(method: string, request: unknown): Promise<T> =>
          new Promise((resolve, reject) =>
            client[method](request, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
          );
        try {
          const configure = new provproto.ConfigureRequest();
          configure.setArgs(structproto.Struct.fromJavaScript(args));
          configure.setAcceptsecrets(true);
          await call("configure", configure);
          const check = new provproto.CheckRequest();
          check.setUrn(CLAIM_URN);
          check.setNews(structproto.Struct.fromJavaScript({ taskId: "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f" }));
          const checked = await call<{ getFailuresList(): { getReason(): string }[] }>("check", check);
          // Had the environment been read, ITENTIAL_TOKEN would have configured it without failures.
          expect(checked.getFailuresList().map((f) => f.getReason())).toEqual([expect.stringContaining(expected)]);
        } finally {
          client.close();
          server.forceShutdown();
        }
      }
    });
  });
});

describe("the plugin's arguments and the engine's log", () => {
  test("the engine's address is the last positional argument, never --tracing's endpoint", () => {
    expect(engineAddressOf(["127.0.0.1:4000"])).toBe("127.0.0.1:4000");
    expect(engineAddressOf(["-v=9", "--logtostderr", "127.0.0.1:4000"])).toBe("127.0.0.1:4000");
    expect(engineAddressOf(["--tracing", "tcp://127.0.0.1:6831", "127.0.0.1:4000"])).toBe("127.0.0.1:4000");
    expect(engineAddressOf(["--tracing=tcp://127.0.0.1:6831", "-v=9", "127.0.0.1:4000"])).toBe("127.0.0.1:4000");
    expect(engineAddressOf(["--logtostderr"])).toBeUndefined();
    expect(engineAddressOf([])).toBeUndefined();
  });

  test("a message the engine's log refuses goes to stderr instead of vanishing", async () => {
    // A port nothing listens on: the engine's Log call fails.
    const { port, server } = await serve([]);
    server.forceShutdown();
    const service = new ResourceProviderService(`127.0.0.1:${port}`);
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await service.log(1, "diff reason: owner changed");
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toMatch(/engine log failed .*: diff reason: owner changed/);
  });
});
