// What `npm pack` ships: the compiled package with its types, the emulator command, and the pages
// users read; no tests, fixtures, sources or examples. (Installing and running it: test/e2e.)
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

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
    "docs/emulator.md",
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
