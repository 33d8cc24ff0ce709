// Global set-up of the `unit` jest project: Node only. Suites spawn dist/emulator/cli.js, so dist/
// must be built from the current sources (rebuilt here when it is not).
import { ensureFreshBuild } from "./fresh-build";

export default function globalSetup(): void {
  ensureFreshBuild();
}
