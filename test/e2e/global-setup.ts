// Finds or builds the Pulumi CLI once per jest run (a cold build takes minutes, a warm one nothing),
// and installs the packed library into a consumer project outside the repository; both are handed
// to the test workers through the environment they inherit.
import { ensurePulumi } from "../../scripts/pulumi-toolchain";
import { CONSUMER_ENV, installPackedLibrary } from "./consumer";

export default function globalSetup(): void {
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
  process.env[CONSUMER_ENV] = installPackedLibrary();
}
