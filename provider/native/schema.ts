// The package schema of the native plugin (`itential`): what GetSchema answers, what YAML programs
// are checked against, and what the hand-written TypeScript classes (native/sdk/) mirror. Built
// from the same tables as the rest of the provider: every setting of config.ts is a provider
// config key, every input the lifecycle checks (lifecycle/inputs.ts) a resource input.
import * as fs from "node:fs";
import * as path from "node:path";
import { SETTINGS, type SettingName } from "../config";
import { DRIFT_CHOICES } from "../lifecycle/inputs";

export const PACKAGE = "itential";
export const TASK_CLAIM = "itential:index:TaskClaim";
export const TASK_ASSIGNMENT = "itential:index:TaskAssignment";
export const GET_TASK = "itential:index:getTask";
export const FIND_TASK = "itential:index:findTask";
export const WORK_ITEM_CLAIM = "itential:index:WorkItemClaim";
export const WORK_ITEM_ASSIGNMENT = "itential:index:WorkItemAssignment";
export const FIND_WORK_ITEM = "itential:index:findWorkItem";

/** The npm package's version: the plugin's and the schema's. */
export function packageVersion(): string {
  // Compiled (dist/provider/native) or run from source (provider/native): the package root above.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

type Property = { type: string; description: string; secret?: boolean };
type Properties = Record<string, Property & { defaultInfo?: { environment: string[] } }>;

const NUMBERS: readonly SettingName[] = ["timeoutMs", "maxRetries", "retryDelayMs", "operationTimeoutMs"];

const SETTING_DOCS: Record<SettingName, string> = {
  baseUrl: "The platform root, e.g. https://iap.example.com:3443: the only place these credentials go.",
  username: "A local or LDAP account (with password).",
  password: "The account's password.",
  clientId: "OAuth client id (with clientSecret).",
  clientSecret: "OAuth client secret.",
  token: "A token obtained elsewhere.",
  authType: 'With a username: "login" (default: POST /login, then a token) or "basic".',
  caCert: "PEM text or file: the CA that signed the platform's certificate.",
  clientCert: "Mutual TLS: the client certificate, PEM text or file.",
  clientKey: "Mutual TLS: the client certificate's key, PEM text or file.",
  insecure: "Skip certificate verification (with a warning); prefer caCert.",
  timeoutMs: "Timeout of one HTTP request, in milliseconds.",
  maxRetries: "Retries of a failed request (connection errors, 429, 502-504).",
  retryDelayMs: "The first retry's backoff in milliseconds; it doubles with each retry (capped at 8 s), with jitter.",
  operationTimeoutMs: "Upper bound on one provider operation (create, read, update, delete), retries included.",
};

/** The type a setting has in the schema (config.ts reads every one as text). */
export function settingType(name: SettingName): "string" | "integer" | "boolean" {
  if (NUMBERS.includes(name)) return "integer";
  return name === "insecure" ? "boolean" : "string";
}

function config(): Properties {
  const properties: Properties = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    properties[name] = {
      type: settingType(name),
      description: `${SETTING_DOCS[name]} Default: the ${SETTINGS[name].env} environment variable (default provider only).`,
      defaultInfo: { environment: [SETTINGS[name].env] },
      ...(SETTINGS[name].secret ? { secret: true } : {}),
    };
  }
  return properties;
}

/** The settings as an explicit provider's inputs: no environment default, said in words too. */
function explicitInputs(settings: Properties): Properties {
  return Object.fromEntries(
    Object.entries(settings).map(([name, { defaultInfo: _, description, ...rest }]) => [
      name,
      {
        ...rest,
        description: description?.replace(/ Default: the \S+ environment variable \(default provider only\)\.$/, ""),
      },
    ]),
  );
}

const string = (description: string): Property => ({ type: "string", description });
const boolean = (description: string): Property => ({ type: "boolean", description });

/** Inputs both resources take (lifecycle/inputs.ts OwnershipInputs). */
const OWNERSHIP: Properties = {
  taskId: string("The task document's id (a UUID), e.g. from findTask."),
  releaseOnDestroy: boolean("Release the task when the resource is destroyed (default true)."),
  adopt: boolean(
    "Record a claim the account already holds instead of failing; an adopted claim is never released by this resource (default false).",
  ),
  onDrift: {
    ...string(
      `After refresh found the task held by someone else or by nobody: ${DRIFT_CHOICES.join(", ")} (default reclaim).`,
    ),
  },
  baseUrl: string("Must name the provider's platform, when given."),
};

