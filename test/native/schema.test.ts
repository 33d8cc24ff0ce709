// The native plugin's schema against what the rules accept: every input the schema declares is one
// the lifecycle's check takes (with the schema's type), every input the lifecycle takes is in the
// schema, every setting is a config key (secrets marked), and the shapes the engine reads are there.
import { SETTINGS } from "../../provider/config";
import {
  checkTaskAssignmentInputs,
  checkTaskClaimInputs,
  checkWorkItemAssignmentInputs,
  checkWorkItemClaimInputs,
} from "../../provider/lifecycle/inputs";
import {
  FIND_TASK,
  FIND_WORK_ITEM,
  GET_TASK,
  INPUTS,
  PACKAGE,
  packageVersion,
  schema,
  TASK_ASSIGNMENT,
  TASK_CLAIM,
  WORK_ITEM_ASSIGNMENT,
  WORK_ITEM_CLAIM,
} from "../../provider/native/schema";

type Prop = { type: string; secret?: boolean; description: string };
type Resource = {
  inputProperties: Record<string, Prop>;
  properties: Record<string, Prop>;
  requiredInputs: string[];
  required: string[];
};
const s = schema() as {
  name: string;
  version: string;
  config: { variables: Record<string, Prop> };
  provider: { inputProperties: Record<string, Prop> };
  resources: Record<string, Resource>;
  functions: Record<string, { inputs: { properties: Record<string, Prop>; required: string[] } }>;
};

const TASK = "0e8b7f3c-5d2a-4c1e-9f6b-2a7d9c4e1b30";
/** A valid value of each schema type, for each input, and one of the wrong type. */
const VALID: Record<string, unknown> = {
  taskId: TASK,
  workItemId: TASK,
  takeOver: true,
  releaseOnDestroy: false,
  adopt: true,
  onDrift: "ignore",
  baseUrl: "https://iap.example.com",
  user: "alice",
  userId: "5f0c0ffee0123456789abcde",
};

const CHECKS = {
  [TASK_CLAIM]: checkTaskClaimInputs,
  [TASK_ASSIGNMENT]: checkTaskAssignmentInputs,
  [WORK_ITEM_CLAIM]: checkWorkItemClaimInputs,
  [WORK_ITEM_ASSIGNMENT]: checkWorkItemAssignmentInputs,
} as const;

/** Which input names what a resource holds. */
const KEY: Record<string, string> = {
  [TASK_CLAIM]: "taskId",
  [TASK_ASSIGNMENT]: "taskId",
  [WORK_ITEM_CLAIM]: "workItemId",
  [WORK_ITEM_ASSIGNMENT]: "workItemId",
};
const ASSIGNMENTS = [TASK_ASSIGNMENT, WORK_ITEM_ASSIGNMENT];

test("the package: name, version of the npm package, JSON the engine can read", () => {
  expect(s.name).toBe(PACKAGE);
  expect(s.version).toBe(require("../../package.json").version);
  expect(packageVersion()).toBe(s.version);
  expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  expect(Object.keys(s.resources).sort()).toEqual(
    [TASK_ASSIGNMENT, TASK_CLAIM, WORK_ITEM_ASSIGNMENT, WORK_ITEM_CLAIM].sort(),
  );
  expect(Object.keys(s.functions).sort()).toEqual([FIND_TASK, FIND_WORK_ITEM, GET_TASK].sort());
  for (const token of [...Object.keys(s.resources), ...Object.keys(s.functions)]) {
    expect(token).toMatch(/^itential:index:[A-Za-z]+$/);
  }
});

