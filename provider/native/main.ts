// The plugin's entry (the launcher `pulumi-resource-itential` runs it): serve, print the port.
import { serve } from "./server";

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
