// Global set-up of the `e2e` jest project: dist/ built from the current sources (Pulumi programs
// load the package through its self-link), then the Pulumi CLI found or built once per jest run (a
// cold build takes minutes, a warm one nothing), its directory handed to the test workers through
// the environment they inherit.
import { ensurePulumi } from "../../scripts/pulumi-toolchain";
import { ensureFreshBuild } from "../support/fresh-build";

export default function globalSetup(): void {
  ensureFreshBuild();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
}
