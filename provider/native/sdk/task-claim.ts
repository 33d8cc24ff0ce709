// itential:index:TaskClaim: the account the provider acts as holds a task, by a claim this
// resource made (or adopted). Written by hand from the schema (../schema.ts), the way generated
// SDKs look; the rules are the plugin's (provider/lifecycle/task-claim.ts).
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

export interface TaskClaimArgs {
  /** The task document's id (a UUID), e.g. from findTask. */
  taskId: pulumi.Input<string>;
  /** Take the task over (assign it to this account) when another person holds it (default false). */
  takeOver?: pulumi.Input<boolean>;
  /** Release the task when the resource is destroyed (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** Record a claim the account already holds instead of failing; never released by this resource. */
  adopt?: pulumi.Input<boolean>;
  /** After refresh found the task held by someone else or by nobody (default reclaim). */
  onDrift?: pulumi.Input<"reclaim" | "ignore" | "fail">;
  /** Must name the provider's platform, when given. */
  baseUrl?: pulumi.Input<string>;
}

const INPUTS = ["taskId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"] as const;
const OUTPUTS = [
  "platformUrl",
  "taskName",
  "jobId",
  "status",
  "owner",
  "ownerId",
  "claimTime",
  "heldSince",
  "adopted",
  "claimant",
  "claimantId",
] as const;

export class TaskClaim extends pulumi.CustomResource {
  /** @internal */
  public static readonly __pulumiType = "itential:index:TaskClaim";

  /**
   * Reads a TaskClaim by its id (the task id) as `pulumi import` does: the plugin reads the task
   * and adopts the claim this provider's account holds (recorded `adopted`, never released by
   * this resource), and fails, naming the holder, when someone else holds the task or nobody does.
   * It sends no claim and no release.
   */
  public static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): TaskClaim {
    return new TaskClaim(name, undefined as unknown as TaskClaimArgs, { ...opts, id });
  }

  public static override isInstance(obj: unknown): obj is TaskClaim {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: string }).__pulumiType === TaskClaim.__pulumiType;
  }

  declare public readonly taskId: pulumi.Output<string>;
  declare public readonly takeOver: pulumi.Output<boolean>;
  declare public readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare public readonly adopt: pulumi.Output<boolean>;
  declare public readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare public readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the task lives on, in one spelling. */
  declare public readonly platformUrl: pulumi.Output<string>;
  declare public readonly taskName: pulumi.Output<string | undefined>;
  declare public readonly jobId: pulumi.Output<string | undefined>;
  declare public readonly status: pulumi.Output<string | undefined>;
  /** Username of whoever holds the task now; unset when nobody does. */
  declare public readonly owner: pulumi.Output<string | undefined>;
  declare public readonly ownerId: pulumi.Output<string | undefined>;
  declare public readonly claimTime: pulumi.Output<string | undefined>;
  /** The claim time of the claim this resource made or adopted. */
  declare public readonly heldSince: pulumi.Output<string | undefined>;
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  declare public readonly claimant: pulumi.Output<string | undefined>;
  declare public readonly claimantId: pulumi.Output<string | undefined>;

  constructor(name: string, args: TaskClaimArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      TaskClaim.__pulumiType,
      name,
      utilities.heldResourceInputs(args, opts, "taskId", INPUTS, OUTPUTS),
      utilities.heldResourceOptions(opts),
    );
  }
}
