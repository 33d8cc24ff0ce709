// Finds or builds the Pulumi CLI that the tests and the demo run.
//
// The npm `pulumi` package downloads its binary at run time, which is not possible on machines that
// reach only package registries, so the CLI is built from the Go module proxy (tools/pulumi-cli) and
// cached per version outside the clone. A new-enough Pulumi already on PATH is used instead, so users
// who have Pulumi installed need no Go.
//
// Plain CommonJS with no dependencies: it runs before `npm run build` and from jest's global set-up.

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const toolsDir = path.join(repoRoot, "tools");
const cliModuleDir = path.join(toolsDir, "pulumi-cli");
const languageModuleDir = path.join(toolsDir, "pulumi-language-nodejs");

/** The oldest CLI with dynamic-provider `configure` (the same floor as the peer dependency). */
const MINIMUM_PATH_CLI = "3.139.0";
const BINARIES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"];

function requiredModuleVersion(goModDir, modulePath) {
  const goMod = fs.readFileSync(path.join(goModDir, "go.mod"), "utf8");
  // Matches both `require path vX` and a line inside a `require ( … )` block.
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!match) throw new Error(`${goModDir}/go.mod does not require ${modulePath}`);
  return match[1];
}

function requiredGoVersion(goModDir) {
  const goMod = fs.readFileSync(path.join(goModDir, "go.mod"), "utf8");
  const match = /^go (\S+)$/m.exec(goMod);
  return match ? match[1] : "1.0";
}

/** Versions pinned by the wrapper modules: the single source of truth for what gets built. */
function pinnedVersions() {
  return {
    cli: requiredModuleVersion(cliModuleDir, "github.com/pulumi/pulumi/pkg/v3"),
    languageHost: requiredModuleVersion(languageModuleDir, "github.com/pulumi/pulumi/sdk/v3"),
  };
}

function compareVersions(a, b) {
  const pa = a
    .replace(/^v|^go/, "")
    .split(/[.-]/)
    .map(Number);
  const pb = b
    .replace(/^v|^go/, "")
    .split(/[.-]/)
    .map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "pulumi-itential", "pulumi-cli");
}

function cacheDirFor(versions) {
  return path.join(cacheRoot(), `${versions.cli}+nodejs-${versions.languageHost}`);
}

