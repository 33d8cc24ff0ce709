// itential:index:WorkItemAssignment: a named person holds a Work Center item (Platform 6.5+), by an
// assignment this resource made (or adopted). Written by hand from the schema (../schema.ts), the
// way generated SDKs look; the rules are the plugin's (provider/lifecycle/work-item-assignment.ts,
// TaskAssignment's rules over the Work Center desk).
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

export interface WorkItemAssignmentArgs {
  /** The Work Center item's id (a UUID), e.g. from findWorkItem. */
  workItemId: pulumi.Input<string>;
  /** The username the work item is assigned to (or `userId`). */
  user?: pulumi.Input<string>;
  /** The account id the work item is assigned to (or `user`). */
  userId?: pulumi.Input<string>;
  /** Release the work item when the resource is destroyed (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** Record a claim the account already holds instead of failing; never released by this resource. */
  adopt?: pulumi.Input<boolean>;
  /** After refresh found the work item held by someone else or by nobody (default reclaim). */
  onDrift?: pulumi.Input<"reclaim" | "ignore" | "fail">;
  /** Must name the provider's platform, when given. */
  baseUrl?: pulumi.Input<string>;
}

const INPUTS = ["workItemId", "user", "userId", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"] as const;
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
  "assignee",
  "assigneeId",
] as const;

export class WorkItemAssignment extends pulumi.CustomResource {
  /** @internal */
  public static readonly __pulumiType = "itential:index:WorkItemAssignment";

  /**
   * Reads a WorkItemAssignment by its id (the work item id) as `pulumi import` does: the plugin
   * adopts whoever holds the item as the assignee (recorded `adopted`, never released by this
   * resource); an item nobody holds fails. It sends no assignment and no release.
   */
  public static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
  ): WorkItemAssignment {
    return new WorkItemAssignment(name, undefined as unknown as WorkItemAssignmentArgs, { ...opts, id });
  }

  public static override isInstance(obj: unknown): obj is WorkItemAssignment {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: string }).__pulumiType === WorkItemAssignment.__pulumiType;
  }

  declare public readonly workItemId: pulumi.Output<string>;
  declare public readonly user: pulumi.Output<string | undefined>;
  declare public readonly userId: pulumi.Output<string | undefined>;
  declare public readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare public readonly adopt: pulumi.Output<boolean>;
  declare public readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare public readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the work item lives on, in one spelling. */
  declare public readonly platformUrl: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
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
  /** Username of the person the work item is assigned to. */
  declare public readonly assignee: pulumi.Output<string | undefined>;
  declare public readonly assigneeId: pulumi.Output<string | undefined>;

  constructor(name: string, args: WorkItemAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      WorkItemAssignment.__pulumiType,
      name,
      utilities.heldResourceInputs(args, opts, "workItemId", INPUTS, OUTPUTS),
      utilities.heldResourceOptions(opts),
    );
  }
}
