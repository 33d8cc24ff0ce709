// WorkItemAssignment: the resource class for assigning a Work Center item (Platform 6.5+) to a named
// person; TaskAssignment's rules, over Work Center (lifecycle/work-item-assignment.ts).
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";
import { heldProps } from "./held-task-args";
import type { TaskAssignmentArgs } from "./task-assignment";

/** TaskAssignment's inputs, for a Work Center item: `workItemId` instead of `taskId`. */
export interface WorkItemAssignmentArgs extends Omit<TaskAssignmentArgs, "taskId"> {
  workItemId: pulumi.Input<string>;
}

/**
 * Assigns a Work Center item to a named person: `up` assigns it, `refresh` notices it being released
 * or taken by someone else (the next `up` acts as `onDrift` says), `destroy` releases it if Work
 * Center still shows the assignment this resource made.
 */
export class WorkItemAssignment extends pulumi.CustomResource {
  declare readonly workItemId: pulumi.Output<string>;
  declare readonly user: pulumi.Output<string | undefined>;
  declare readonly userId: pulumi.Output<string | undefined>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;
  declare readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  declare readonly platformUrl: pulumi.Output<string>;
  /** Username of the person the item is assigned to. */
  declare readonly assignee: pulumi.Output<string>;
  declare readonly assigneeId: pulumi.Output<string>;
  /**
   * Username of whoever holds the item now; unset when nobody does. Work Center sends an id and the
   * provider asks `GET /authorization/accounts/:id` for the name: when that is refused or fails,
   * this holds the account id (the same as `ownerId`).
   */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  declare readonly claimTime: pulumi.Output<string | undefined>;
  declare readonly heldSince: pulumi.Output<string | undefined>;
  declare readonly adopted: pulumi.Output<boolean>;
  /** pending, completed or canceled. */
  declare readonly status: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly executionId: pulumi.Output<string | undefined>;
  declare readonly rootExecutionId: pulumi.Output<string | undefined>;
  declare readonly jobId: pulumi.Output<string | undefined>;

  constructor(name: string, args: WorkItemAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicType("WorkItemAssignment"),
      name,
      {
        __provider: storedProvider("workItemAssignment"),
        workItemId: args.workItemId,
        ...heldProps(args),
        user: args.user,
        userId: args.userId,
        assignee: undefined,
        assigneeId: undefined,
        name: undefined,
        executionId: undefined,
        rootExecutionId: undefined,
      },
      // Released first, then assigned again (see TaskAssignment).
      { deleteBeforeReplace: true, ...opts },
    );
  }
}
