// One @pulumi/pulumi version's row of the compatibility matrix: a fresh consumer project with the
// packed library and that SDK, then, on each Node.js of the row, preview, up, refresh and destroy
// of a TaskClaim through the real CLI against an emulator process. Each cell proves where it ran:
// the program and the dynamic-provider process report their Node.js and SDK versions.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { parseCliJson, withSandbox } from "../e2e/harness";
import { useEmulatorProcess } from "../support/emulator-process";
import { installConsumer, MATRIX, NODES_ENV, TARBALL_ENV } from "./matrix";

const PROJECT = path.join(__dirname, "fixtures", "project");

interface Outputs {
  taskId: string;
  owner?: string;
  program: { node: string; sdk: string };
  provider: { node: string; sdk: string };
}

function fromSetup(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run test/compat through jest (its global set-up).`);
  return value;
}

export function describeCells(pulumiVersion: string): void {
  const majors = MATRIX[pulumiVersion];
  if (!majors) throw new Error(`@pulumi/pulumi ${pulumiVersion} is not in the matrix`);
  const emulator = useEmulatorProcess();
  const admin = () =>
    new OperationsManagerClient({
      baseUrl: emulator().url,
      auth: { type: "basic", username: C.admin.username, password: C.admin.password },
    });
  let consumer = "";

  beforeAll(() => {
    consumer = installConsumer(fromSetup(TARBALL_ENV), pulumiVersion);
  }, 300_000);
  afterAll(() => {
    if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
  });

  test.each(majors)(`@pulumi/pulumi ${pulumiVersion} on Node.js %i: preview, up, refresh, destroy`, async (major) => {
    const nodeDir = (JSON.parse(fromSetup(NODES_ENV)) as Record<string, string>)[major] as string;
    const nodeVersion = execFileSync(path.join(nodeDir, "node"), ["--version"], { encoding: "utf8" }).trim();
    expect(nodeVersion).toMatch(new RegExp(`^v${major}\\.`));
    const job = (await admin().listTasks({ filters: { equals: { name: "Approve change" } } })).items[0]?.job?.id;
    expect(job).toBeDefined();

    await withSandbox(async (sandbox) => {
      const project = path.join(sandbox.root, "compat");
      fs.cpSync(PROJECT, project, { recursive: true });
      fs.symlinkSync(path.join(consumer, "node_modules"), path.join(project, "node_modules"), "dir");
      // The language host and the dynamic provider start the first `node` on PATH.
      const env = { PATH: `${nodeDir}${path.delimiter}${sandbox.env.PATH}` };
      const cli = async (...args: string[]) => {
        const result = await sandbox.cli(args, project, env);
        if (result.code !== 0) {
          throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
        }
        return result;
      };

      await cli("stack", "init", "compat");
      await cli(
        "config",
        "set-all",
        "--plaintext",
        `jobId=${job}`,
        "--plaintext",
        `itential:baseUrl=${emulator().url}`,
        "--plaintext",
        `itential:username=${C.pipeline.username}`,
        "--secret",
        `itential:password=${C.pipeline.password}`,
      );

      const preview = parseCliJson<{ changeSummary: Record<string, number>; steps: { op: string; urn: string }[] }>(
        await cli("preview", "--json"),
      );
      expect(preview.changeSummary).toEqual({ create: 3 });
      expect(preview.steps.map((s) => `${s.op} ${s.urn.split("::").slice(2).join("::")}`)).toContain(
        "create pulumi-nodejs:dynamic/itential:TaskClaim::approval",
      );

      expect((await cli("up", "--yes", "--skip-preview")).stdout).toMatch(/3 created/);
      const outputs = parseCliJson<Outputs>(await cli("stack", "output", "--json"));
      expect(outputs.owner).toBe(C.pipeline.username);
      expect(outputs.program).toEqual({ node: nodeVersion, sdk: pulumiVersion });
      expect(outputs.provider).toEqual({ node: nodeVersion, sdk: pulumiVersion });
      const held = await admin().getTask(outputs.taskId, { dereference: ["metrics.owner"] });
      expect(held.owner?.username).toBe(C.pipeline.username);

      expect((await cli("refresh", "--yes", "--skip-preview")).stdout).toMatch(/3 unchanged/);

      expect((await cli("destroy", "--yes", "--skip-preview")).stdout).toMatch(/3 deleted/);
      expect((await admin().getTask(outputs.taskId)).owner).toBeUndefined();
    });
  });
}

/**
 * The native plugin on this SDK (its gRPC stubs are the consumer's @pulumi/pulumi): a TypeScript
 * program with an explicit provider, up and destroy, with another platform's credentials in
 * ITENTIAL_* as a CI job of the stack would have. Destroy loads the provider from state and calls
 * Configure alone, whose request has no URN in the 3.139.0 stubs: the provider must still know it
 * is the explicit one and not take the environment's credentials (they would be refused here,
 * failing the destroy and leaving the task held).
 */
export function describeNativeCell(pulumiVersion: string): void {
  const emulator = useEmulatorProcess();
  const admin = () =>
    new OperationsManagerClient({
      baseUrl: emulator().url,
      auth: { type: "basic", username: C.admin.username, password: C.admin.password },
    });
  let consumer = "";

  beforeAll(() => {
    consumer = installConsumer(fromSetup(TARBALL_ENV), pulumiVersion);
  }, 300_000);
  afterAll(() => {
    if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
  });

  test(`@pulumi/pulumi ${pulumiVersion}, native plugin: an explicit provider stays off ITENTIAL_* through up and destroy`, async () => {
    const taskId = (await admin().listTasks({ filters: { equals: { name: "Approve change" } } })).items[0]?.id;
    expect(taskId).toBeDefined();
    await withSandbox(async (sandbox) => {
      const project = path.join(sandbox.root, "native");
      fs.cpSync(path.join(__dirname, "fixtures", "native"), project, { recursive: true });
      fs.symlinkSync(path.join(consumer, "node_modules"), path.join(project, "node_modules"), "dir");
      const env = {
        ITENTIAL_BASE_URL: emulator().url,
        ITENTIAL_TOKEN: "stack-token",
        ITENTIAL_USERNAME: "stack-user",
        ITENTIAL_PASSWORD: "stack-password",
      };
      const cli = async (...args: string[]) => {
        const result = await sandbox.cli(args, project, env);
        if (result.code !== 0) {
          throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
        }
        return result;
      };
      await cli("stack", "init", "native");
      await cli(
        "config",
        "set-all",
        "--plaintext",
        `url=${emulator().url}`,
        "--plaintext",
        `user=${C.pipeline.username}`,
        "--secret",
        `password=${C.pipeline.password}`,
        "--plaintext",
        `taskId=${taskId}`,
      );
      await cli("up", "--yes", "--skip-preview");
      expect((await admin().getTask(taskId as string, { dereference: ["metrics.owner"] })).owner?.username).toBe(
        C.pipeline.username,
      );
      await cli("destroy", "--yes", "--skip-preview");
      expect((await admin().getTask(taskId as string)).owner).toBeUndefined();
    });
  });
}
