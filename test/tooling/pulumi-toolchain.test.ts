// The first-run CLI build is calm: one line per stage with its time, Go's own output in a log file,
// and that log's tail only when a stage fails. Run against a stand-in `go` (hundreds of
// "go: downloading" lines, then an executable or a failure), with an empty cache and no Pulumi on PATH.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");

const FAKE_GO = `#!${process.execPath}
const args = process.argv.slice(2);
if (args[0] === "env") { process.stdout.write("go1.99.0\\n"); process.exit(0); }
if (args[0] === "build") {
  for (let i = 0; i < 400; i++) process.stderr.write("go: downloading example.com/module" + i + " v1.0." + i + "\\n");
  if (process.env.FAKE_GO_FAIL && args.at(-1).includes("language")) {
    process.stderr.write("compile: something went wrong at the very end\\n");
    process.exit(1);
  }
  const out = args[args.indexOf("-o") + 1];
  require("node:fs").writeFileSync(out, "#!/bin/sh\\necho v3.0.0\\n", { mode: 0o755 });
  process.exit(0);
}
process.exit(2);
`;

function runToolchain(fail: boolean) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-test-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "go"), FAKE_GO, { mode: 0o755 });
  const result = spawnSync(process.execPath, [path.join(REPO, "scripts", "pulumi-path.js")], {
    encoding: "utf8",
    env: {
      PATH: bin, // no real go and no pulumi: the stand-in is all there is
      HOME: root,
      XDG_CACHE_HOME: path.join(root, "cache"),
      ...(fail ? { FAKE_GO_FAIL: "1" } : {}),
    },
  });
  return { ...result, root };
}