function hasAll(dir) {
  return BINARIES.every((b) => {
    try {
      fs.accessSync(path.join(dir, b), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function log(message) {
  process.stderr.write(`[pulumi-toolchain] ${message}\n`);
}

/** A `pulumi` on PATH is good enough when it is new enough and its directory has the other two binaries. */
function findOnPath() {
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir || !hasAll(dir)) continue;
    const result = spawnSync(path.join(dir, "pulumi"), ["version"], { encoding: "utf8" });
    const version = (result.stdout || "").trim();
    if (result.status === 0 && /^v\d+\.\d+\.\d+/.test(version) && compareVersions(version, MINIMUM_PATH_CLI) >= 0) {
      return dir;
    }
  }
  return undefined;
}

function goVersion() {
  const result = spawnSync("go", ["env", "GOVERSION"], {
    encoding: "utf8",
    env: { ...process.env, GOTOOLCHAIN: "local" },
  });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim();
}

function elapsed(since) {
  const s = Math.round((Date.now() - since) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * One build stage: a line when it starts and one when it ends, with its time. Go's own output
 * (hundreds of "go: downloading" lines) goes to `logFile`; when the stage fails, its tail is shown.
 */
function stage(label, logFile, args, cwd, env = { GOFLAGS: "-mod=readonly" }) {
  const started = Date.now();
  log(`${label} …`);
  fs.appendFileSync(logFile, `\n$ go ${args.join(" ")}   (in ${cwd})\n`);
  const fd = fs.openSync(logFile, "a");
  try {
    const result = spawnSync("go", args, {
      cwd,
      stdio: ["ignore", fd, fd],
      env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", ...env },
    });
    if (result.error || result.status !== 0) {
      const tail = fs.readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-30).join("\n");
      throw new Error(
        `${label} failed after ${elapsed(started)} (${result.error ? result.error.message : `go exited ${result.status}`}).\n` +
          `The last lines of ${logFile}:\n${tail}`,
      );
    }
  } finally {
    fs.closeSync(fd);
  }
  log(`${label}: done in ${elapsed(started)}`);
}

function goBuild(moduleDir, pkg, version, output, logFile) {
  // `go build` downloads the modules it needs first: both show as one stage.
  stage(
    `downloading and building ${path.basename(output)} ${version}`,
    logFile,
    [
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags",
      `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`,
      "-o",
      output,
      pkg,
    ],
    moduleDir,
  );
}

function build(versions, target) {
  const needed = [requiredGoVersion(cliModuleDir), requiredGoVersion(languageModuleDir)].sort(compareVersions).pop();
  const found = goVersion();
  if (!found) {
    throw new Error(
      `No Pulumi CLI (>= ${MINIMUM_PATH_CLI}, with pulumi-language-nodejs beside it) is on PATH and Go is not installed: install the Pulumi CLI, or Go >= ${needed} to build it.`,
    );
  }
  if (compareVersions(found, needed) < 0) {
    throw new Error(
      `Building the Pulumi CLI ${versions.cli} needs Go >= ${needed}, but ${found} is installed: upgrade Go, or install the Pulumi CLI (>= ${MINIMUM_PATH_CLI}) on PATH.`,
    );
  }
  const pluginScript = path.join(
    path.dirname(require.resolve("@pulumi/pulumi/package.json")),
    "pulumi-resource-pulumi-nodejs",
  );

  fs.mkdirSync(path.dirname(target), { recursive: true });
  // Build into a private directory and rename it into place, so a concurrent or interrupted build
  // never leaves a half-filled cache that the next run would trust.
  const staging = fs.mkdtempSync(`${target}.partial-`);
  fs.chmodSync(staging, 0o755);
  const stagingBin = path.join(staging, "bin");
  fs.mkdirSync(stagingBin);
  try {
    const logFile = `${target}.build.log`;
    fs.writeFileSync(
      logFile,
      `Building the Pulumi CLI ${versions.cli} and its Node.js language host ${versions.languageHost}\n`,
    );
    log(
      `building the Pulumi CLI once (7 to 11 minutes on two cores, quiet until each stage ends; Go's output goes to ${logFile})`,
    );
    const started = Date.now();
    goBuild(
      cliModuleDir,
      "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
      versions.cli,
      path.join(stagingBin, "pulumi"),
      logFile,
    );
    goBuild(
      languageModuleDir,
      "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
      versions.languageHost,
      path.join(stagingBin, "pulumi-language-nodejs"),
      logFile,
    );
    fs.copyFileSync(pluginScript, path.join(stagingBin, "pulumi-resource-pulumi-nodejs"));
    fs.chmodSync(path.join(stagingBin, "pulumi-resource-pulumi-nodejs"), 0o755);
    log(`the Pulumi CLI is ready, built in ${elapsed(started)}`);
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      // Another process finished first: its result is as good as ours.
      if (!hasAll(path.join(target, "bin"))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Returns the absolute directory holding `pulumi`, `pulumi-language-nodejs` and
 * `pulumi-resource-pulumi-nodejs`: `PULUMI_ITENTIAL_PULUMI_DIR` if set, else a new-enough CLI on PATH,
 * else `<cache>/<versions>/bin`, building it first when it is missing. (The Automation API's
 * `PulumiCommand.get({ root })` expects `<root>/bin/pulumi`, hence the `bin` level.)
 */
function ensurePulumi() {
  const explicit = process.env.PULUMI_ITENTIAL_PULUMI_DIR;
  if (explicit) {
    const dir = path.resolve(explicit);
    if (!hasAll(dir)) {
      throw new Error(`PULUMI_ITENTIAL_PULUMI_DIR=${dir} must contain ${BINARIES.join(", ")} (executable).`);
    }
    return dir;
  }
  const onPath = findOnPath();
  if (onPath) return onPath;
  const versions = pinnedVersions();
  const target = cacheDirFor(versions);
  const bin = path.join(target, "bin");
  if (!hasAll(bin)) {
    // A directory without all binaries is the leftover of a failed build: start it afresh.
    fs.rmSync(target, { recursive: true, force: true });
    build(versions, target);
  }
  return bin;
}

/**
 * The Pulumi YAML language host, for YAML programs (the native plugin's). Built with `go install
 * module@version`, so it keeps the dependencies pulumi-yaml pins (it does not compile against the
 * CLI's module versions), and cached per version beside the CLI. Only the tests and users that
 * run YAML programs ask for it: about 4 minutes on two cores the first time, 45 MB.
 */
const YAML_HOST = { module: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml", version: "v1.25.0" };

/**
 * Returns the directory holding `pulumi-language-yaml`: `PULUMI_ITENTIAL_YAML_DIR` if set, else one
 * on PATH, else `<cache>/pulumi-language-yaml/<version>/bin`, building it first when missing.
 */
function ensureYamlHost() {
  const binary = "pulumi-language-yaml";
  const executable = (dir) => {
    try {
      fs.accessSync(path.join(dir, binary), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const explicit = process.env.PULUMI_ITENTIAL_YAML_DIR;
  if (explicit) {
    const dir = path.resolve(explicit);
    if (!executable(dir)) throw new Error(`PULUMI_ITENTIAL_YAML_DIR=${dir} must contain ${binary} (executable).`);
    return dir;
  }
  // One on PATH only if it is the pinned version (another may not speak to the pinned CLI); Go
  // tells a binary's module version (`go version -m`), so without Go none on PATH is trusted.
  for (const dir of (process.env.PATH || "").split(path.delimiter)) {
    if (!dir || !executable(dir)) continue;
    const found = moduleVersion(path.join(dir, binary));
    if (found === YAML_HOST.version) return dir;
    log(
      `ignoring ${path.join(dir, binary)} (${found ? `version ${found}` : "version unknown"}; ` +
        `${YAML_HOST.version} is pinned; PULUMI_ITENTIAL_YAML_DIR=<dir> uses it anyway)`,
    );
  }
  const target = path.join(path.dirname(cacheRoot()), binary, YAML_HOST.version);
  const bin = path.join(target, "bin");
  if (executable(bin)) return bin;
  fs.rmSync(target, { recursive: true, force: true });
  removeStalePartials(target);
  if (!goVersion()) {
    throw new Error(
      `No ${binary} is on PATH and Go is not installed: install Pulumi YAML's language host, or Go to build it.`,
    );
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.partial-`);
  fs.chmodSync(staging, 0o755);
  fs.writeFileSync(path.join(staging, "pid"), `${process.pid}\n`);
  const stagingBin = path.join(staging, "bin");
  fs.mkdirSync(stagingBin);
  try {
    const logFile = `${target}.build.log`;
    fs.writeFileSync(logFile, `Building ${binary} ${YAML_HOST.version}\n`);
    log(`building the Pulumi YAML language host once (about 4 minutes on two cores; Go's output goes to ${logFile})`);
    stage(
      `downloading and building ${binary} ${YAML_HOST.version}`,
      logFile,
      ["install", "-trimpath", `${YAML_HOST.module}@${YAML_HOST.version}`],
      os.tmpdir(),
      { GOBIN: stagingBin, GOFLAGS: "" },
    );
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      // Another process finished first: its result is as good as ours.
      if (!executable(bin)) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

/** The module version Go recorded in a binary (`go version -m`), or undefined (no Go, not a Go binary). */
function moduleVersion(file) {
  const result = spawnSync("go", ["version", "-m", file], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  return /^\s*mod\s+\S+\s+(v\S+)/m.exec(result.stdout)?.[1];
}

/**
 * A build killed midway (jest timed out, Ctrl-C) leaves its `<target>.partial-*` directory behind,
 * which nothing would ever remove: removed here when the process that made it (its `pid` file) is
 * gone. One without a pid file, or whose process still runs (a concurrent build), is left alone.
 */
function removeStalePartials(target) {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}.partial-`;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.startsWith(prefix)) continue;
    const partial = path.join(dir, name);
    let pid;
    try {
      pid = Number(fs.readFileSync(path.join(partial, "pid"), "utf8"));
    } catch {
      continue;
    }
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

module.exports = { ensurePulumi, ensureYamlHost, pinnedVersions, cacheDirFor };
