// itential:index:TaskAssignment: a named person holds a task, by an assignment this resource made
// (or adopted). Written by hand from the schema (../schema.ts), the way generated
// SDKs look; the rules are the plugin's (provider/lifecycle/task-claim.ts).
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

export interface TaskAssignmentArgs {
  /** The task document's id (a UUID), e.g. from findTask. */
  taskId: pulumi.Input<string>;
  /** The username the task is assigned to (or `userId`). */
  user?: pulumi.Input<string>;
  /** The account id the task is assigned to (or `user`). */
  userId?: pulumi.Input<string>;
  /** Release the task when the resource is destroyed (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** Record a claim the account already holds instead of failing; never released by this resource. */
  adopt?: pulumi.Input<boolean>;
  /** After refresh found the task held by someone else or by nobody (default reclaim). */
  onDrift?: pulumi.Input<"reclaim" | "ignore" | "fail">;
  /** Must name the provider's platform, when given. */
  baseUrl?: pulumi.Input<string>;
}

const INPUTS = ["taskId", "user", "userId", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"] as const;
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
  "assignee",
  "assigneeId",
] as const;

export class TaskAssignment extends pulumi.CustomResource {
  /** @internal */
  public static readonly __pulumiType = "itential:index:TaskAssignment";

  /**
   * Reads a TaskAssignment by its id (the task id) as `pulumi import` does: the plugin reads the
   * task and adopts whoever holds it as the assignee (recorded `adopted`, never released by this
   * resource); a task nobody holds fails. It sends no assignment and no release.
   */
  public static get(name: string, id: pulumi.Input<pulumi.ID>, opts?: pulumi.CustomResourceOptions): TaskAssignment {
    return new TaskAssignment(name, undefined as unknown as TaskAssignmentArgs, { ...opts, id });
  }

  public static override isInstance(obj: unknown): obj is TaskAssignment {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: string }).__pulumiType === TaskAssignment.__pulumiType;
  }

  declare public readonly taskId: pulumi.Output<string>;
  declare public readonly user: pulumi.Output<string | undefined>;
  declare public readonly userId: pulumi.Output<string | undefined>;
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
  /** Username of the person the task is assigned to. */
  declare public readonly assignee: pulumi.Output<string | undefined>;
  declare public readonly assigneeId: pulumi.Output<string | undefined>;

  constructor(name: string, args: TaskAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      TaskAssignment.__pulumiType,
      name,
      utilities.heldResourceInputs(args, opts, "taskId", INPUTS, OUTPUTS),
      utilities.heldResourceOptions(opts),
    );
  }
}
