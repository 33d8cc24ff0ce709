// TaskClaim: the resource class users write. It only declares inputs and outputs; the rules live in
// lifecycle/task-claim.ts and run in the dynamic-provider process.
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";

export interface TaskClaimArgs {
  /** The task document's id (a UUID), e.g. `findTask(...).id`. */
  taskId: pulumi.Input<string>;
  /**
   * When someone else holds the task: take it over by assigning it to this account (default
   * false: fail, naming the holder and their claim time).
   */
  takeOver?: pulumi.Input<boolean>;
  /** Release the task on destroy if this account still holds it (default true). */
  releaseOnDestroy?: pulumi.Input<boolean>;
  /** The platform's URL, when this task lives elsewhere than `itential:baseUrl`. */
  baseUrl?: pulumi.Input<string>;
}

/**
 * Holds a manual task of an IAP job for the account the provider is configured with (the
 * pipeline's service account): `up` claims it, `refresh` notices a person releasing or re-taking
 * it, `destroy` releases it. A task this account already holds is adopted, not refused.
 */
export class TaskClaim extends pulumi.CustomResource {
  declare readonly taskId: pulumi.Output<string>;
  declare readonly takeOver: pulumi.Output<boolean>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  /** Username of whoever holds the task now; unset when nobody does. */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  /** When the current holder claimed it (ISO-8601 UTC). */
  declare readonly claimTime: pulumi.Output<string | undefined>;
  /** The task's status: running, incomplete, complete, canceled, … */
  declare readonly status: pulumi.Output<string>;
  declare readonly taskName: pulumi.Output<string>;
  declare readonly jobId: pulumi.Output<string>;
  /** The account this resource claims the task for. */
  declare readonly claimant: pulumi.Output<string>;
  declare readonly claimantId: pulumi.Output<string>;

  constructor(name: string, args: TaskClaimArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicType("TaskClaim"),
      name,
      {
        __provider: storedProvider("taskClaim"),
        taskId: args.taskId,
        takeOver: args.takeOver,
        releaseOnDestroy: args.releaseOnDestroy,
        baseUrl: args.baseUrl,
        owner: undefined,
        ownerId: undefined,
        claimTime: undefined,
        status: undefined,
        taskName: undefined,
        jobId: undefined,
        claimant: undefined,
        claimantId: undefined,
      },
      opts,
    );
  }
}
