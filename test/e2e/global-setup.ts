// Finds or builds the Pulumi CLI once per jest run (a cold build takes minutes, a warm one nothing)
// and hands its directory to the test workers through the environment they inherit.
import { ensurePulumi } from "../../scripts/pulumi-toolchain";

export default function globalSetup(): void {
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
}
