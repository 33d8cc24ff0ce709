// TaskAssignment: the resource class users write; the rules live in lifecycle/task-assignment.ts.
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";

export interface TaskAssignmentArgs {
  /** The task document's id (a UUID), e.g. `findTask(...).id`. */
  taskId: pulumi.Input<string>;
  /** The assignee's username (looked up in IAP's accounts). Set this or `userId`. */
  user?: pulumi.Input<string>;
  /** The assignee's account id (24 hexadecimal characters). Set this or `user`. */
  userId?: pulumi.Input<string>;
  /** Release the task on destroy if the assignee still holds it (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** The platform's URL, when this task lives elsewhere than `itential:baseUrl`. */
  baseUrl?: pulumi.Input<string>;
}

/**
 * Assigns a manual task of an IAP job to a named person: `up` assigns it, `refresh` notices it being
 * released or taken by someone else (the next `up` assigns it again), `destroy` releases it if the
 * assignee still holds it.
 */
export class TaskAssignment extends pulumi.CustomResource {
  declare readonly taskId: pulumi.Output<string>;
  declare readonly user: pulumi.Output<string | undefined>;
  declare readonly userId: pulumi.Output<string | undefined>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  /** Username of the person the task is assigned to. */
  declare readonly assignee: pulumi.Output<string>;
  declare readonly assigneeId: pulumi.Output<string>;
  /** Username of whoever holds the task now; unset when nobody does. */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  declare readonly claimTime: pulumi.Output<string | undefined>;
  declare readonly status: pulumi.Output<string>;
  declare readonly taskName: pulumi.Output<string>;
  declare readonly jobId: pulumi.Output<string>;

  constructor(name: string, args: TaskAssignmentArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicType("TaskAssignment"),
      name,
      {
        __provider: storedProvider("taskAssignment"),
        taskId: args.taskId,
        user: args.user,
        userId: args.userId,
        releaseOnDestroy: args.releaseOnDestroy,
        baseUrl: args.baseUrl,
        assignee: undefined,
        assigneeId: undefined,
        owner: undefined,
        ownerId: undefined,
        claimTime: undefined,
        status: undefined,
        taskName: undefined,
        jobId: undefined,
      },
      opts,
    );
  }
}
