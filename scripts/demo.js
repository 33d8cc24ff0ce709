#!/usr/bin/env node
// The demo (a Pulumi program claiming an approval task in the embedded emulator) lands with the
// provider; until then this says so and fails, rather than pretending to have run.

process.stderr.write(
  "The demo is not built yet: it needs the TaskClaim provider. `npm test` runs what exists today.\n",
);
process.exit(1);
