// What `npm pack` ships: the compiled package with its types, the emulator command, and the pages
// users read; no tests, fixtures, sources or examples. (Installing and running it: test/e2e.)
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensureFreshBuild } from "../support/fresh-build";

const REPO = path.resolve(__dirname, "..", "..");

test("the packed tarball holds dist/, declarations, README, LICENSE, CHANGELOG and the emulator command", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8" }),
  ) as { files: { path: string; mode: number }[] }[];
  const files = (packed[0]?.files ?? []).map((f) => f.path);
  for (const expected of [
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "package.json",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/sdk/index.js",
    "dist/sdk/index.d.ts",
    "dist/emulator/cli.js",
    "dist/provider/dynamic/host.js",
    "dist/provider/dynamic/task-claim-provider.js",
    "dist/provider/dynamic/task-assignment-provider.js",
    // State files name these modules: they must ship, at these paths, in every version.
    "dist/provider/dynamic/work-item-claim-provider.js",
    "dist/provider/dynamic/work-item-assignment-provider.js",
    "docs/emulator.md",
    "docs/work-center.md",
    "docs/native-plugin.md",
  ]) {
    expect(files).toContain(expected);
  }
  const unwanted = files.filter(
    (f) => /^(test|examples|bench|scripts|tools|sdk|provider|emulator)\//.test(f) || /fixtures|\.test\.|\.map$/.test(f),
  );
  expect(unwanted).toEqual([]);
  expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
  // Only what today's sources compile to: no stale module from a file since removed.
  const compiled = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
  const orphans = compiled.filter(
    (f) => !fs.existsSync(path.join(REPO, f.replace(/^dist\//, "").replace(/\.js$/, ".ts"))),
  );
  expect(orphans).toEqual([]);
  expect(
    fs.readFileSync(path.join(REPO, "dist", "emulator", "cli.js"), "utf8").startsWith("#!/usr/bin/env node\n"),
  ).toBe(true);
});

test("the native plugin ships: the launcher (executable, exec'ing the compiled entry), its code, the native classes; no pulumi block", () => {
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8" }),
  ) as { files: { path: string; mode: number }[] }[];
  const files = packed[0]?.files ?? [];
  const launcher = files.find((f) => f.path === "pulumi-resource-itential");
  expect(launcher?.mode).toBe(0o755);
  for (const expected of [
    "dist/provider/native/main.js",
    "dist/provider/native/server.js",
    "dist/provider/native/sdk/index.js",
    "dist/provider/native/sdk/index.d.ts",
  ]) {
    expect(files.map((f) => f.path)).toContain(expected);
  }
  const script = fs.readFileSync(path.join(REPO, "pulumi-resource-itential"), "utf8");
  expect(script.startsWith("#!/bin/sh\n")).toBe(true);
  expect(script).toContain('exec node "$(dirname "$0")/dist/provider/native/main.js" "$@"');
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
  // A `pulumi` block would make `pulumi install` try to download the plugin (it is located by path).
  expect(manifest.pulumi).toBeUndefined();
  expect(manifest.exports["./native"]).toEqual({
    types: "./dist/provider/native/sdk/index.d.ts",
    default: "./dist/provider/native/sdk/index.js",
  });
  expect(manifest.typesVersions["*"].native).toEqual(["dist/provider/native/sdk/index.d.ts"]);
});

test("the launcher without @pulumi/pulumi installed says so in one line, with the command that fixes it", () => {
  ensureFreshBuild();
  // The package as installed in a project that lacks the peer: nothing above it to resolve from.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-no-peer-"));
  try {
    const pkg = path.join(root, "node_modules", "pulumi-itential");
    fs.mkdirSync(pkg, { recursive: true });
    fs.cpSync(path.join(REPO, "dist"), path.join(pkg, "dist"), { recursive: true });
    fs.copyFileSync(path.join(REPO, "package.json"), path.join(pkg, "package.json"));
    fs.copyFileSync(path.join(REPO, "pulumi-resource-itential"), path.join(pkg, "pulumi-resource-itential"));
    const run = spawnSync("sh", [path.join(pkg, "pulumi-resource-itential"), "127.0.0.1:1"], {
      encoding: "utf8",
      env: { PATH: process.env.PATH },
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([expect.stringContaining("the peer dependency @pulumi/pulumi is not installed")]);
    expect(lines[0]).toContain("npm install @pulumi/pulumi");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