const FACTS: Properties = {
  platformUrl: string("The platform the task lives on, in one spelling."),
  taskName: string("The task's name."),
  jobId: string("The task's job."),
  status: string("The task's status."),
  owner: string("Username of whoever holds the task now; unset when nobody does."),
  ownerId: string("Account id of whoever holds the task now."),
  claimTime: string("When the current holder claimed it (ISO-8601 UTC)."),
  heldSince: string("The claim time of the claim this resource made or adopted."),
  adopted: boolean("True when the resource recorded a claim it did not make."),
};

const TASK_CLAIM_INPUTS: Properties = {
  ...OWNERSHIP,
  takeOver: boolean("Take the task over (assign it to this account) when another person holds it (default false)."),
};

const TASK_ASSIGNMENT_INPUTS: Properties = {
  ...OWNERSHIP,
  user: string('The username the task is assigned to (or "userId").'),
  userId: string('The account id the task is assigned to (or "user").'),
};

const TASK_INFO: Properties = {
  id: string("The task document's id: what TaskClaim and TaskAssignment take as taskId."),
  name: string("The task's name."),
  type: string("The task's type."),
  status: string("The task's status."),
  jobId: string("The task's job."),
  taskKey: string("The task's key inside its job."),
  owner: string("Username of whoever holds the task."),
  ownerId: string("Account id of whoever holds the task."),
  claimTime: string("When the current holder claimed it."),
};

/**
 * The Work Center resources' inputs: the task resources', with `workItemId` for `taskId` (the
 * lifecycle's work item checks, inputs.ts, take the same names), and the same wording about an item.
 */
function forWorkItems(inputs: Properties): Properties {
  const { taskId: _, ...rest } = inputs;
  return {
    workItemId: string("The Work Center item's id (a UUID), e.g. from findWorkItem."),
    ...Object.fromEntries(
      Object.entries(rest).map(([name, p]) => [
        name,
        { ...p, description: p.description.replace(/\btask\b/g, "work item") },
      ]),
    ),
  };
}

const WORK_ITEM_CLAIM_INPUTS = forWorkItems(TASK_CLAIM_INPUTS);
const WORK_ITEM_ASSIGNMENT_INPUTS = forWorkItems(TASK_ASSIGNMENT_INPUTS);

/** A work item's facts in state: the task facts with `name` for `taskName`, and its executions. */
const WORK_ITEM_FACTS: Properties = {
  ...Object.fromEntries(
    Object.entries(FACTS)
      .filter(([name]) => name !== "taskName")
      .map(([name, p]) => [name, { ...p, description: p.description.replace(/\btask\b/g, "work item") }]),
  ),
  name: string("The work item's name."),
  executionId: string("The execution that created it: a workflow's job, or an agent session."),
  rootExecutionId: string("The root execution (the agent session or job it belongs to)."),
  jobId: string("The work item's job, for a workflow's item."),
};

const WORK_ITEM_INFO: Properties = {
  id: string("The work item's id: what WorkItemClaim and WorkItemAssignment take as workItemId."),
  name: string("The work item's name."),
  status: string("The work item's status."),
  executionId: string("The execution that created it: a job id for a workflow's item, else an agent session's id."),
  executionType: string("workflow or agent, as Work Center says."),
  rootExecutionId: string("The root execution."),
  jobId: string("The job, for a workflow's item."),
  owner: string("Username of whoever holds the work item."),
  ownerId: string("Account id of whoever holds the work item."),
  claimTime: string("When the current holder claimed it."),
};

/** Input names per resource token: what check passes on (the lifecycle's own check drops the rest). */
export const INPUTS: Record<string, readonly string[]> = {
  [TASK_CLAIM]: Object.keys(TASK_CLAIM_INPUTS),
  [TASK_ASSIGNMENT]: Object.keys(TASK_ASSIGNMENT_INPUTS),
  [WORK_ITEM_CLAIM]: Object.keys(WORK_ITEM_CLAIM_INPUTS),
  [WORK_ITEM_ASSIGNMENT]: Object.keys(WORK_ITEM_ASSIGNMENT_INPUTS),
};

