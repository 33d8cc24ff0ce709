// sdkVsRawRatio: requests per second through the SDK's OperationsManagerClient over those of the raw
// keep-alive loop (raw-client.ts), against the same emulator process, for `getTask` and for
// claim/release pairs, sequential and 16 in flight, with no added latency and with 1 ms of it.
import { DEFAULT_CREDENTIALS as C } from "../emulator";
import { OperationsManagerClient } from "../sdk";
import type { EmulatorProcess } from "../test/support/emulator-process";
import { type LoadResult, runLoad } from "./load";
import { RawClient } from "./raw-client";
import { gatesSeed } from "./seeds";
import { alternate, pairedRatios, type Spread, spread } from "./stats";

export interface SdkVsRawCell {
  operation: "getTask" | "claimRelease";
  inFlight: number;
  latencyMs: number;
  /** Operations per second (a claim/release pair counts once). */
  sdkOps: Spread;
  rawOps: Spread;
  /** Client CPU microseconds per operation (this process only; the emulator's is not counted). */
  sdkCpuUs: Spread;
  rawCpuUs: Spread;
  /** SDK over raw, per round. */
  ratio: Spread;
}

export interface SdkVsRawOptions {
  rounds: number;
  durationMs: number;
}

const IN_FLIGHT = [1, 16];
const LATENCIES_MS = [0, 1];

export async function measureSdkVsRaw(emulator: EmulatorProcess, options: SdkVsRawOptions): Promise<SdkVsRawCell[]> {
  await emulator.reset(gatesSeed(1, Math.max(...IN_FLIGHT)));
  const ids = await gateTaskIds(emulator);
  const sdk = new OperationsManagerClient({
    baseUrl: emulator.url,
    auth: { type: "login", username: C.pipeline.username, password: C.pipeline.password },
  });
  const raw = new RawClient(emulator.url);
  await raw.login(C.pipeline.username, C.pipeline.password);
  const taskPath = (id: string) => `/operations-manager/tasks/${id}`;
  const operations = {
    getTask: {
      sdk: (worker: number) => sdk.getTask(ids[worker] as string),
      raw: (worker: number) => raw.request("GET", taskPath(ids[worker] as string)),
    },
    claimRelease: {
      sdk: async (worker: number) => {
        await sdk.claimTask(ids[worker] as string);
        await sdk.releaseTask(ids[worker] as string);
      },
      raw: async (worker: number) => {
        await raw.request("POST", `${taskPath(ids[worker] as string)}/claim`);
        await raw.request("POST", `${taskPath(ids[worker] as string)}/release`);
      },
    },
  };
  const cells: SdkVsRawCell[] = [];
  try {
    for (const latencyMs of LATENCIES_MS) {
      await emulator.control("DELETE", "/faults");
      if (latencyMs > 0) await emulator.addFault({ kind: "latency", delayMs: latencyMs });
      for (const operation of ["getTask", "claimRelease"] as const) {
        for (const inFlight of IN_FLIGHT) {
          const load = { durationMs: options.durationMs, inFlight, warmup: 20 };
          const results: Record<"sdk" | "raw", LoadResult[]> = { sdk: [], raw: [] };
          const measure = async (variant: "sdk" | "raw") => {
            const result = await runLoad(load, operations[operation][variant]);
            results[variant].push(result);
            return result.opsPerSecond;
          };
          const samples = await alternate(options.rounds, { sdk: () => measure("sdk"), raw: () => measure("raw") });
          const cpu = (variant: "sdk" | "raw") => spread(results[variant].map((r) => Math.round(r.cpuUsPerOp)));
          const cell: SdkVsRawCell = {
            operation,
            inFlight,
            latencyMs,
            sdkOps: spread(samples.sdk),
            rawOps: spread(samples.raw),
            sdkCpuUs: cpu("sdk"),
            rawCpuUs: cpu("raw"),
            ratio: spread(pairedRatios(samples.sdk, samples.raw)),
          };
          cells.push(cell);
          process.stderr.write(
            `  ${operation} x${inFlight} +${latencyMs}ms: sdk ${cell.sdkOps.median.toFixed(0)}/s (${cell.sdkCpuUs.median} µs CPU), raw ${cell.rawOps.median.toFixed(0)}/s (${cell.rawCpuUs.median} µs CPU), ratio ${cell.ratio.median.toFixed(2)}\n`,
          );
        }
      }
    }
  } finally {
    await emulator.control("DELETE", "/faults");
    raw.close();
  }
  return cells;
}

/** The ids of the bench workflow's gate tasks, in key order. */
export async function gateTaskIds(emulator: EmulatorProcess): Promise<string[]> {
  const state = await emulator.control<{ tasks: { _id: string; name: string; job: { name: string } }[] }>(
    "GET",
    "/state",
  );
  return state.tasks.filter((task) => task.name.startsWith("Gate ")).map((task) => task._id);
}
