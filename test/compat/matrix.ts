// The compatibility matrix: which @pulumi/pulumi versions on which Node.js versions the packed
// library is run with (test/compat/*.test.ts, one file per SDK version so two run at once), and
// how a cell gets its Node.js binary and its consumer project.
//
// - @pulumi/pulumi: the oldest the peer range allows (3.139.0: the dynamic provider's `configure`),
//   the version this repository develops with, and the newest at the time of writing. Bump
//   NEWEST_PULUMI with `npm view @pulumi/pulumi version`.
// - Node.js: 20 and 24 for every SDK version (the oldest we support, the newest LTS), and 22 for
//   the newest SDK only, whose own floor it is (3.276.0 declares `node >= 22`; it installs on 20
//   with npm's engine warning, and that cell runs too).
// The Node.js running jest serves its own major version; the others are npm's `node-<platform>-<arch>`
// packages, fetched once into ~/.cache/pulumi-itential/node/<version>.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { npm } from "../support/npm";

export const OLDEST_PULUMI = "3.139.0";
export const DEV_PULUMI = "3.248.0";
export const NEWEST_PULUMI = "3.276.0";

/** The binary fetched for a Node.js major that is not the one running the tests. */
const NODE_BINARIES: Record<number, string> = { 20: "20.8.0", 22: "22.23.5", 24: "24.22.3" };

export const MATRIX: Record<string, number[]> = {
  [OLDEST_PULUMI]: [20, 24],
  [DEV_PULUMI]: [20, 24],
  [NEWEST_PULUMI]: [20, 22, 24],
};

/** Set by global-setup.ts: JSON of `{ [major]: directory holding that node }`. */
export const NODES_ENV = "PULUMI_ITENTIAL_COMPAT_NODES";
/** Set by global-setup.ts: the packed library. */
export const TARBALL_ENV = "PULUMI_ITENTIAL_COMPAT_TARBALL";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "pulumi-itential", "node");
}

/** The directory of a `node` of this major version: the running one, or a cached download. */
export function ensureNode(major: number): string {
  if (Number(process.versions.node.split(".")[0]) === major) return path.dirname(process.execPath);
  const version = NODE_BINARIES[major];
  if (!version) throw new Error(`no Node.js ${major} binary is pinned in test/compat/matrix.ts`);
  const target = path.join(cacheRoot(), version);
  const bin = path.join(target, "node_modules", `node-${process.platform}-${process.arch}`, "bin");
  if (fs.existsSync(path.join(bin, "node"))) return bin;
  fs.mkdirSync(cacheRoot(), { recursive: true });
  // Into a private directory renamed into place: a concurrent or interrupted fetch never leaves a
  // half-written binary that a later run would trust.
  const staging = fs.mkdtempSync(`${target}.partial-`);
  try {
    process.stderr.write(`[compat] fetching Node.js ${version} (npm: node-${process.platform}-${process.arch})\n`);
    npm(
      [
        "install",
        "--prefix",
        staging,
        "--no-save",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        `node-${process.platform}-${process.arch}@${version}`,
      ],
      staging,
    );
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      if (!fs.existsSync(path.join(bin, "node"))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return bin;
}

/** Packs this checkout (dist/ is already fresh: the global set-up checked) into `dir`. */
export function packLibrary(dir: string): string {
  npm(["pack", "--ignore-scripts", "--pack-destination", dir], REPO_ROOT);
  const tarball = fs.readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
  return path.join(dir, tarball);
}

/**
 * A fresh consumer project with the packed library and exactly `pulumiVersion` of @pulumi/pulumi,
 * installed by npm as a user installs them: peer dependencies resolved for real (no
 * --legacy-peer-deps), so a version outside the peer range fails here.
 */
export function installConsumer(tarball: string, pulumiVersion: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pulumi-itential-compat-${pulumiVersion}-`));
  fs.writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: "compat-consumer", private: true })}\n`);
  npm(
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      tarball,
      `@pulumi/pulumi@${pulumiVersion}`,
    ],
    dir,
  );
  return dir;
}
