// A time budget for every Pulumi CLI command the e2e tests run, by the harness (`sandbox.cli`) or
// the Automation API (the harness's PulumiCommand): what the command does on a quiet machine, with
// room, scaled by the machine's load when it starts (test/support/time-scale.js). A command past
// its budget is stopped and the test fails naming the command and the budget, instead of a bare
// "Exceeded timeout" of the whole test; the test's own timeout stays the backstop.
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { describeBudget, scaledBudget } from "../support/time-scale";

/** Commands that run the program, the engine and the providers. */
const ENGINE_COMMANDS = new Set(["up", "update", "preview", "refresh", "destroy", "import", "watch"]);

/** What `pulumi <args>` needs on a quiet two-core machine, with room for a slow start. */
export function cliBudgetMs(args: readonly string[]): number {
  return ENGINE_COMMANDS.has(args[0] ?? "") ? 150_000 : 45_000;
}

export class StepBudgetError extends Error {}

export function budgetExceeded(args: readonly string[], output = ""): StepBudgetError {
  return new StepBudgetError(
    `pulumi ${args.join(" ")} did not finish within its budget of ${describeBudget(cliBudgetMs(args))}: ` +
      `stopped. A hang, or a machine busier than the budget allows (PULUMI_ITENTIAL_TIME_SCALE raises it).${output ? `\n${output}` : ""}`,
  );
}

/** The Automation API's runner (an internal method, present since 3.1xx) with a budget per command. */
type Run = (
  args: string[],
  cwd: string,
  env: Record<string, string>,
  onOutput?: (data: string) => void,
  onError?: (data: string) => void,
  signal?: AbortSignal,
) => Promise<unknown>;

export function withStepBudgets(command: PulumiCommand): PulumiCommand {
  const run = (command as unknown as { run?: Run }).run;
  if (typeof run !== "function") return command; // another SDK shape: the tests' timeouts still hold
  const budgeted: Run = async (args, cwd, env, onOutput, onError, signal) => {
    const timer = AbortSignal.timeout(scaledBudget(cliBudgetMs(args)));
    const combined = signal ? AbortSignal.any([signal, timer]) : timer;
    try {
      return await run.call(command, args, cwd, env, onOutput, onError, combined);
    } catch (error) {
      if (timer.aborted && !signal?.aborted) throw Object.assign(budgetExceeded(args), { cause: error });
      throw error;
    }
  };
  Object.defineProperty(command, "run", { value: budgeted });
  return command;
}
