// Emulator seeds with many manual tasks: the demo seed has one approval task, a benchmark needs
// hundreds (one TaskClaim each) or ten thousand (the search figure). Jobs of one wide workflow whose
// manual tasks all start at once, so every task is claimable (`running`) right after the reset.
import { defaultSeed, type EmulatorSeed } from "../emulator";

export const BENCH_WORKFLOW = "Bench gates";

/** The demo seed's users and groups, plus `jobs` jobs of a workflow with `tasksPerJob` manual gates. */
export function gatesSeed(jobs: number, tasksPerJob: number): EmulatorSeed {
  const demo = defaultSeed();
  return {
    ...demo,
    workflows: [
      ...(demo.workflows ?? []),
      {
        name: BENCH_WORKFLOW,
        tasks: Array.from({ length: tasksPerJob }, (_, i) => ({
          key: i.toString(16),
          name: `Gate ${i}`,
          summary: `Approve gate ${i}`,
          groups: ["approvers", "pipelines"],
        })),
      },
    ],
    jobs: Array.from({ length: jobs }, (_, i) => ({
      workflow: BENCH_WORKFLOW,
      description: `Bench job ${i}`,
      variables: { changeId: `CHG${String(i).padStart(7, "0")}`, devices: ["edge-rtr-01", "edge-rtr-02"] },
    })),
    // The demo's work items name the demo's jobs, which this seed replaces.
    workItems: [],
  };
}
