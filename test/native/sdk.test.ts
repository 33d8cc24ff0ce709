// The native classes for work items (pulumi-itential/native) against the schema the plugin serves:
// each class registers its schema token with the inputs given, declares every output the schema
// lists (a class missing one would leave it unset in programs), and findWorkItem invokes the
// plugin's function with the lookup's arguments. Pulumi's mocks stand in for the engine.
import * as pulumi from "@pulumi/pulumi";
import { FIND_WORK_ITEM, schema, WORK_ITEM_ASSIGNMENT, WORK_ITEM_CLAIM } from "../../provider/native/schema";

const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
const invoked: { token: string; inputs: Record<string, unknown> }[] = [];
const ITEM = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

pulumi.runtime.setMocks(
  {
    newResource(args) {
      created.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: String(args.inputs.workItemId), state: { ...args.inputs, owner: "svc-pipeline" } };
    },
    call(args) {
      invoked.push({ token: args.token, inputs: args.inputs });
      return { id: ITEM, name: args.inputs.name, executionType: "agent" };
    },
  },
  "project",
  "stack",
  false,
);

// Imported after the mocks are set, as Pulumi's testing guide asks.
import { findWorkItem, WorkItemAssignment, WorkItemClaim } from "../../provider/native/sdk";

const value = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));
const resources = (schema() as { resources: Record<string, { properties: Record<string, unknown> }> }).resources;

test.each([
  [WORK_ITEM_CLAIM, () => new WorkItemClaim("claim", { workItemId: ITEM, takeOver: true }), { takeOver: true }],
  [
    WORK_ITEM_ASSIGNMENT,
    () => new WorkItemAssignment("assign", { workItemId: ITEM, user: "alice" }),
    { user: "alice" },
  ],
] as const)("%s: its token, the inputs given, every schema output declared", async (token, make, given) => {
  const resource = make() as unknown as Record<string, pulumi.Output<unknown>>;
  expect(await value(resource.owner as pulumi.Output<string>)).toBe("svc-pipeline");
  expect(await value(resource.workItemId as pulumi.Output<string>)).toBe(ITEM);
  const sent = created.find((r) => r.type === token);
  expect(sent?.inputs).toMatchObject({ workItemId: ITEM, ...given });
  expect(sent?.inputs).not.toHaveProperty("taskId");
  // Each schema property is an output the class declares (registered, so the engine fills it).
  for (const name of Object.keys(resources[token]?.properties ?? {})) {
    expect([name, pulumi.Output.isInstance(resource[name])]).toEqual([name, true]);
  }
});

test("WorkItemClaim refuses a missing workItemId before anything is registered", () => {
  expect(() => new WorkItemClaim("none", {} as never)).toThrow("Missing required property 'workItemId'");
});

test("findWorkItem invokes the plugin's function with the lookup's arguments", async () => {
  const found = await findWorkItem({ executionId: "session-1", name: "Approve agent remediation", waitFor: "30s" });
  expect(found).toMatchObject({ id: ITEM, executionType: "agent" });
  expect(invoked).toEqual([
    {
      token: FIND_WORK_ITEM,
      inputs: expect.objectContaining({ executionId: "session-1", name: "Approve agent remediation", waitFor: "30s" }),
    },
  ]);
});
