// The native plugin from a TypeScript program (pulumi-itential/native: TaskClaim, Provider,
// getTaskOutput), through the real CLI on the packed library, against an emulator process: preview
// sends nothing, up, refresh after a person's release, up, import by id through the explicit
// provider (and a refused import naming the holder), destroy. One sandbox and one stack: each step
// builds on the one before, as a user's stack does.
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, DEFAULT_WORKFLOW } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { type CliResult, PulumiSandbox } from "./harness";

jest.setTimeout(600_000);

const emulator = useEmulatorProcess({ resetEachTest: false });
let sandbox: PulumiSandbox;
let project: string;

const admin = () =>
  new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });

async function newTask(): Promise<string> {
  const job = await admin().startJob(DEFAULT_WORKFLOW);
  const page = await admin().listTasks({ filters: { equals: { "job._id": job.id, name: "Approve change" } } });
  return page.items[0]?.id as string;
}

const ownerOf = async (taskId: string) =>
  (await admin().getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;

async function writes(): Promise<string[]> {
  return (await emulator().requests())
    .filter((r) => r.method !== "GET" && r.path !== "/login" && r.path !== "/oauth/token")
    .map((r) => `${r.method} ${r.path}`);
}

async function run(args: string[], ok = true): Promise<CliResult> {
  const result = await sandbox.cli(args, project);
  if (ok && result.code !== 0) {
    throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

let taskId: string;
const PROVIDER_URN = "urn:pulumi:ts::native-ts::pulumi:providers:itential::prod";

beforeAll(() => {
  sandbox = PulumiSandbox.create();
  project = sandbox.copyProject(path.join(__dirname, "fixtures", "native-ts"));
});

afterAll(() => sandbox?.dispose());

test("preview sends nothing; up claims the task through the explicit provider; the password is a secret in state", async () => {
  taskId = await newTask();
  await run(["stack", "init", "ts"]);
  await run(["config", "set", "url", emulator().url]);
  await run(["config", "set", "user", C.pipeline.username]);
  await run(["config", "set", "--secret", "password", C.pipeline.password]);
  await run(["config", "set", "taskId", taskId]);

  await emulator().control("DELETE", "/requests");
  const preview = await run(["preview", "--json"]);
  const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps;
  expect(steps.map((s) => `${s.op} ${s.urn.split("::").slice(-2).join("::")}`)).toEqual(
    expect.arrayContaining(["create pulumi:providers:itential::prod", "create itential:index:TaskClaim::approval"]),
  );
  expect(await writes()).toEqual([]);

  const up = await run(["up", "--yes", "--skip-preview", "-v=9", "--logtostderr"]);
  expect(await ownerOf(taskId)).toBe(C.pipeline.username);
  const outputs = JSON.parse((await run(["stack", "output", "--json"])).stdout);
  expect(outputs).toEqual({ owner: C.pipeline.username, taskName: "Approve change", claimed: true });
  const state = (await run(["stack", "export"])).stdout;
  // The explicit provider's password reached the platform and nowhere else: not the state, not
  // the engine's -v=9 log (which carries every gRPC call's arguments, Configure's included).
  for (const [where, text] of [
    ["stdout", up.stdout],
    ["stderr (-v=9)", up.stderr],
    ["stack export", state],
  ]) {
    expect([where, text.includes(C.pipeline.password)]).toEqual([where, false]);
  }
  expect(up.stderr.length).toBeGreaterThan(10_000); // the -v=9 log was there to be read
  const provider = JSON.parse(state).deployment.resources.find((r: { urn: string }) => r.urn === PROVIDER_URN);
  expect(provider.inputs.password).toMatchObject({ "4dabf18193072939515e22adb298388d": expect.any(String) });
});

test("refresh after a person's release: owner in the detailed diff; up claims it again", async () => {
  await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
  await run(["refresh", "--yes", "--skip-preview"]);
  await emulator().control("DELETE", "/requests");
  const preview = JSON.parse((await run(["preview", "--json"])).stdout) as {
    steps: { op: string; urn: string; detailedDiff?: Record<string, unknown> }[];
  };
  const step = preview.steps.find((s) => s.urn.endsWith("::approval"));
  expect(step).toMatchObject({ op: "update", detailedDiff: { owner: { kind: "update", inputDiff: false } } });
  expect(await writes()).toEqual([]);

  await run(["up", "--yes", "--skip-preview"]);
  expect(await ownerOf(taskId)).toBe(C.pipeline.username);
});

test("up --replace (no diff asked): the old claim is released before the new one is made", async () => {
  await emulator().control("DELETE", "/requests");
  await run([
    "up",
    "--yes",
    "--skip-preview",
    "--replace",
    "urn:pulumi:ts::native-ts::itential:index:TaskClaim::approval",
  ]);
  // The classes default to deleteBeforeReplace: created first, the new claim would find the old one's.
  expect(await writes()).toEqual([
    `POST /operations-manager/tasks/${taskId}/release`,
    `POST /operations-manager/tasks/${taskId}/claim`,
  ]);
  expect(await ownerOf(taskId)).toBe(C.pipeline.username);
});

test("import by id through the explicit provider; a task held by another is refused naming the holder; destroy", async () => {
  const mine = await newTask();
  const theirs = await newTask();
  await emulator().actAs(C.pipeline.username, "POST", `/operations-manager/tasks/${mine}/claim`);
  await emulator().actAs("bob", "POST", `/operations-manager/tasks/${theirs}/claim`);
  // The Node language host here cannot generate code: the import records state only.
  const importing = (name: string, id: string) => [
    "import",
    "itential:index:TaskClaim",
    name,
    id,
    "--provider",
    `prod=${PROVIDER_URN}`,
    "--generate-code=false",
    "--yes",
  ];

  const refused = await run(importing("theirs", theirs), false);
  expect(refused.code).not.toBe(0);
  expect(refused.stdout).toContain("is held by bob since");

  await run(importing("mine", mine));
  const state = JSON.parse((await run(["stack", "export"])).stdout);
  const adopted = state.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::mine"));
  expect(adopted).toMatchObject({ id: mine, inputs: { taskId: mine, adopt: true }, outputs: { adopted: true } });

  await run(["state", "unprotect", adopted.urn, "--yes"]);
  await run(["destroy", "--yes", "--skip-preview"]);
  expect(await ownerOf(taskId)).toBeUndefined();
  expect(await ownerOf(mine)).toBe(C.pipeline.username);
  expect(await ownerOf(theirs)).toBe("bob");
});
