// itential:index:WorkItemClaim: the account the provider acts as holds a Work Center item
// (Platform 6.5+: an agent session's approval), by a claim this resource made (or adopted).
// Written by hand from the schema (../schema.ts), the way generated SDKs look; the rules are the
// plugin's (provider/lifecycle/work-item-claim.ts, TaskClaim's rules over the Work Center desk).
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

export interface WorkItemClaimArgs {
  /** The Work Center item's id (a UUID), e.g. from findWorkItem. */
  workItemId: pulumi.Input<string>;
  /** Take the work item over (assign it to this account) when another person holds it (default false). */
  takeOver?: pulumi.Input<boolean>;
  /** Release the work item when the resource is destroyed (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** Record a claim the account already holds instead of failing; never released by this resource. */
  adopt?: pulumi.Input<boolean>;
  /** After refresh found the work item held by someone else or by nobody (default reclaim). */
  onDrift?: pulumi.Input<"reclaim" | "ignore" | "fail">;
  /** Must name the provider's platform, when given. */
  baseUrl?: pulumi.Input<string>;
}

const INPUTS = ["workItemId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"] as const;
const OUTPUTS = [
  "platformUrl",
  "name",
  "executionId",
  "rootExecutionId",
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

export class WorkItemClaim extends pulumi.CustomResource {
  /** @internal */
  public static readonly __pulumiType = "itential:index:WorkItemClaim";

  /**
   * Reads a WorkItemClaim by its id (the work item id) as `pulumi import` does: the plugin adopts
   * the claim this provider's account holds (recorded `adopted`, never released by this resource),
   * and fails, naming the holder, when someone else holds the item or nobody does. It sends no
   * claim and no release.
   */
  public static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): WorkItemClaim {
    return new WorkItemClaim(name, undefined as unknown as WorkItemClaimArgs, { ...opts, id });
  }

  public static override isInstance(obj: unknown): obj is WorkItemClaim {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: string }).__pulumiType === WorkItemClaim.__pulumiType;
  }

  declare public readonly workItemId: pulumi.Output<string>;
  declare public readonly takeOver: pulumi.Output<boolean>;
  declare public readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare public readonly adopt: pulumi.Output<boolean>;
  declare public readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare public readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the work item lives on, in one spelling. */
  declare public readonly platformUrl: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  /** The execution that created it: a workflow's job, or an agent session. */
  declare public readonly executionId: pulumi.Output<string | undefined>;
  declare public readonly rootExecutionId: pulumi.Output<string | undefined>;
  declare public readonly jobId: pulumi.Output<string | undefined>;
  declare public readonly status: pulumi.Output<string | undefined>;
  /** Username of whoever holds the work item now; unset when nobody does. */
  declare public readonly owner: pulumi.Output<string | undefined>;
  declare public readonly ownerId: pulumi.Output<string | undefined>;
  declare public readonly claimTime: pulumi.Output<string | undefined>;
  /** The claim time of the claim this resource made or adopted. */
  declare public readonly heldSince: pulumi.Output<string | undefined>;
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  declare public readonly claimant: pulumi.Output<string | undefined>;
  declare public readonly claimantId: pulumi.Output<string | undefined>;

  constructor(name: string, args: WorkItemClaimArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      WorkItemClaim.__pulumiType,
      name,
      utilities.heldResourceInputs(args, opts, "workItemId", INPUTS, OUTPUTS),
      utilities.heldResourceOptions(opts),
    );
  }
}
