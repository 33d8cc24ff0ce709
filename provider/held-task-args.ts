// The inputs and outputs TaskClaim and TaskAssignment share: which claim is theirs, and what they
// do about drift (the rules: lifecycle/ownership.ts).
import type * as pulumi from "@pulumi/pulumi";

export interface HeldTaskArgs {
  /** The task document's id (a UUID), e.g. `findTask(...).id`. */
  taskId: pulumi.Input<string>;
  /**
   * Release the task on destroy if IAP still shows the claim this resource made (default true).
   * An adopted claim is never released.
   */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /**
   * Record a claim the holder already has (made by another stack, another resource, or by hand)
   * instead of failing (default false). This resource then never releases it: it releases only
   * what it claimed. For a renamed resource, give it its old name as an alias instead.
   */
  adopt?: pulumi.Input<boolean>;
  /**
   * What `up` does when refresh found the task released, or held by someone else: `"reclaim"`
   * (default: claim it again), `"ignore"` (leave it, and record the holder) or `"fail"` (fail,
   * naming the holder, and send nothing).
   */
  onDrift?: pulumi.Input<"reclaim" | "ignore" | "fail">;
  /**
   * The platform's URL. Optional: it must name the provider's platform (`itential:baseUrl`, or an
   * explicit Provider's `baseUrl`); a task on another platform needs a provider of its own.
   */
  baseUrl?: pulumi.Input<string>;
}

/** The shared inputs, and the shared outputs left for the engine to fill, as the engine takes them. */
export function heldTaskProps(args: HeldTaskArgs): Record<string, unknown> {
  return { taskId: args.taskId, ...heldProps(args), taskName: undefined };
}

/**
 * What every resource that holds something (a task, or a Work Center item) shares: the ownership
 * inputs, and the outputs the engine fills.
 */
export function heldProps(args: Omit<HeldTaskArgs, "taskId">): Record<string, unknown> {
  return {
    releaseOnDestroy: args.releaseOnDestroy,
    adopt: args.adopt,
    onDrift: args.onDrift,
    baseUrl: args.baseUrl,
    platformUrl: undefined,
    heldSince: undefined,
    adopted: undefined,
    owner: undefined,
    ownerId: undefined,
    claimTime: undefined,
    status: undefined,
    jobId: undefined,
  };
}
