// One TaskClaim per task id in the stack's `taskIds` config (a JSON list). Plain JavaScript, so the
// language host runs it without a compiler: what a race or a lane needs is its own processes, fast.
const pulumi = require("@pulumi/pulumi");
const { TaskClaim } = require("pulumi-itential");

const taskIds = new pulumi.Config().requireObject("taskIds");
taskIds.forEach((taskId, i) => {
  new TaskClaim(`claim-${i}`, { taskId });
});
