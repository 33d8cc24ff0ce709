// Shared set-up for the provider's lifecycle tests: clients acting as the demo seed's users against
// an emulator process, and a context the lifecycle functions take.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { contextFor, type LifecycleContext } from "../../provider/lifecycle/task-facts";
import { OperationsManagerClient, type Task } from "../../sdk";
import type { EmulatorProcess } from "../support/emulator-process";

export const USERS = {
  pipeline: C.pipeline,
  admin: C.admin,
  alice: C.approvers[0],
  bob: C.approvers[1],
} as const;

export type UserName = keyof typeof USERS;

export function clientAs(emulator: EmulatorProcess, who: UserName): OperationsManagerClient {
  const { username, password } = USERS[who];
  return new OperationsManagerClient({
    baseUrl: emulator.url,
    auth: { type: "basic", username, password },
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
}

export function contextAs(emulator: EmulatorProcess, who: UserName): LifecycleContext {
  return contextFor(clientAs(emulator, who), emulator.url);
}

/** The demo job's "Approve change" task (manual, running). */
export async function approvalTask(emulator: EmulatorProcess): Promise<Task> {
  const page = await clientAs(emulator, "admin").listTasks({ filters: { equals: { name: "Approve change" } } });
  const task = page.items[0];
  if (!task || page.total !== 1) throw new Error(`expected one "Approve change" task, found ${page.total}`);
  return task;
}

/** Gives the approval: `who` (who must hold the task) finishes it with success. */
export async function approve(emulator: EmulatorProcess, taskId: string, who: UserName): Promise<void> {
  const client = clientAs(emulator, who);
  const task = await client.getTask(taskId);
  await client.finishManualTask(task.job?.id as string, task.job?.taskKey as string, { finishState: "success" });
}

/** The IAP requests made since the log was last cleared, as "METHOD path", control calls excluded. */
export async function requestsSince(emulator: EmulatorProcess): Promise<string[]> {
  return (await emulator.requests()).map((r) => `${r.method} ${r.path}`);
}

export async function clearRequests(emulator: EmulatorProcess): Promise<void> {
  await emulator.control("DELETE", "/requests");
}

/** Both of the emulator's error modes: real statuses, and IAP's documented "every business error is 500". */
export const ERROR_MODES = [
  ["statuses", false],
  ["all-500", true],
] as const;