test("a build shows one line per stage and keeps Go's output in a log file", () => {
  const { status, stdout, stderr, root } = runToolchain(false);
  try {
    expect(status).toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(stderr).not.toContain("go: downloading");
    expect(stderr).toMatch(/downloading and building pulumi v[\d.]+: done in \d+s/);
    expect(stderr).toMatch(/downloading and building pulumi-language-nodejs v[\d.]+: done in \d+s/);
    expect(stderr).toMatch(/the Pulumi CLI is ready, built in \d+s/);
    const logFile = /Go's output goes to (\S+)\)/.exec(stderr)?.[1] as string;
    expect(fs.readFileSync(logFile, "utf8").match(/go: downloading/g)).toHaveLength(800);
    const dir = stdout.trim().split("\n").at(-1) as string;
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
      expect(fs.existsSync(path.join(dir, name))).toBe(true);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a failed stage prints the tail of the log, not all of it, and leaves no half-filled cache", () => {
  const { status, stderr, root } = runToolchain(true);
  try {
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/downloading and building pulumi-language-nodejs v[\d.]+ failed after \d+s \(go exited 1\)/);
    expect(stderr).toContain("compile: something went wrong at the very end");
    expect((stderr.match(/go: downloading/g) ?? []).length).toBeLessThan(30);
    const cache = path.join(root, "cache", "pulumi-itential", "pulumi-cli");
    expect(fs.readdirSync(cache).filter((entry) => !entry.endsWith(".build.log"))).toEqual([]);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

const FAKE_GO_INSTALL = `#!${process.execPath}
const fs = require("node:fs");
const path = require("node:path");
const args = process.argv.slice(2);
if (args[0] === "env") { process.stdout.write("go1.99.0\\n"); process.exit(0); }
if (args[0] === "version" && args[1] === "-m") {
  const version = fs.readFileSync(args[2], "utf8").split("\\n")[1];
  if (!version) process.exit(1);
  process.stdout.write(args[2] + ": go1.99.0\\n\\tmod\\tgithub.com/pulumi/pulumi-yaml\\t" + version + "\\th1:x\\n");
  process.exit(0);
}
if (args[0] === "install") {
  fs.appendFileSync(process.env.FAKE_GO_CALLS, JSON.stringify({ args, GOBIN: process.env.GOBIN,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN, CGO_ENABLED: process.env.CGO_ENABLED, GOFLAGS: process.env.GOFLAGS }) + "\\n");
  fs.writeFileSync(path.join(process.env.GOBIN, "pulumi-language-yaml"), "#!/bin/sh\\n", { mode: 0o755 });
  process.exit(0);
}
process.exit(2);
`;

test("the YAML language host: go install of the pinned module with its own dependencies, cached per version, built once", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-yaml-test-"));
  try {
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "go"), FAKE_GO_INSTALL, { mode: 0o755 });
    const calls = path.join(root, "calls.jsonl");
    const run = () =>
      spawnSync(
        process.execPath,
        [
          "-e",
          `process.stdout.write(require(${JSON.stringify(path.join(REPO, "scripts", "pulumi-toolchain.js"))}).ensureYamlHost())`,
        ],
        {
          encoding: "utf8",
          env: { PATH: bin, HOME: root, XDG_CACHE_HOME: path.join(root, "cache"), FAKE_GO_CALLS: calls },
        },
      );
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout).toBe(path.join(root, "cache", "pulumi-itential", "pulumi-language-yaml", "v1.25.0", "bin"));
    expect(fs.existsSync(path.join(first.stdout, "pulumi-language-yaml"))).toBe(true);
    expect(first.stderr).toMatch(/downloading and building pulumi-language-yaml v1.25.0: done in \d+s/);
    const second = run();
    expect(second.stdout).toBe(first.stdout);
    const made = fs
      .readFileSync(calls, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(made).toHaveLength(1); // the second run found the cache
    expect(made[0]).toMatchObject({
      args: ["install", "-trimpath", "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@v1.25.0"],
      GOTOOLCHAIN: "local",
      CGO_ENABLED: "0",
      GOFLAGS: "",
    });
    expect(made[0].GOBIN).not.toBe(first.stdout); // built aside, then moved into place
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("the YAML language host on PATH is used only at the pinned version; a killed build's leftovers are removed", () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "toolchain-yaml-path-test-"));
  try {
    const bin = path.join(root, "bin");
    const onPath = path.join(root, "on-path");
    fs.mkdirSync(bin);
    fs.mkdirSync(onPath);
    fs.writeFileSync(path.join(bin, "go"), FAKE_GO_INSTALL, { mode: 0o755 });
    const cacheDir = path.join(root, "cache", "pulumi-itential", "pulumi-language-yaml");
    fs.mkdirSync(cacheDir, { recursive: true });
    // A killed build's directory (its process is gone), and a concurrent build's (this process).
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
      encoding: "utf8",
    }).stdout;
    const stale = path.join(cacheDir, "v1.25.0.partial-killed");
    const running = path.join(cacheDir, "v1.25.0.partial-running");
    for (const [dir, pid] of [
      [stale, dead],
      [running, String(process.pid)],
    ]) {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, "pid"), pid);
    }
    const calls = path.join(root, "calls.jsonl");
    const run = () =>
      spawnSync(
        process.execPath,
        [
          "-e",
          `process.stdout.write(require(${JSON.stringify(path.join(REPO, "scripts", "pulumi-toolchain.js"))}).ensureYamlHost())`,
        ],
        {
          encoding: "utf8",
          env: {
            PATH: `${bin}${path.delimiter}${onPath}`,
            HOME: root,
            XDG_CACHE_HOME: path.join(root, "cache"),
            FAKE_GO_CALLS: calls,
          },
        },
      );
    // Another version on PATH: ignored (and said so), the pinned one built into the cache.
    fs.writeFileSync(path.join(onPath, "pulumi-language-yaml"), "#!/bin/sh\nv1.9.0\n", { mode: 0o755 });
    const other = run();
    expect(other.status).toBe(0);
    expect(other.stderr).toContain("version v1.9.0; v1.25.0 is pinned");
    expect(other.stdout).toBe(path.join(cacheDir, "v1.25.0", "bin"));
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(running)).toBe(true);
    // The pinned version on PATH: used as it is.
    fs.writeFileSync(path.join(onPath, "pulumi-language-yaml"), "#!/bin/sh\nv1.25.0\n", { mode: 0o755 });
    expect(run().stdout).toBe(onPath);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
