// The plugin's entry (the launcher `pulumi-resource-itential` runs it): serve, print the port.
// @pulumi/pulumi is a peer dependency the plugin loads its gRPC stubs from: missing, the engine
// would show a raw stack trace, so its absence is said in one line, with the fix.
function peerMissing(): boolean {
  try {
    require.resolve("@pulumi/pulumi/package.json");
    return false;
  } catch {
    return true;
  }
}

if (peerMissing()) {
  process.stderr.write(
    "pulumi-resource-itential: the peer dependency @pulumi/pulumi is not installed: run `npm install @pulumi/pulumi` in the project that holds pulumi-itential\n",
  );
  process.exit(1);
}

// Loaded only now: server.ts requires @pulumi/pulumi's stubs as it loads.
const { serve } = require("./server") as typeof import("./server");

serve(process.argv.slice(2)).then(
  ({ port }) => {
    // The engine reads the port from the first line of stdout; nothing else is written there.
    process.stdout.write(`${port}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`pulumi-resource-itential: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
