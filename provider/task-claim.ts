// TaskClaim: the resource class users write. It only declares inputs and outputs; the rules live in
// lifecycle/task-claim.ts and run in the dynamic-provider process.
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";
import { type HeldTaskArgs, heldTaskProps } from "./held-task-args";

export interface TaskClaimArgs extends HeldTaskArgs {
  /**
   * When someone else holds the task: take it over by assigning it to this account (default
   * false: fail, naming the holder and their claim time).
   */
  takeOver?: pulumi.Input<boolean>;
}

/**
 * Holds a manual task of an IAP job for the account the provider is configured with (the
 * pipeline's service account): `up` claims it, `refresh` notices a person releasing or re-taking
 * it, `destroy` releases it if IAP still shows this resource's claim. A task the account already
 * holds is refused unless `adopt`.
 */
export class TaskClaim extends pulumi.CustomResource {
  declare readonly taskId: pulumi.Output<string>;
  declare readonly takeOver: pulumi.Output<boolean>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;
  declare readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the task lives on, in one spelling: the provider's `baseUrl`. */
  declare readonly platformUrl: pulumi.Output<string>;
  /** Username of whoever holds the task now; unset when nobody does. */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  /** When the current holder claimed it (ISO-8601 UTC). */
  declare readonly claimTime: pulumi.Output<string | undefined>;
  /** When the claim this resource made (or adopted) was made: the one destroy releases. */
  declare readonly heldSince: pulumi.Output<string | undefined>;
  /** True when this resource adopted a claim it did not make (it never releases it). */
  declare readonly adopted: pulumi.Output<boolean>;
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
        ...heldTaskProps(args),
        takeOver: args.takeOver,
        claimant: undefined,
        claimantId: undefined,
      },
      // A replace the engine decides itself (`up --replace`, replaceOnChanges) would otherwise
      // create the new resource first, which finds the old one's claim and must refuse it, and
      // then delete the old one, releasing the claim. Released first, then claimed again.
      { deleteBeforeReplace: true, ...opts },
    );
  }
}