export function schema(): Record<string, unknown> {
  const configProperties = config();
  return {
    name: PACKAGE,
    displayName: "Itential",
    version: packageVersion(),
    description: "Claim, assign and release manual tasks and Work Center items in the Itential Automation Platform",
    license: "Apache-2.0",
    config: { variables: configProperties },
    provider: {
      description: "A platform with its own credentials: nothing configured for it is sent to another platform.",
      // Without the environment defaults: generated SDKs fill an input from its defaultInfo, so an
      // explicit provider would take ITENTIAL_* (another platform's credentials, maybe), which it
      // must never do. The stack's default provider keeps them (config.variables).
      inputProperties: explicitInputs(configProperties),
      properties: Object.fromEntries(
        Object.entries(explicitInputs(configProperties)).filter(([, p]) => p.type === "string"),
      ),
    },
    resources: {
      [TASK_CLAIM]: {
        description: "The account this provider acts as holds a task, by a claim this resource made (or adopted).",
        inputProperties: TASK_CLAIM_INPUTS,
        requiredInputs: ["taskId"],
        properties: {
          ...TASK_CLAIM_INPUTS,
          ...FACTS,
          claimant: string("Username of the account the claim is for."),
          claimantId: string("Account id of the account the claim is for."),
        },
        required: ["taskId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "platformUrl"],
      },
      [TASK_ASSIGNMENT]: {
        description: "A named person holds a task, by an assignment this resource made (or adopted).",
        inputProperties: TASK_ASSIGNMENT_INPUTS,
        requiredInputs: ["taskId"],
        properties: {
          ...TASK_ASSIGNMENT_INPUTS,
          ...FACTS,
          assignee: string("Username of the person the task is assigned to."),
          assigneeId: string("Account id of the person the task is assigned to."),
        },
        required: ["taskId", "releaseOnDestroy", "adopt", "onDrift", "platformUrl"],
      },
      [WORK_ITEM_CLAIM]: {
        description:
          "The account this provider acts as holds a Work Center item (Platform 6.5+: an agent session's approval), by a claim this resource made (or adopted).",
        inputProperties: WORK_ITEM_CLAIM_INPUTS,
        requiredInputs: ["workItemId"],
        properties: {
          ...WORK_ITEM_CLAIM_INPUTS,
          ...WORK_ITEM_FACTS,
          claimant: string("Username of the account the claim is for."),
          claimantId: string("Account id of the account the claim is for."),
        },
        required: ["workItemId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "platformUrl"],
      },
      [WORK_ITEM_ASSIGNMENT]: {
        description:
          "A named person holds a Work Center item (Platform 6.5+), by an assignment this resource made (or adopted).",
        inputProperties: WORK_ITEM_ASSIGNMENT_INPUTS,
        requiredInputs: ["workItemId"],
        properties: {
          ...WORK_ITEM_ASSIGNMENT_INPUTS,
          ...WORK_ITEM_FACTS,
          assignee: string("Username of the person the work item is assigned to."),
          assigneeId: string("Account id of the person the work item is assigned to."),
        },
        required: ["workItemId", "releaseOnDestroy", "adopt", "onDrift", "platformUrl"],
      },
    },
    functions: {
      [GET_TASK]: {
        description: "A task by id, with its owner and status as IAP has them now.",
        inputs: {
          properties: { taskId: TASK_CLAIM_INPUTS.taskId, baseUrl: OWNERSHIP.baseUrl },
          required: ["taskId"],
        },
        outputs: { properties: TASK_INFO, required: ["id"] },
      },
      [FIND_TASK]: {
        description: "Exactly one task of a job by name (and type or status); waitFor keeps looking until it appears.",
        inputs: {
          properties: {
            jobId: string("The job's id (24 hexadecimal characters)."),
            name: string('The task\'s name, exactly, e.g. "Approve change".'),
            type: string("The task's type."),
            status: string("The task's status."),
            waitFor: string('Keep looking until the task appears: "30s", "5m", "1h".'),
            baseUrl: OWNERSHIP.baseUrl,
          },
          required: ["jobId", "name"],
        },
        outputs: { properties: TASK_INFO, required: ["id"] },
      },
      [FIND_WORK_ITEM]: {
        description:
          "Exactly one Work Center item of an execution (an agent session or a job) by name (and status); waitFor keeps looking until it appears.",
        inputs: {
          properties: {
            executionId: string("The execution: an agent session's id, or a workflow's job id (or jobId)."),
            jobId: string("A workflow's job id (24 hexadecimal characters); or executionId."),
            name: string('The work item\'s name, exactly, e.g. "Approve agent remediation".'),
            status: string('The work item\'s status, e.g. "pending".'),
            waitFor: string('Keep looking until the work item appears: "30s", "5m", "1h".'),
            baseUrl: OWNERSHIP.baseUrl,
          },
          required: ["name"],
        },
        outputs: { properties: WORK_ITEM_INFO, required: ["id"] },
      },
    },
    language: {
      nodejs: { packageName: "pulumi-itential", dependencies: { "@pulumi/pulumi": ">=3.139.0 <4" } },
    },
  };
}
