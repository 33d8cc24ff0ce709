// A closed-loop load generator: `inFlight` workers, each sending its next request as soon as the
// last one is answered, for a fixed time. Requests per second is what completed divided by the
// time taken, so a slow client lowers it exactly as much as a slow server would.

export interface LoadOptions {
  /** How long to measure, after the warm-up. */
  durationMs: number;
  /** Concurrent workers (1: sequential). */
  inFlight: number;
  /** Unmeasured requests per worker first: connections opened, code paths compiled. */
  warmup?: number;
}

export interface LoadResult {
  opsPerSecond: number;
  /** CPU time of this process per operation: the client's own cost, less blurred by neighbours. */
  cpuUsPerOp: number;
}

/** Runs `operation(worker)` in a closed loop: operations completed per second, and CPU per operation. */
export async function runLoad(
  options: LoadOptions,
  operation: (worker: number) => Promise<unknown>,
): Promise<LoadResult> {
  const workers = Array.from({ length: options.inFlight }, (_, worker) => worker);
  for (let i = 0; i < (options.warmup ?? 0); i++) await Promise.all(workers.map((worker) => operation(worker)));
  let completed = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const deadline = started + options.durationMs;
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < deadline) {
        await operation(worker);
        completed++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    opsPerSecond: completed / ((performance.now() - started) / 1000),
    cpuUsPerOp: (used.user + used.system) / completed,
  };
}

/** Operations completed per second (see runLoad). */
export async function operationsPerSecond(
  options: LoadOptions,
  operation: (worker: number) => Promise<unknown>,
): Promise<number> {
  return (await runLoad(options, operation)).opsPerSecond;
}
