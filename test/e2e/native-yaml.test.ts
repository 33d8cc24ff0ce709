// The native plugin from Pulumi YAML, through the real CLI on the packed library, against emulator
// processes: the example project (examples/yaml-approval) run as a user runs it (preview sends
// nothing, up, refresh after a person's release, up, import by id, destroy), then two explicit
// providers on two platforms with their own credentials, then an agent session's Work Center item
// held with findWorkItem and WorkItemClaim. One sandbox and one stack for the whole lifecycle: each
// step builds on the one before, as a user's stack does.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, DEFAULT_AGENT_SESSION, DEFAULT_WORKFLOW } from "../../emulator";
import { OperationsManagerClient, type WorkItem } from "../../sdk";
import { EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";
import { type CliResult, PulumiSandbox, REPO_ROOT, yamlHostDir } from "./harness";

jest.setTimeout(600_000);

const emulator = useEmulatorProcess({ resetEachTest: false });
let sandbox: PulumiSandbox;
let project: string;
let yamlDir: string;

const admin = (url = emulator().url) =>
  new OperationsManagerClient({
    baseUrl: url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });

/** A new job's approval task: its job and task ids. */
async function newJob(url = emulator().url): Promise<{ jobId: string; taskId: string }> {
  const job = await admin(url).startJob(DEFAULT_WORKFLOW);
  const page = await admin(url).listTasks({ filters: { equals: { "job._id": job.id, name: "Approve change" } } });
  return { jobId: job.id, taskId: page.items[0]?.id as string };
}

async function ownerOf(taskId: string, url = emulator().url): Promise<string | undefined> {
  return (await admin(url).getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;
}

/** The writes a platform saw since its log was last cleared (logins aside), as "POST path". */
async function writes(e: EmulatorProcess = emulator()): Promise<string[]> {
  return (await e.requests())
    .filter((r) => r.method !== "GET" && r.path !== "/login" && r.path !== "/oauth/token")
    .map((r) => `${r.method} ${r.path}`);
}

/** `pulumi <args>` in `cwd` with the YAML language host on PATH; `ok` fails on a non-zero exit. */
async function run(args: string[], cwd = project, ok = true): Promise<CliResult> {
  const result = await sandbox.cli(args, cwd, { PATH: `${yamlDir}${path.delimiter}${sandbox.env.PATH}` });
  if (ok && result.code !== 0) {
    throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** Files under `dir` that hold any of `secrets` as they are or as Basic credentials. */
function filesHolding(dir: string, secrets: string[], username: string): string[] {
  const forms = secrets.flatMap((s) => [s, Buffer.from(`${username}:${s}`).toString("base64")]);
  return filesUnder(dir).filter((file) => {
    const text = fs.readFileSync(file, "latin1");
    return forms.some((form) => text.includes(form));
  });
}

let first: { jobId: string; taskId: string };

beforeAll(() => {
  // Built once and cached by the e2e global set-up (test/e2e/global-setup.ts).
  yamlDir = yamlHostDir();
  sandbox = PulumiSandbox.create();
  project = sandbox.copyProject(path.join(REPO_ROOT, "examples", "yaml-approval"));
});

afterAll(() => sandbox?.dispose());

test("the example: preview sends nothing; up claims the job's task; no secret in state files or -v=9 logs", async () => {
  first = await newJob();
  await run(["stack", "init", "ci"]);
  await run(["config", "set", "itential:baseUrl", emulator().url]);
  await run(["config", "set", "itential:username", C.pipeline.username]);
  await run(["config", "set", "--secret", "itential:password", C.pipeline.password]);
  await run(["config", "set", "jobId", first.jobId]);

  await emulator().control("DELETE", "/requests");
  const preview = await run(["preview", "--json"]);
  const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
  expect(steps.map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`)).toContain(
    "create itential:index:TaskClaim::approval",
  );
  expect(await writes()).toEqual([]);
  expect(await ownerOf(first.taskId)).toBeUndefined();

  const up = await run(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"], project);
  expect(await ownerOf(first.taskId)).toBe(C.pipeline.username);
  const outputs = JSON.parse((await run(["stack", "output", "--json"])).stdout);
  expect(outputs).toMatchObject({ taskId: first.taskId, owner: C.pipeline.username, taskName: "Approve change" });

  // The password reached the platform (the claim was made as svc-pipeline) and nowhere else: not
  // the state, not the engine's log.
  expect(
    (await emulator().requests()).filter((r) => r.method === "POST" && r.path.endsWith(`${first.taskId}/claim`)),
  ).toEqual([expect.objectContaining({ username: C.pipeline.username, status: 200 })]);
  for (const [where, text] of [
    ["stdout", up.stdout],
    ["stderr (-v=9)", up.stderr],
    ["stack export", (await run(["stack", "export"])).stdout],
  ]) {
    expect([where, text.includes(C.pipeline.password)]).toEqual([where, false]);
  }
  expect(up.stderr.length).toBeGreaterThan(10_000); // the -v=9 log was there to be read
  expect(filesHolding(sandbox.root, [C.pipeline.password], C.pipeline.username)).toEqual([]);
  expect(fs.readFileSync(path.join(project, "Pulumi.ci.yaml"), "utf8")).toMatch(/itential:password:\s+secure: v1:/);
});

test("refresh after a person's release: the plan names owner in its detailed diff and says why; up claims it again", async () => {
  await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${first.taskId}/release`);
  await run(["refresh", "--yes", "--skip-preview"]);
  const state = JSON.parse((await run(["stack", "export"])).stdout);
  const claim = state.deployment.resources.find((r: { type: string }) => r.type === "itential:index:TaskClaim");
  expect(claim.outputs.owner).toBeUndefined();

  await emulator().control("DELETE", "/requests");
  const preview = await run(["preview", "--json", "--diff"]);
  const plan = JSON.parse(preview.stdout) as {
    steps: { op: string; urn: string; detailedDiff?: Record<string, { kind: string; inputDiff: boolean }> }[];
    diagnostics?: { message: string }[];
  };
  const step = plan.steps.find((s) => s.urn.endsWith("::approval"));
  expect(step?.op).toBe("update");
  expect(step?.detailedDiff).toEqual({ owner: { kind: "update", inputDiff: false } });
  expect(preview.stdout).toContain("released (nobody holds it)");
  expect(await writes()).toEqual([]);

  await run(["up", "--yes", "--skip-preview"]);
  expect(await ownerOf(first.taskId)).toBe(C.pipeline.username);
});

test("a new job: `config set jobId` then up releases the old task and claims the new one (a replace)", async () => {
  const next = await newJob();
  await run(["config", "set", "jobId", next.jobId]);
  await emulator().control("DELETE", "/requests");
  // The engine checks the replacement a second time: not a second resource on the new task.
  const preview = await run(["preview", "--json"]);
  const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
  expect(steps.filter((s) => s.urn.endsWith("::approval")).map((s) => s.op)).toEqual(
    expect.arrayContaining([expect.stringMatching(/replace/)]),
  );
  await run(["up", "--yes", "--skip-preview"]);
  expect(await writes()).toEqual([
    `POST /operations-manager/tasks/${first.taskId}/release`,
    `POST /operations-manager/tasks/${next.taskId}/claim`,
  ]);
  expect(await ownerOf(first.taskId)).toBeUndefined();
  expect(await ownerOf(next.taskId)).toBe(C.pipeline.username);
  first = next;
});

test("import by id adopts a task this account holds; a task held by another is refused, naming the holder", async () => {
  const mine = await newJob();
  const theirs = await newJob();
  await emulator().actAs(C.pipeline.username, "POST", `/operations-manager/tasks/${mine.taskId}/claim`);
  await emulator().actAs("alice", "POST", `/operations-manager/tasks/${theirs.taskId}/claim`);

  const refused = await run(["import", "itential:index:TaskClaim", "theirs", theirs.taskId, "--yes"], project, false);
  expect(refused.code).not.toBe(0);
  expect(refused.stdout).toContain(`is held by alice since`);
  expect(await ownerOf(theirs.taskId)).toBe("alice");

  await emulator().control("DELETE", "/requests");
  const imported = await run(["import", "itential:index:TaskClaim", "mine", mine.taskId, "--yes"]);
  expect(imported.stdout).toContain("type: itential:TaskClaim");
  expect(imported.stdout).toMatch(/adopt: true/);
  expect(await writes()).toEqual([]);
  const state = JSON.parse((await run(["stack", "export"])).stdout);
  const adopted = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::mine"));
  expect(adopted).toMatchObject({ id: mine.taskId, outputs: { adopted: true, owner: C.pipeline.username } });

  // Destroy: the claim the stack made is released; the adopted one is left to its account.
  await run(["state", "unprotect", adopted.urn, "--yes"]);
  await run(["destroy", "--yes", "--skip-preview"]);
  expect(await ownerOf(first.taskId)).toBeUndefined();
  expect(await ownerOf(mine.taskId)).toBe(C.pipeline.username);
});

test("two explicit providers on two platforms: each platform receives only its own credentials", async () => {
  const other = await EmulatorProcess.start();
  try {
    const prod = await newJob();
    const staging = await newJob(other.url);
    const twoPlatforms = sandbox.copyProject(path.join(__dirname, "fixtures", "yaml-two-platforms"));
    await run(["stack", "init", "two"], twoPlatforms);
    await run(["config", "set", "prodUrl", emulator().url], twoPlatforms);
    await run(["config", "set", "--secret", "prodPassword", C.pipeline.password], twoPlatforms);
    await run(["config", "set", "stagingUrl", other.url], twoPlatforms);
    await run(["config", "set", "--secret", "stagingPassword", C.approvers[0].password], twoPlatforms);
    await run(["config", "set", "prodTask", prod.taskId], twoPlatforms);
    await run(["config", "set", "stagingTask", staging.taskId], twoPlatforms);
    await emulator().control("DELETE", "/requests");

    await other.control("DELETE", "/requests");
    const up = await run(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"], twoPlatforms);
    // Who each platform saw (logins carry no user yet; their credentials are the users' own).
    const users = async (e: EmulatorProcess) =>
      [...new Set((await e.requests()).map((r) => r.username).filter((u) => u !== undefined))].sort();
    expect(await users(emulator())).toEqual([C.pipeline.username]);
    expect(await users(other)).toEqual(["alice"]);
    expect(await ownerOf(prod.taskId)).toBe(C.pipeline.username);
    expect(await ownerOf(staging.taskId, other.url)).toBe("alice");
    const outputs = JSON.parse((await run(["stack", "output", "--json"], twoPlatforms)).stdout);
    expect(outputs).toEqual({ prodOwner: "svc-pipeline", stagingOwner: "alice", stagingName: "Approve change" });

    // The explicit providers' passwords (program inputs) are secrets: not in state, not at -v=9.
    const secrets = [C.pipeline.password, C.approvers[0].password];
    for (const text of [up.stdout, up.stderr, (await run(["stack", "export"], twoPlatforms)).stdout]) {
      expect(secrets.filter((s) => text.includes(s))).toEqual([]);
    }
    expect(filesHolding(sandbox.root, secrets, C.pipeline.username)).toEqual([]);

    await run(["destroy", "--yes", "--skip-preview"], twoPlatforms);
    expect(await ownerOf(prod.taskId)).toBeUndefined();
    expect(await ownerOf(staging.taskId, other.url)).toBeUndefined();
  } finally {
    await other.stop();
  }
});

test("a Work Center item from YAML: findWorkItem finds the agent session's approval, WorkItemClaim holds it; refresh after a person's release names owner; destroy releases", async () => {
  const ITEMS = "/work-center-service/work-items";
  const { items } = await admin().searchWorkItems({
    filters: [{ field: "executionName", operator: "equals", value: DEFAULT_AGENT_SESSION }],
  });
  const item = items[0] as WorkItem;
  const holder = async () => {
    const owner = (await admin().getWorkItem(item.id)).owner;
    return owner ? (await admin().getAccount(owner.id)).username : undefined;
  };
  // Work Center's writes (its search is a POST, and reads nothing into being).
  const patches = async () =>
    (await emulator().requests()).filter((r) => r.method === "PATCH").map((r) => `${r.method} ${r.path}`);
  const clear = () => emulator().control("DELETE", "/requests");

  const workItem = sandbox.copyProject(path.join(__dirname, "fixtures", "yaml-work-item"));
  await run(["stack", "init", "wi"], workItem);
  await run(["config", "set", "itential:baseUrl", emulator().url], workItem);
  await run(["config", "set", "itential:username", C.pipeline.username], workItem);
  await run(["config", "set", "--secret", "itential:password", C.pipeline.password], workItem);
  await run(["config", "set", "executionId", item.execution?.id as string], workItem);

  await clear();
  const preview = await run(["preview", "--json"], workItem);
  const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
  expect(steps.map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`)).toContain(
    "create itential:index:WorkItemClaim::agentApproval",
  );
  expect(await patches()).toEqual([]);
  expect(await holder()).toBeUndefined();

  await run(["up", "--yes", "--skip-preview"], workItem);
  expect(await patches()).toEqual([`PATCH ${ITEMS}/${item.id}/claim`]);
  expect(await holder()).toBe(C.pipeline.username);
  const outputs = JSON.parse((await run(["stack", "output", "--json"], workItem)).stdout);
  expect(outputs).toEqual({
    workItemId: item.id,
    name: "Approve agent remediation",
    owner: C.pipeline.username,
    status: "pending",
  });

  // A person (with the pipeline's login, as a colleague might) releases it in Work Center.
  await emulator().actAs(C.pipeline.username, "PATCH", `${ITEMS}/${item.id}/release`);
  await run(["refresh", "--yes", "--skip-preview"], workItem);
  await clear();
  const plan = await run(["preview", "--json", "--diff"], workItem);
  const step = (
    JSON.parse(plan.stdout) as {
      steps: { op: string; urn: string; detailedDiff?: Record<string, { kind: string; inputDiff: boolean }> }[];
    }
  ).steps.find((s) => s.urn.endsWith("::agentApproval"));
  expect(step?.op).toBe("update");
  expect(step?.detailedDiff).toEqual({ owner: { kind: "update", inputDiff: false } });
  expect(plan.stdout).toContain("work item");
  expect(await patches()).toEqual([]);

  await run(["up", "--yes", "--skip-preview"], workItem);
  expect(await patches()).toEqual([`PATCH ${ITEMS}/${item.id}/claim`]);
  expect(await holder()).toBe(C.pipeline.username);

  await clear();
  await run(["destroy", "--yes", "--skip-preview"], workItem);
  expect(await patches()).toEqual([`PATCH ${ITEMS}/${item.id}/release`]);
  expect(await holder()).toBeUndefined();
});
