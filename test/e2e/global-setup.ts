// Global set-up of the `e2e` jest project: dist/ built from the current sources, the Pulumi CLI
// found or built once per jest run (a cold build takes minutes, a warm one nothing), and the packed
// library installed into a consumer project outside the repository; both are handed to the test
// workers through the environment they inherit.
import { ensurePulumi } from "../../scripts/pulumi-toolchain";
import { ensureFreshBuild } from "../support/fresh-build";
import { CONSUMER_ENV, installPackedLibrary } from "./consumer";

export default function globalSetup(): void {
  ensureFreshBuild();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
  process.env[CONSUMER_ENV] = installPackedLibrary();
}
