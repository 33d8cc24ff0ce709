// The resource classes' wiring, with Pulumi's mocks: type tokens, the inputs they send, the outputs
// they declare, and what goes into `__provider`. (That the engine runs them is test/e2e's job.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];

pulumi.runtime.setMocks(
  {
    newResource(args) {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      const state = { ...args.inputs, owner: "svc-pipeline", ownerId: "65a000000000000000000001", status: "running" };
      return { id: String(args.inputs.taskId), state };
    },
    call(args) {
      return args.inputs;
    },
  },
  "project",
  "stack",
  false,
);

// Imported after the mocks are set, as Pulumi's testing guide asks.
import { TaskAssignment, TaskClaim, WorkItemAssignment, WorkItemClaim } from "../../provider";
import { storedProvider } from "../../provider/dynamic/stored-provider";

const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const TASK = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

test("TaskClaim sends its inputs under its type token and exposes the engine's outputs", async () => {
  const claim = new TaskClaim("approval", { taskId: TASK, takeOver: true });
  expect(await value(claim.owner)).toBe("svc-pipeline");
  expect(await value(claim.status)).toBe("running");
  expect(await value(claim.taskId)).toBe(TASK);
  const sent = created.find((r) => r.name === "approval");
  expect(sent?.type).toBe("pulumi-nodejs:dynamic/itential:TaskClaim");
  expect(sent?.inputs).toMatchObject({ taskId: TASK, takeOver: true });
  expect(Object.keys(sent?.inputs ?? {}).sort()).toEqual(["__provider", "takeOver", "taskId"]);
});

test("TaskAssignment likewise", async () => {
  const assignment = new TaskAssignment("approver", { taskId: TASK, user: "alice", releaseOnDestroy: false });
  expect(await value(assignment.owner)).toBe("svc-pipeline");
  const sent = created.find((r) => r.name === "approver");
  expect(sent?.type).toBe("pulumi-nodejs:dynamic/itential:TaskAssignment");
  expect(Object.keys(sent?.inputs ?? {}).sort()).toEqual(["__provider", "releaseOnDestroy", "taskId", "user"]);
});

test("WorkItemClaim sends workItemId under its own type token, with its own provider module", async () => {
  const claim = new WorkItemClaim("agent-approval", { workItemId: TASK, onDrift: "fail" });
  expect(await value(claim.owner)).toBe("svc-pipeline");
  expect(await value(claim.workItemId)).toBe(TASK);
  const sent = created.find((r) => r.name === "agent-approval");
  expect(sent?.type).toBe("pulumi-nodejs:dynamic/itential:WorkItemClaim");
  expect(Object.keys(sent?.inputs ?? {}).sort()).toEqual(["__provider", "onDrift", "workItemId"]);
  expect(sent?.inputs.__provider).toBe(
    'exports.handler = () => require("pulumi-itential/dist/provider/dynamic/work-item-claim-provider.js");\n',
  );
});

test("WorkItemAssignment likewise, with its own provider module", async () => {
  const assignment = new WorkItemAssignment("agent-approver", { workItemId: TASK, user: "alice" });
  expect(await value(assignment.workItemId)).toBe(TASK);
  const sent = created.find((r) => r.name === "agent-approver");
  expect(sent?.type).toBe("pulumi-nodejs:dynamic/itential:WorkItemAssignment");
  expect(Object.keys(sent?.inputs ?? {}).sort()).toEqual(["__provider", "user", "workItemId"]);
  expect(sent?.inputs.__provider).toBe(
    'exports.handler = () => require("pulumi-itential/dist/provider/dynamic/work-item-assignment-provider.js");\n',
  );
});

test("__provider is a require of the kind's provider module by package path, the same for every resource", async () => {
  new TaskClaim("other", { taskId: TASK });
  await value(new TaskClaim("third", { taskId: TASK }).taskId);
  const providers = created.filter((r) => r.type.endsWith(":TaskClaim")).map((r) => r.inputs.__provider);
  expect(new Set(providers)).toEqual(
    new Set(['exports.handler = () => require("pulumi-itential/dist/provider/dynamic/task-claim-provider.js");\n']),
  );
  const assignment = created.find((r) => r.name === "approver")?.inputs.__provider;
  expect(assignment).toBe(
    'exports.handler = () => require("pulumi-itential/dist/provider/dynamic/task-assignment-provider.js");\n',
  );
});

describe("the stored __provider, evaluated as Pulumi's provider process does (require-from-string)", () => {
  // A child process per case: the require resolves from its working directory, as in the provider
  // process, which runs in the program's directory.
  const evaluate = (cwd: string, text: string) =>
    spawnSync(
      process.execPath,
      [
        "-e",
        `const p = require(${JSON.stringify(require.resolve("require-from-string"))})(process.argv[1]).handler();
         console.log(Object.keys(p).sort().join(","));`,
        text,
      ],
      { cwd, encoding: "utf8" },
    );
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stored-provider-"));
    dirs.push(dir);
    return dir;
  };

  test.each(["taskClaim", "taskAssignment", "workItemClaim", "workItemAssignment"] as const)(
    "%s: gives the provider object where the library is installed",
    (kind) => {
      const program = tempDir();
      fs.mkdirSync(path.join(program, "node_modules"));
      fs.symlinkSync(path.resolve(__dirname, "../.."), path.join(program, "node_modules", "pulumi-itential"), "dir");
      const result = evaluate(program, storedProvider(kind));
      expect(result.stderr).toBe("");
      expect(result.stdout.trim()).toBe("check,configure,create,delete,diff,read,update");
    },
  );

  test("fails naming the module where the library is not installed", () => {
    const result = evaluate(tempDir(), storedProvider("taskClaim"));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "Cannot find module 'pulumi-itential/dist/provider/dynamic/task-claim-provider.js'",
    );
  });
});

test("a program that only declares resources loads neither the SDK nor zod (lookups load them when run)", () => {
  const script = `
    require("@pulumi/pulumi");
    const lib = require(${JSON.stringify(path.resolve(__dirname, "../../dist/index.js"))});
    const loaded = (part) => Object.keys(require.cache).some((file) => file.includes(part));
    const before = { sdk: loaded("/dist/sdk/"), zod: loaded("/node_modules/zod/") };
    lib.getTask({ taskId: "not-a-uuid" }).catch(() => {
      console.log(JSON.stringify({ before, after: { sdk: loaded("/dist/sdk/"), zod: loaded("/node_modules/zod/") } }));
    });`;
  const result = spawnSync(process.execPath, ["-e", script], {
    cwd: path.resolve(__dirname, "../.."),
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  expect(JSON.parse(result.stdout)).toEqual({ before: { sdk: false, zod: false }, after: { sdk: true, zod: true } });
});
