// Proof that the chain works: a dynamic resource defined in a test fixture goes through preview, up,
// refresh and destroy in the real Pulumi CLI, driven by the Automation API with an inline program.
import * as fs from "node:fs";
import * as path from "node:path";
import { TextFile } from "./fixtures/text-file";
import { withSandbox } from "./harness";

jest.setTimeout(240_000);

test("a dynamic resource goes through preview, up, refresh and destroy", async () => {
  await withSandbox(async (sandbox) => {
    const filePath = path.join(sandbox.root, "greeting.txt");
    const stack = await sandbox.inlineStack(async () => {
      const file = new TextFile("greeting", { path: filePath, content: "hello" });
      return { content: file.content, path: file.path };
    });

    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ create: 2 }); // the stack and the file
    expect(fs.existsSync(filePath)).toBe(false); // preview does not create

    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.content.value).toBe("hello");
    expect(up.outputs.path.value).toBe(filePath);
    expect(fs.readFileSync(filePath, "utf8")).toBe("hello");

    // Nothing changed: a second preview plans no operation but "same".
    const again = await stack.preview();
    expect(again.changeSummary).toEqual({ same: 2 });

    // Drift behind Pulumi's back is what refresh is for: it calls read in the provider process.
    fs.writeFileSync(filePath, "edited by hand");
    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const state = await stack.exportStack();
    const stored = state.deployment.resources.find(
      (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/e2e:TextFile",
    );
    expect(stored.outputs.content).toBe("edited by hand");

    // The next up repairs the drift through update.
    const repair = await stack.up();
    expect(repair.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(fs.readFileSync(filePath, "utf8")).toBe("hello");

    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(fs.existsSync(filePath)).toBe(false);
  });
});
