// TaskAssignment through the real Pulumi CLI (inline program, packed library), against an emulator
// process: assign by username, drift on refresh, re-assign on up, release on destroy.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";
import { installedLibrary } from "./consumer";
import { withSandbox } from "./harness";

jest.setTimeout(300_000);

const emulator = useEmulatorProcess();

test("up assigns the named approver; refresh sees the task taken; up gives it back; destroy releases", async () => {
  const admin = new OperationsManagerClient({
    baseUrl: emulator().url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });
  const taskId = (await admin.listTasks({ filters: { equals: { name: "Approve change" } } })).items[0]?.id as string;
  const holder = async () => (await admin.getTask(taskId, { dereference: ["metrics.owner"] })).owner?.username;

  await withSandbox(async (sandbox) => {
    let approver = "alice";
    const stack = await sandbox.inlineStack(
      async () => {
        const { TaskAssignment } = installedLibrary();
        const assignment = new TaskAssignment("approver", { taskId, user: approver });
        return { assignee: assignment.assignee, owner: assignment.owner, claimTime: assignment.claimTime };
      },
      {
        config: {
          "itential:baseUrl": { value: emulator().url },
          "itential:clientId": { value: C.pipelineClient.clientId },
          "itential:clientSecret": { value: C.pipelineClient.clientSecret, secret: true },
        },
      },
    );
    // The OAuth client acts as svc-pipeline (an operator); destroy below uses an admin instead.
    await emulator().control("DELETE", "/requests");
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(await holder()).toBeUndefined();
    const previewWrites = (await emulator().requests()).filter((r) => r.method === "POST" && r.path !== "/oauth/token");
    expect(previewWrites).toEqual([]);

    const up = await stack.up();
    expect(up.outputs.assignee?.value).toBe("alice");
    expect(up.outputs.owner?.value).toBe("alice");
    expect(await holder()).toBe("alice");
    expect((await stack.preview()).changeSummary).toEqual({ same: 2 });

    await emulator().actAs("bob", "POST", `/operations-manager/tasks/${taskId}/assign`, {
      userId: (await admin.findAccount("bob"))?.id,
    });
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await stack.preview()).changeSummary).toMatchObject({ update: 1 });
    const repaired = await stack.up();
    expect(repaired.outputs.owner?.value).toBe("alice");
    expect(await holder()).toBe("alice");

    // The OAuth client secret is stack config (a secret): ciphertext on disk, never in our resource.
    const files = fs
      .readdirSync(sandbox.backendDir, { recursive: true, encoding: "utf8" })
      .map((f) => path.join(sandbox.backendDir, f))
      .filter((f) => fs.statSync(f).isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(fs.readFileSync(file, "utf8")).not.toContain(C.pipelineClient.clientSecret);

    approver = "bob";
    const reassigned = await stack.up();
    expect(reassigned.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(reassigned.outputs.assignee?.value).toBe("bob");
    expect(await holder()).toBe("bob");

    // svc-pipeline may assign but not release another's task: destroy says so and keeps the resource.
    const refused = await stack.destroy().catch((error: Error) => error);
    expect(String(refused)).toMatch(/still held by bob, and IAP does not let svc-pipeline release it/);
    expect(await holder()).toBe("bob");

    // destroy configures the provider from the stack as the last update left it (the engine keeps
    // that in state): new credentials take effect through an up first.
    await stack.removeAllConfig(["itential:clientId", "itential:clientSecret"]);
    await stack.setAllConfig({
      "itential:username": { value: C.admin.username },
      "itential:password": { value: C.admin.password, secret: true },
    });
    expect(String(await stack.destroy().catch((error: Error) => error))).toMatch(/does not let svc-pipeline/);
    expect((await stack.up()).summary.resourceChanges).toMatchObject({ same: 2 });
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(await holder()).toBeUndefined();
  });
});
