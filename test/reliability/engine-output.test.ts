// What the reliability runs read from the engine's output when a run fails.
import { providerError } from "./engine-output";

const TASK = "59f8b69d-0eb7-40e4-add7-1a28249d1fca";

test("a plain failure: the resource's error line, once however often the engine repeats it", () => {
  const text = [
    ` +  pulumi-nodejs:dynamic/itential:TaskClaim claim-0 creating (0s) error: POST /x/${TASK}/claim failed`,
    "Diagnostics:",
    "  pulumi:pulumi:Stack (e2e-cell-0):",
    "    error: update failed",
    "",
    "  pulumi-nodejs:dynamic/itential:TaskClaim (claim-0):",
    `    error: POST /x/${TASK}/claim failed with HTTP 503`,
    "",
    "  pulumi-nodejs:dynamic/itential:TaskClaim (claim-1):",
    `    error: POST /x/${TASK}/claim failed with HTTP 503`,
    "Resources:",
  ].join("\n");
  expect(providerError(text)).toBe(`POST /x/${TASK}/claim failed with HTTP 503`);
});

test("a resource recorded with init errors: its reasons, not the engine's count", () => {
  const text = [
    "Diagnostics:",
    "  pulumi-nodejs:dynamic/itential:TaskClaim (claim-0):",
    "    error: 1 error occurred:",
    `    \t* TaskClaim: the claim of task ${TASK} may or may not have been made (timed out).`,
    "",
  ].join("\n");
  expect(providerError(text)).toBe(`TaskClaim: the claim of task ${TASK} may or may not have been made (timed out).`);
});

test("no diagnostics for a TaskClaim: the engine's last error line", () => {
  expect(providerError("Diagnostics:\n  pulumi:pulumi:Stack (s):\n    error: update failed\n")).toBe("update failed");
});

test("a WorkItemClaim's error is read the same way", () => {
  const text = [
    "Diagnostics:",
    "  pulumi:pulumi:Stack (e2e-cell-1):",
    "    error: update failed",
    "",
    "  pulumi-nodejs:dynamic/itential:WorkItemClaim (claim-0):",
    `    error: WorkItemClaim delete (work item ${TASK}): GET /w/${TASK} failed with HTTP 503`,
    "",
  ].join("\n");
  expect(providerError(text)).toBe(`WorkItemClaim delete (work item ${TASK}): GET /w/${TASK} failed with HTTP 503`);
});
