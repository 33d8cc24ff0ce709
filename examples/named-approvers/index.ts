// named-approvers: each manual task of a change job belongs to a named person, chosen per stack
// (Pulumi.staging.yaml, Pulumi.production.yaml). `pulumi up` assigns them, `pulumi refresh` notices
// a task released or taken by someone else (the next up assigns it back), `pulumi destroy`
// releases the tasks the approvers still hold (which IAP lets an administrator do).
import * as pulumi from "@pulumi/pulumi";
import { findTaskOutput, TaskAssignment } from "pulumi-itential";

const config = new pulumi.Config();
const jobId = config.require("jobId");
const approvers = config.requireObject<Record<string, string>>("approvers");

const assignments = Object.entries(approvers).map(([taskName, user]) => {
  const task = findTaskOutput({ jobId, name: taskName, waitFor: "2m" });
  // A resource name from the task's name: "Approve change" -> "approve-change".
  const name = taskName.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return new TaskAssignment(name, { taskId: task.id, user });
});

export const assigned = pulumi
  .all(assignments.map((a) => pulumi.all([a.taskName, a.assignee, a.owner])))
  .apply((rows) => Object.fromEntries(rows.map(([task, assignee, owner]) => [task, { assignee, owner }])));
