// The approval-gate example as a user runs it: a Pulumi.yaml TypeScript project driven by the
// `pulumi` command (so the Node.js language host runs the program), with the packed library
// installed in the project's node_modules, against an emulator process.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { parseCliJson, REPO_ROOT, withSandbox } from "./harness";
import { INSTALLED_PROVIDER } from "./installed-provider";

jest.setTimeout(300_000);

const emulator = useEmulatorProcess();

interface PreviewJson {
  steps: { op: string; urn: string }[];
  changeSummary: Record<string, number>;
}

test("preview, up, refresh and destroy of the approval-gate project; destroy works after the project moves", async () => {
  const admin = new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });
  const approval = (await admin.listTasks({ filters: { equals: { name: "Approve change" } } })).items[0];
  const taskId = approval?.id as string;
  const holder = async () => (await admin.getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;

  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(path.join(REPO_ROOT, "examples", "approval-gate"));
    // The sample stack file is the user's to copy; this stack gets its own settings.
    fs.rmSync(path.join(project, "Pulumi.dev.yaml"));
    await sandbox.cliOk(["stack", "init", "ci"], project);
    await sandbox.cliOk(["config", "set", "itential:baseUrl", emulator().url], project);
    await sandbox.cliOk(["config", "set", "itential:username", C.pipeline.username], project);
    await sandbox.cliOk(["config", "set", "--secret", "itential:password", C.pipeline.password], project);
    await sandbox.cliOk(["config", "set", "jobId", approval?.job?.id as string], project);
    await emulator().control("DELETE", "/requests");

    const preview = parseCliJson<PreviewJson>(await sandbox.cliOk(["preview", "--json"], project));
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.steps.map((s) => s.urn.split("::").slice(2).join("::"))).toContain(
      "pulumi-nodejs:dynamic/itential:TaskClaim::approval",
    );
    expect((await emulator().requests()).filter((r) => r.method === "POST" && r.path !== "/login")).toEqual([]);

    const up = await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    expect(up.stdout).toMatch(/2 created/);
    const outputs = parseCliJson<Record<string, string>>(await sandbox.cliOk(["stack", "output", "--json"], project));
    expect(outputs).toMatchObject({ taskId, owner: "svc-pipeline", status: "running" });
    expect(outputs.claimTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await holder()).toBe("svc-pipeline");

    const again = parseCliJson<PreviewJson>(await sandbox.cliOk(["preview", "--json"], project));
    expect(again.changeSummary).toEqual({ same: 2 });

    await emulator().actAs("bob", "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: (await admin.findAccount("bob"))?.id,
    });
    const refresh = await sandbox.cliOk(["refresh", "--yes", "--skip-preview"], project);
    expect(refresh.stdout).toMatch(/1 updated/);
    const failed = await sandbox.cli(["up", "--yes", "--skip-preview"], project);
    expect(failed.code).not.toBe(0);
    expect(`${failed.stdout}${failed.stderr}`).toMatch(/is claimed by bob since .*Set takeOver: true/);

    // The project moves (another checkout, another CI workspace): state still destroys it, because
    // the provider is loaded by package name from wherever the program now lives.
    await sandbox.cliOk(["config", "set", "takeOver", "true"], project);
    await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    expect(await holder()).toBe("svc-pipeline");
    const moved = path.join(sandbox.root, "elsewhere", "approval-gate");
    fs.mkdirSync(path.dirname(moved), { recursive: true });
    fs.renameSync(project, moved);
    // …with its own install of the library there (another checkout), so the code that runs destroy
    // is found through the new location; state names no path at all.
    const linked = fs.readlinkSync(path.join(moved, "node_modules"));
    fs.rmSync(path.join(moved, "node_modules"));
    fs.cpSync(linked, path.join(moved, "node_modules"), { recursive: true, verbatimSymlinks: true });
    const exported = JSON.parse((await sandbox.cliOk(["stack", "export", "--stack", "ci"], moved)).stdout) as {
      deployment: { resources: { type: string; outputs: Record<string, unknown>; sourcePosition?: string }[] };
    };
    const stored = exported.deployment.resources.find((r) => r.type.endsWith(":TaskClaim"));
    expect(stored?.outputs.__provider).toBe(INSTALLED_PROVIDER);
    // Pulumi records the project's own line that made the claim, relative to the project.
    expect(stored?.sourcePosition).toMatch(/^project:\/\/\/index\.ts#\d+,\d+$/);
    const destroy = await sandbox.cliOk(["destroy", "--yes", "--skip-preview", "--stack", "ci"], moved);
    expect(destroy.stdout).toMatch(/2 deleted/);
    expect(await holder()).toBeUndefined();

    const stateFiles = fs.readdirSync(sandbox.backendDir, { recursive: true, encoding: "utf8" });
    for (const file of stateFiles.map((f) => path.join(sandbox.backendDir, f))) {
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file, "utf8")).not.toContain(C.pipeline.password);
    }
  });
});
