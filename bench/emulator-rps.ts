// emulatorRps: what the emulator process serves with 10,000 tasks in it and 16 clients in flight,
// for `getTask` and for a filtered `listTasks` (the search a `findTask` lookup sends), through the
// raw keep-alive client so that the client's own cost is as small as it can be.
import { DEFAULT_CREDENTIALS as C } from "../emulator";
import type { EmulatorProcess } from "../test/support/emulator-process";
import { operationsPerSecond } from "./load";
import { RawClient } from "./raw-client";
import { BENCH_WORKFLOW, gatesSeed } from "./seeds";
import { alternate, type Spread, spread } from "./stats";

export interface EmulatorRpsOptions {
  tasks: number;
  rounds: number;
  durationMs: number;
  inFlight: number;
}

export interface EmulatorRpsResults {
  tasks: number;
  inFlight: number;
  getTask: Spread;
  listTasks: Spread;
  /** The search measured, as sent. */
  listQuery: string;
}

const TASKS_PER_JOB = 100;

export async function measureEmulatorRps(
  emulator: EmulatorProcess,
  options: EmulatorRpsOptions,
): Promise<EmulatorRpsResults> {
  const jobs = Math.ceil(options.tasks / TASKS_PER_JOB);
  const reset = await emulator.reset(gatesSeed(jobs, TASKS_PER_JOB));
  const client = new RawClient(emulator.url);
  try {
    await client.login(C.pipeline.username, C.pipeline.password);
    // One gate of one job: `findTask({ jobId, name })`, as the provider's lookup searches.
    const jobId = reset.jobs[reset.jobs.length - 1] as string;
    const listQuery = `equals[job._id]=${jobId}&equals[name]=${encodeURIComponent("Gate 42")}&limit=25`;
    const page = (await client.request("GET", `/operations-manager/tasks?${listQuery}`)) as {
      data: { _id: string }[];
      metadata: { total: number };
    };
    if (page.metadata.total !== 1) throw new Error(`the bench search found ${page.metadata.total} tasks, not 1`);
    const all = (await client.request("GET", "/operations-manager/tasks?limit=1")) as { metadata: { total: number } };
    // Spread the reads over many documents, as many resources refreshing would.
    const ids = (
      (await client.request(
        "GET",
        `/operations-manager/tasks?equals[job.name]=${encodeURIComponent(BENCH_WORKFLOW)}&limit=100&include=_id`,
      )) as { data: { _id: string }[] }
    ).data.map((task) => task._id);
    let next = 0;
    const load = { durationMs: options.durationMs, inFlight: options.inFlight, warmup: 5 };
    const samples = await alternate(options.rounds, {
      getTask: () =>
        operationsPerSecond(load, () =>
          client.request("GET", `/operations-manager/tasks/${ids[next++ % ids.length] as string}`),
        ),
      listTasks: () => operationsPerSecond(load, () => client.request("GET", `/operations-manager/tasks?${listQuery}`)),
    });
    const results = {
      tasks: all.metadata.total,
      inFlight: options.inFlight,
      getTask: spread(samples.getTask),
      listTasks: spread(samples.listTasks),
      listQuery,
    };
    process.stderr.write(
      `  ${results.tasks} tasks, ${options.inFlight} in flight: getTask ${results.getTask.median.toFixed(0)}/s, listTasks ${results.listTasks.median.toFixed(0)}/s\n`,
    );
    return results;
  } finally {
    client.close();
  }
}
