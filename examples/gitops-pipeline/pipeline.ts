// gitops-pipeline: the CI job around a Pulumi project that claims IAP tasks, through the Automation
// API. On a pull request it previews and prints the plan as a short summary; on merge it applies.
//
//   ts-node pipeline.ts plan  [--detailed-exitcode]   # pull request: what would change
//   ts-node pipeline.ts apply                         # merge to main: do it
//   ts-node pipeline.ts destroy                       # tear down (the change is done or abandoned)
//
// Environment: PROJECT_DIR (the Pulumi project, default ../approval-gate), STACK (default "ci"), and
// what Pulumi itself reads (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE or PULUMI_ACCESS_TOKEN, and
// the ITENTIAL_* fallbacks of the stack config). Exit codes: 0 done (for plan: nothing to change, or
// changes planned without --detailed-exitcode), 2 plan with changes and --detailed-exitcode, 1 the
// operation failed, 64 wrong usage.
import * as path from "node:path";
import { type EngineEvent, LocalWorkspace, type OpMap } from "@pulumi/pulumi/automation";

const USAGE = "usage: pipeline.ts plan [--detailed-exitcode] | apply | destroy";

/** One line per resource the engine plans to touch, from its event stream: "+ TaskClaim approval". */
function planLines(events: EngineEvent[]): string[] {
  const symbols: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-" };
  return events.flatMap((event) => {
    const step = event.resourcePreEvent?.metadata;
    // The stack and default providers are Pulumi's own bookkeeping, not part of the plan to review.
    if (
      !step ||
      step.op === "same" ||
      step.type === "pulumi:pulumi:Stack" ||
      step.type.startsWith("pulumi:providers:")
    ) {
      return [];
    }
    const name = step.urn.split("::").at(-1);
    const kind = step.type.split(":").at(-1);
    return [`  ${symbols[step.op] ?? step.op} ${kind} ${name}`];
  });
}

function summary(changes: OpMap | Record<string, number> | undefined): string {
  const counts = Object.entries(changes ?? {}).filter(([op, n]) => op !== "same" && (n ?? 0) > 0);
  return counts.length === 0 ? "no changes" : counts.map(([op, n]) => `${n} to ${op}`).join(", ");
}

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  if (!command || !["plan", "apply", "destroy"].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return 64;
  }
  const workDir = path.resolve(process.env.PROJECT_DIR ?? path.join(__dirname, "..", "approval-gate"));
  // Select, never create: a mistyped stack name must fail the job, not plan against an empty stack.
  const stack = await LocalWorkspace.selectStack({ stackName: process.env.STACK ?? "ci", workDir });
  const events: EngineEvent[] = [];
  const onEvent = (event: EngineEvent) => events.push(event);

  if (command === "plan") {
    const preview = await stack.preview({ onEvent });
    const changed = summary(preview.changeSummary) !== "no changes";
    process.stdout.write(`Plan for ${stack.name}: ${summary(preview.changeSummary)}\n`);
    for (const line of planLines(events)) process.stdout.write(`${line}\n`);
    return changed && flags.includes("--detailed-exitcode") ? 2 : 0;
  }
  if (command === "apply") {
    const up = await stack.up({ onEvent });
    process.stdout.write(`Applied to ${stack.name}: ${summary(up.summary.resourceChanges)}\n`);
    for (const [key, output] of Object.entries(up.outputs)) {
      process.stdout.write(`  ${key}: ${output.secret ? "[secret]" : JSON.stringify(output.value)}\n`);
    }
    return 0;
  }
  const destroy = await stack.destroy({ onEvent });
  process.stdout.write(`Destroyed ${stack.name}: ${summary(destroy.summary.resourceChanges)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    // The Automation API's error carries the CLI's whole output: keep its distinct error reasons,
    // not the "update failed" lines that only say that something did.
    const lines = String(error?.message ?? error).split("\n");
    const reasons = [
      ...new Set(
        lines
          .map((line) => /error: (.*)$/.exec(line)?.[1]?.trim())
          .filter((reason): reason is string => !!reason && !/^(update|preview|refresh|destroy) failed$/.test(reason)),
      ),
    ];
    for (const reason of reasons.length > 0 ? reasons : lines.slice(0, 3)) {
      process.stderr.write(`Pipeline failed: ${reason}\n`);
    }
    process.exit(1);
  },
);
