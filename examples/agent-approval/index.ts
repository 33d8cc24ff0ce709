// agent-approval: the pipeline's service account holds the approval an AI agent's session waits for
// in Work Center (Itential Platform 6.5+). Such an item exists only in Work Center, not in Operations
// Manager, so TaskClaim cannot hold it: WorkItemClaim does, with the same rules. `pulumi up` claims
// it (and fails naming the holder if a person has it, unless takeOver is set), `pulumi refresh`
// notices a person releasing or re-taking it, `pulumi destroy` releases it if the claim is still ours.
import * as pulumi from "@pulumi/pulumi";
import { findWorkItemOutput, WorkItemClaim } from "pulumi-itential";

const config = new pulumi.Config();

// Find the session's approval by name, waiting for it while the agent gets there.
const approval = findWorkItemOutput({
  executionId: config.require("sessionId"),
  name: config.get("workItemName") ?? "Approve agent remediation",
  waitFor: config.get("waitFor") ?? "2m",
});

const claim = new WorkItemClaim("agent-approval", {
  workItemId: approval.id,
  takeOver: config.getBoolean("takeOver") ?? false,
});

export const workItemId = claim.workItemId;
export const owner = claim.owner;
export const claimTime = claim.claimTime;
export const status = claim.status;
export const executionId = claim.executionId;