test.each([TASK_CLAIM, TASK_ASSIGNMENT, WORK_ITEM_CLAIM, WORK_ITEM_ASSIGNMENT])(
  "%s: each schema input, of its schema type, passes the lifecycle's check",
  (token) => {
    const resource = s.resources[token] as Resource;
    const check = CHECKS[token as keyof typeof CHECKS];
    const key = KEY[token] as string;
    const assignment = ASSIGNMENTS.includes(token);
    const base = assignment ? { [key]: TASK, user: "alice" } : { [key]: TASK };
    for (const [name, prop] of Object.entries(resource.inputProperties)) {
      const value = VALID[name];
      expect([name, typeof value]).toEqual([name, prop.type]);
      const news = name === "userId" ? { [key]: TASK, userId: value } : { ...base, [name]: value };
      expect([name, check(news).failures]).toEqual([name, []]);
      // …and the check keeps it (an input the check dropped would never reach the rules).
      expect([name, (check(news).inputs as unknown as Record<string, unknown>)[name]]).toEqual([name, value]);
      // A value of another type is refused, naming the input.
      const wrong = prop.type === "boolean" ? "yes" : 42;
      expect(check({ ...news, [name]: wrong }).failures.map((f) => f.property)).toContain(name);
    }
    expect(resource.requiredInputs).toEqual([key]);
    expect(check({}).failures.map((f) => f.property)).toContain(key);
    // The other resource family's key is no input of this one.
    expect(Object.keys(resource.inputProperties)).not.toContain(key === "taskId" ? "workItemId" : "taskId");
    // The inputs a check passes on are exactly the schema's (what `pulumi import` writes into a program).
    expect([...(INPUTS[token] ?? [])].sort()).toEqual(Object.keys(resource.inputProperties).sort());
    const kept = Object.keys(check({ ...base, ...VALID, ...(assignment ? { userId: undefined } : {}) }).inputs);
    for (const key of kept) expect(Object.keys(resource.inputProperties)).toContain(key);
    // Every output is declared, inputs included.
    for (const key of Object.keys(resource.inputProperties)) expect(Object.keys(resource.properties)).toContain(key);
  },
);

test("every setting is a config variable and a provider input; secrets are marked secret, and only they", () => {
  expect(Object.keys(s.config.variables).sort()).toEqual(Object.keys(SETTINGS).sort());
  expect(Object.keys(s.provider.inputProperties).sort()).toEqual(Object.keys(s.config.variables).sort());
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const variable = s.config.variables[name] as Prop & { defaultInfo: { environment: string[] } };
    expect([name, variable.secret === true]).toEqual([name, setting.secret]);
    expect(variable.defaultInfo.environment).toEqual([setting.env]);
    // An explicit provider never defaults from the environment: a generated SDK would fill it from ITENTIAL_*.
    const input = s.provider.inputProperties[name] as Prop & { defaultInfo?: unknown; description?: string };
    expect([name, input.defaultInfo]).toEqual([name, undefined]);
    expect([name, input.type, input.secret === true]).toEqual([name, variable.type, setting.secret]);
    expect(input.description).not.toContain(setting.env);
  }
  expect(s.config.variables.timeoutMs?.type).toBe("integer");
  expect(s.config.variables.insecure?.type).toBe("boolean");
});

test("functions declare the lookups' arguments", () => {
  expect(s.functions[GET_TASK]?.inputs.required).toEqual(["taskId"]);
  expect(s.functions[FIND_TASK]?.inputs.required).toEqual(["jobId", "name"]);
  expect(Object.keys(s.functions[FIND_TASK]?.inputs.properties ?? {})).toEqual(
    expect.arrayContaining(["jobId", "name", "type", "status", "waitFor", "baseUrl"]),
  );
});

test("findWorkItem declares the lookup's arguments, and returns what WorkItemClaim takes", () => {
  const find = s.functions[FIND_WORK_ITEM] as {
    inputs: { properties: Record<string, Prop>; required: string[] };
    outputs: { properties: Record<string, Prop> };
  };
  expect(find.inputs.required).toEqual(["name"]);
  expect(Object.keys(find.inputs.properties).sort()).toEqual(
    ["baseUrl", "executionId", "jobId", "name", "status", "waitFor"].sort(),
  );
  // The outputs are the lookup's WorkItemInfo (lifecycle/lookups.ts workItemInfoOf).
  expect(Object.keys(find.outputs.properties)).toEqual(
    expect.arrayContaining(["id", "name", "status", "executionId", "executionType", "rootExecutionId", "owner"]),
  );
  // A work item's state: `name` and its executions, never the task's names.
  const claim = s.resources[WORK_ITEM_CLAIM] as Resource;
  expect(Object.keys(claim.properties)).toEqual(
    expect.arrayContaining(["workItemId", "name", "executionId", "rootExecutionId", "owner", "claimant"]),
  );
  expect(Object.keys(claim.properties)).not.toContain("taskName");
  expect(Object.keys(claim.properties)).not.toContain("taskId");
});
