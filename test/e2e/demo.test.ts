// `npm run demo` (scripts/demo.js, after the build that npm runs first): every step passes against
// the embedded emulator, and Ctrl-C stops it cleanly, leaving no temp directory and no server.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./harness";

jest.setTimeout(300_000);

function startDemo() {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "scripts", "demo.js")], {
    cwd: REPO_ROOT,
    env: { ...process.env, PULUMI_ITENTIAL_PULUMI_DIR: process.env.PULUMI_ITENTIAL_TEST_BIN_DIR },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const waitFor = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (child.exitCode !== null) throw new Error(`the demo exited before ${pattern}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { child, exited, waitFor, output: () => output };
}

/** What git sees in the checkout, ignored files included: the demo must change none of it. */
const checkoutState = () =>
  execFileSync(
    "git",
    ["status", "--porcelain", "--ignored", "--untracked-files=all", "--", ".", ":!node_modules", ":!dist"],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  );

test("the demo passes every step, prints the owner and claim time, and leaves the checkout as it was", async () => {
  const before = checkoutState();
  const demo = startDemo();
  const code = await demo.exited;
  const output = demo.output();
  expect({ code, output }).toMatchObject({ code: 0 });
  expect(output).toMatch(/owner svc-pipeline, claimed at \d{4}-\d\d-\d\dT[\d:.]+Z/);
  expect(output).toMatch(/owner svc-pipeline -> \(nobody\)/);
  expect(output).toContain("8/8 destroy");
  expect(output).toMatch(/Demo complete: every step did what it says/);
  const tempDir = /file backend in (\S+)\)/.exec(output)?.[1] as string;
  expect(fs.existsSync(tempDir)).toBe(false);
  expect(checkoutState()).toBe(before);
});

test("Ctrl-C stops the demo, its emulator and its temp directory", async () => {
  const demo = startDemo();
  await demo.waitFor(/1\/8 preview/);
  const url = /IAP emulator: (http:\/\/\S+);/.exec(demo.output())?.[1] as string;
  const tempDir = /file backend in (\S+)\)/.exec(demo.output())?.[1] as string;
  expect(fs.existsSync(tempDir)).toBe(true);
  demo.child.kill("SIGINT");
  expect(await demo.exited).toBe(130);
  expect(demo.output()).toContain("SIGINT: stopping the demo and cleaning up");
  expect(fs.existsSync(tempDir)).toBe(false);
  await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
});
