// The resource classes' wiring, with Pulumi's mocks: type tokens, the inputs they send, the outputs
// they declare, and what goes into `__provider`. (That the engine runs them is test/e2e's job.)
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
import { TaskAssignment, TaskClaim } from "../../provider";

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

test("__provider loads the implementation by package name and captures no path or config", async () => {
  new TaskClaim("other", { taskId: TASK });
  await value(new TaskClaim("third", { taskId: TASK }).taskId);
  const providers = created.filter((r) => r.type.endsWith(":TaskClaim")).map((r) => String(r.inputs.__provider));
  // One module-level provider: the same string for every resource.
  expect(new Set(providers).size).toBe(1);
  const text = providers[0] as string;
  // Here the library is this checkout, not an installed package, so the serializer copies the
  // stub's methods; they still reach the implementation only by package name.
  expect(text).toContain('require("pulumi-itential/dist/provider/dynamic/host")');
  expect(text).not.toContain(process.cwd());
  expect(text).not.toMatch(/OperationsManagerClient|axios|zod|password/i);
});
