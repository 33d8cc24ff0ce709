// approval-gate: the pipeline's service account holds the approval task of a running IAP job.
// `pulumi up` claims it (and fails naming the holder if a person has it, unless takeOver is set),
// `pulumi refresh` notices a person releasing or re-taking it, `pulumi destroy` releases it.
import * as pulumi from "@pulumi/pulumi";
import { findTaskOutput, TaskClaim } from "pulumi-itential";

const config = new pulumi.Config();

// Find the job's approval task, waiting for it while the job starts.
const approval = findTaskOutput({
  jobId: config.require("jobId"),
  name: config.get("taskName") ?? "Approve change",
  waitFor: config.get("waitFor") ?? "2m",
});

const claim = new TaskClaim("approval", {
  taskId: approval.id,
  takeOver: config.getBoolean("takeOver") ?? false,
});

export const taskId = claim.taskId;
export const owner = claim.owner;
export const claimTime = claim.claimTime;
export const status = claim.status;
