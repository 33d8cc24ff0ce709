// WorkItemClaim: the resource class users write for Work Center items (Platform 6.5+). It only
// declares inputs and outputs; the rules (TaskClaim's, over Work Center) live in
// lifecycle/work-item-claim.ts and run in the dynamic-provider process.
import * as pulumi from "@pulumi/pulumi";

import { dynamicType, storedProvider } from "./dynamic/stored-provider";
import { heldProps } from "./held-task-args";
import type { TaskClaimArgs } from "./task-claim";

/**
 * TaskClaim's inputs, for a Work Center item: `workItemId` (a UUID, e.g. `findWorkItem(...).id`)
 * instead of `taskId`; `takeOver`, `releaseOnDestroy`, `adopt`, `onDrift` and `baseUrl` mean what
 * they mean for TaskClaim.
 */
export interface WorkItemClaimArgs extends Omit<TaskClaimArgs, "taskId"> {
  workItemId: pulumi.Input<string>;
}

/**
 * Holds a Work Center item (an agent session's approval, a workflow's manual task or Quick Form on
 * Platform 6.5+) for the account the provider is configured with, with TaskClaim's rules: `up`
 * claims it, `refresh` notices a person releasing or re-taking it, `destroy` releases it if Work
 * Center still shows this resource's claim. An item the account already holds is refused unless `adopt`.
 */
export class WorkItemClaim extends pulumi.CustomResource {
  declare readonly workItemId: pulumi.Output<string>;
  declare readonly takeOver: pulumi.Output<boolean>;
  declare readonly releaseOnDestroy: pulumi.Output<boolean>;
  declare readonly adopt: pulumi.Output<boolean>;
  declare readonly onDrift: pulumi.Output<"reclaim" | "ignore" | "fail">;
  declare readonly baseUrl: pulumi.Output<string | undefined>;
  /** The platform the item lives on, in one spelling: the provider's `baseUrl`. */
  declare readonly platformUrl: pulumi.Output<string>;
  /**
   * Username of whoever holds the item now; unset when nobody does. Work Center sends an id and the
   * provider asks `GET /authorization/accounts/:id` for the name: when that is refused or fails,
   * this holds the account id (the same as `ownerId`).
   */
  declare readonly owner: pulumi.Output<string | undefined>;
  declare readonly ownerId: pulumi.Output<string | undefined>;
  /** When the current holder claimed it (ISO-8601 UTC). */
  declare readonly claimTime: pulumi.Output<string | undefined>;
  /** When the claim this resource made (or adopted) was made: the one destroy releases. */
  declare readonly heldSince: pulumi.Output<string | undefined>;
  declare readonly adopted: pulumi.Output<boolean>;
  /** pending, completed or canceled. */
  declare readonly status: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  /** The execution that created the item (an agent session, or a workflow's job) and its root. */
  declare readonly executionId: pulumi.Output<string | undefined>;
  declare readonly rootExecutionId: pulumi.Output<string | undefined>;
  /** For a workflow's item: its job. */
  declare readonly jobId: pulumi.Output<string | undefined>;
  /** The account this resource claims the item for. */
  declare readonly claimant: pulumi.Output<string>;
  declare readonly claimantId: pulumi.Output<string>;

  constructor(name: string, args: WorkItemClaimArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicType("WorkItemClaim"),
      name,
      {
        __provider: storedProvider("workItemClaim"),
        workItemId: args.workItemId,
        ...heldProps(args),
        takeOver: args.takeOver,
        name: undefined,
        executionId: undefined,
        rootExecutionId: undefined,
        claimant: undefined,
        claimantId: undefined,
      },
      // Released first, then claimed again (see TaskClaim).
      { deleteBeforeReplace: true, ...opts },
    );
  }
}
