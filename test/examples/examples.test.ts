// The examples users copy, run as they would run them: the real Pulumi CLI on each project (with
// the packed library in its node_modules) and the gitops-pipeline script as a CI job runs it,
// against an emulator process. (approval-gate's full lifecycle: test/e2e/approval-gate-project.)
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { type PulumiSandbox, parseCliJson, REPO_ROOT, withSandbox } from "../e2e/harness";
import { useEmulatorProcess } from "../support/emulator-process";

jest.setTimeout(300_000);

const execFileAsync = promisify(execFile);
const emulator = useEmulatorProcess();
const admin = () =>
  new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });

async function demoJob() {
  const task = (await admin().listTasks({ filters: { equals: { name: "Approve change" } } })).items[0];
  return { jobId: task?.job?.id as string, taskId: task?.id as string };
}

async function configure(sandbox: PulumiSandbox, project: string, settings: [string, string, boolean?][]) {
  await sandbox.cliOk(["stack", "init", "ci"], project);
  for (const [key, value, secret] of settings) {
    await sandbox.cliOk(["config", "set", ...(secret ? ["--secret"] : []), "--path", key, value], project);
  }
}

test("named-approvers: preview plans one assignment per task; up assigns them by username; destroy releases", async () => {
  const { jobId } = await demoJob();
  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(path.join(REPO_ROOT, "examples", "named-approvers"));
    await configure(sandbox, project, [
      ["itential:baseUrl", emulator().url],
      ["itential:username", C.admin.username],
      ["itential:password", C.admin.password, true],
      ["jobId", jobId],
      ['approvers["Approve change"]', "alice"],
      ['approvers["Security review"]', "bob"],
    ]);
    const preview = parseCliJson<{ steps: { op: string; urn: string }[] }>(
      await sandbox.cliOk(["preview", "--json"], project),
    );
    expect(
      preview.steps
        .filter((s) => s.urn.includes("TaskAssignment"))
        .map((s) => `${s.op} ${s.urn.split("::").at(-1)}`)
        .sort(),
    ).toEqual(["create approve-change", "create security-review"]);

    await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    const outputs = parseCliJson<{ assigned: Record<string, { assignee: string; owner: string }> }>(
      await sandbox.cliOk(["stack", "output", "--json"], project),
    );
    expect(outputs.assigned).toEqual({
      "Approve change": { assignee: "alice", owner: "alice" },
      "Security review": { assignee: "bob", owner: "bob" },
    });
    const destroy = await sandbox.cliOk(["destroy", "--yes", "--skip-preview"], project);
    expect(destroy.stdout).toMatch(/3 deleted/);
    const tasks = await admin().listTasks({ filters: { equals: { "job._id": jobId, type: "manual" } } });
    expect(tasks.items.map((t) => t.owner)).toEqual([undefined, undefined, undefined]);
  });
});

test("gitops-pipeline: plan on a pull request, apply on merge, exit codes a CI system reads", async () => {
  const { jobId, taskId } = await demoJob();
  await withSandbox(async (sandbox) => {
    const gate = sandbox.copyProject(path.join(REPO_ROOT, "examples", "approval-gate"));
    fs.rmSync(path.join(gate, "Pulumi.dev.yaml"));
    await configure(sandbox, gate, [
      ["itential:baseUrl", emulator().url],
      ["itential:username", C.pipeline.username],
      ["itential:password", C.pipeline.password, true],
      ["jobId", jobId],
    ]);
    const pipelineDir = sandbox.copyProject(path.join(REPO_ROOT, "examples", "gitops-pipeline"));
    const run = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await execFileAsync(
          process.execPath,
          [path.join(pipelineDir, "node_modules", "ts-node", "dist", "bin.js"), "pipeline.ts", ...args],
          {
            cwd: pipelineDir,
            // Seven runs, each compiling pipeline.ts and the gate's index.ts: transpile only, since
            // `npm run typecheck` type-checks both (ts-node's and Pulumi's own switch).
            env: {
              ...process.env,
              ...sandbox.env,
              PULUMI_HOME: sandbox.pulumiHome,
              PROJECT_DIR: gate,
              STACK: "ci",
              TS_NODE_TRANSPILE_ONLY: "true",
              PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            },
          },
        );
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    expect((await run()).code).toBe(64);
    const plan = await run("plan", "--detailed-exitcode");
    expect(plan).toMatchObject({ code: 2 });
    expect(plan.stdout).toContain("Plan for ci: 2 to create\n  + TaskClaim approval\n");
    expect((await run("plan")).code).toBe(0);

    const apply = await run("apply");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Applied to ci: 2 to create");
    expect(apply.stdout).toContain('owner: "svc-pipeline"');
    expect((await admin().getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username).toBe("svc-pipeline");
    expect(await run("plan", "--detailed-exitcode")).toMatchObject({ code: 0 });

    expect((await run("destroy")).code).toBe(0);
    await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/claim`);
    const refused = await run("apply");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Pipeline failed: .*is claimed by alice since/);
  });
});

test("agent-approval: finds the agent session's work item, up holds it for the pipeline, destroy releases it", async () => {
  const agent = (
    await admin().searchWorkItems({ filters: [{ field: "triggerType", operator: "equals", value: "agent" }] })
  ).items[0];
  const sessionId = agent?.execution?.id as string;
  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(path.join(REPO_ROOT, "examples", "agent-approval"));
    fs.rmSync(path.join(project, "Pulumi.dev.yaml"));
    await configure(sandbox, project, [
      ["itential:baseUrl", emulator().url],
      ["itential:username", C.pipeline.username],
      ["itential:password", C.pipeline.password, true],
      ["sessionId", sessionId],
    ]);
    await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    const outputs = parseCliJson<Record<string, string>>(await sandbox.cliOk(["stack", "output", "--json"], project));
    expect(outputs).toMatchObject({
      workItemId: agent?.id,
      owner: "svc-pipeline",
      status: "pending",
      executionId: sessionId,
    });
    await sandbox.cliOk(["destroy", "--yes", "--skip-preview"], project);
    expect((await admin().getWorkItem(agent?.id as string)).owner).toBeUndefined();
  });
});
