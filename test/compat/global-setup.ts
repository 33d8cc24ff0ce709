// Global set-up of the `compat` jest project: dist/ fresh, the Pulumi CLI found or built, the
// library packed once, and every Node.js binary of the matrix at hand (fetched once, then cached).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumi } from "../../scripts/pulumi-toolchain";
import { ensureFreshBuild } from "../support/fresh-build";
import { ensureNode, MATRIX, NODES_ENV, packLibrary, TARBALL_ENV } from "./matrix";

export default function globalSetup(): void {
  ensureFreshBuild();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
  process.env[TARBALL_ENV] = packLibrary(fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-compat-pack-")));
  const majors = [...new Set(Object.values(MATRIX).flat())];
  process.env[NODES_ENV] = JSON.stringify(Object.fromEntries(majors.map((major) => [major, ensureNode(major)])));
}
