// Proof that the chain works for a project directory: `pulumi preview` and `pulumi up` of a small
// TypeScript Pulumi.yaml project, run by the CLI through the Node.js language host.
import * as path from "node:path";
import { parseCliJson, withSandbox } from "./harness";

jest.setTimeout(240_000);

interface PreviewJson {
  steps: { op: string; urn: string }[];
  changeSummary: Record<string, number>;
}

test("pulumi preview and up run a TypeScript project through the language host", async () => {
  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(path.join(__dirname, "fixtures", "project"));
    await sandbox.cliOk(["stack", "init", "test"], project);
    await sandbox.cliOk(["config", "set", "start", "9"], project);

    const preview = parseCliJson<PreviewJson>(await sandbox.cliOk(["preview", "--json"], project));
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.steps.map((s) => [s.op, s.urn.split("::").slice(2).join("::")])).toEqual([
      ["create", "pulumi:pulumi:Stack::e2e-project-test"],
      ["create", "pulumi-nodejs:dynamic/e2e:Counter::answer"],
    ]);

    const up = await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    expect(up.stdout).toMatch(/2 created/);

    const outputs = parseCliJson<Record<string, unknown>>(await sandbox.cliOk(["stack", "output", "--json"], project));
    expect(outputs).toEqual({ counted: 10, greeting: "hello from e2e-project/test" });

    const again = parseCliJson<PreviewJson>(await sandbox.cliOk(["preview", "--json"], project));
    expect(again.changeSummary).toEqual({ same: 2 });

    const destroy = await sandbox.cliOk(["destroy", "--yes", "--skip-preview"], project);
    expect(destroy.stdout).toMatch(/2 deleted/);
  });
});
