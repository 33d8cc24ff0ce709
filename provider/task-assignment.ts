// TaskAssignment: the resource class users write; the rules live in lifecycle/task-assignment.ts.
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";
import { type HeldTaskArgs, heldTaskProps } from "./held-task-args";

export interface TaskAssignmentArgs extends HeldTaskArgs {
  /** The assignee's username (looked up in IAP's accounts). Set this or `userId`. */
  user?: pulumi.Input<string>;
  /** The assignee's account id (24 hexadecimal characters). Set this or `user`. */
  userId?: pulumi.Input<string>;
}

/**
 * Assigns a manual task of an IAP job to a named person: `up` assigns it, `refresh` notices it being
 * released or taken by someone else (the next `up` acts as `onDrift` says), `destroy` releases it if
 * IAP still shows the assignment this resource made.
 */
export class TaskAssignment extends pulumi.CustomResource {
  declare readonly taskId: pulumi.Output<string>;
  declare readonly user: pulumi.Output<string | undefined>;
  declare readonly userId: pulumi.Output<string | undefined>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;
  declare readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the task lives on, in one spelling: the provider's `baseUrl`. */
  declare readonly platformUrl: pulumi.Output<string>;
  /** Username of the person the task is assigned to. */
  declare readonly assignee: pulumi.Output<string>;
  declare readonly assigneeId: pulumi.Output<string>;
  /** Username of whoever holds the task now; unset when nobody does. */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  declare readonly claimTime: pulumi.Output<string | undefined>;
  /** When the assignment this resource made (or adopted) was made: the one destroy releases. */
  declare readonly heldSince: pulumi.Output<string | undefined>;
  /** True when this resource adopted an assignment it did not make (it never releases it). */
  declare readonly adopted: pulumi.Output<boolean>;
  declare readonly status: pulumi.Output<string>;
  declare readonly taskName: pulumi.Output<string>;
  declare readonly jobId: pulumi.Output<string>;

  constructor(name: string, args: TaskAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicType("TaskAssignment"),
      name,
      {
        __provider: storedProvider("taskAssignment"),
        ...heldTaskProps(args),
        user: args.user,
        userId: args.userId,
        assignee: undefined,
        assigneeId: undefined,
      },
      // A replace the engine decides itself (`up --replace`, replaceOnChanges) would otherwise
      // create the new resource first, which finds the old one's claim and must refuse it, and
      // then delete the old one, releasing the claim. Released first, then claimed again.
      { deleteBeforeReplace: true, ...opts },
    );
  }
}
