// Tests run the built package (dist/emulator/cli.js as a process, and `pulumi-itential` through its
// self-link in Pulumi programs), so a build older than its sources would test old code. This
// compares each source's modification time with its compiled file's and rebuilds when any source
// (or a tsconfig) is newer. When dist/ is fresh it only reads a few dozen file times.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** What `tsconfig.build.json` compiles. */
const SOURCE_DIRS = ["sdk", "emulator", "provider"];
const SOURCE_FILES = ["index.ts"];
/** Files that change every output when they change. */
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json"];

function mtime(file: string): number | undefined {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function sources(root: string): string[] {
  const found = SOURCE_FILES.map((file) => path.join(root, file)).filter((file) => fs.existsSync(file));
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // provider/ does not exist in every checkout
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) found.push(full);
    }
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  return found;
}

/** Why dist/ is stale (the first reason found), or undefined when it is fresh. */
export function staleReason(root = REPO_ROOT): string | undefined {
  const newestConfig = Math.max(...CONFIG_FILES.map((file) => mtime(path.join(root, file)) ?? 0));
  for (const source of sources(root)) {
    const relative = path.relative(root, source);
    const output = path.join("dist", relative.replace(/\.ts$/, ".js"));
    const built = mtime(path.join(root, output));
    if (built === undefined) return `${output} is missing`;
    if (built < (mtime(source) ?? 0)) return `${relative} is newer than its build`;
    if (built < newestConfig) return "a tsconfig is newer than the build";
  }
  return undefined;
}

/**
 * Rebuilds dist/ (tsc -p tsconfig.build.json) when it is stale. tsc still writes its output when
 * it finds type errors: those are printed as a warning (`npm run typecheck` and `npm test` fail on
 * them), and the tests run the code as written. Throws when no fresh output could be written.
 */
export function ensureFreshBuild(root = REPO_ROOT): void {
  const reason = staleReason(root);
  if (!reason) return;
  process.stderr.write(`[build] ${reason}: rebuilding dist/ (tsc -p tsconfig.build.json)\n`);
  const tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
  let diagnostics = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    diagnostics = `${stdout}${stderr}`.trim() || String(error);
  }
  const still = staleReason(root);
  if (still)
    throw new Error(`The build failed (npm run build), so the tests would run old code (${still}):\n${diagnostics}`);
  if (diagnostics) process.stderr.write(`[build] built, with type errors:\n${diagnostics}\n`);
}
