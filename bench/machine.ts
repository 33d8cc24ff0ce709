// The machine a run measured, and how busy it was: on a shared machine the load during the run
// says more about a figure's spread than anything else, so it is sampled all along.
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { type Spread, spread } from "./stats";

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  pulumiCli: string;
}

export function describeMachine(pulumiBinDir: string): MachineInfo {
  let pulumiCli = "unknown";
  try {
    pulumiCli = execFileSync(`${pulumiBinDir}/pulumi`, ["version"], { encoding: "utf8" }).trim();
  } catch {
    // Reported as unknown; the run itself fails later if the CLI does not work.
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    pulumiCli,
  };
}

/** Samples the 1-minute load average every few seconds until stopped. */
export class LoadSampler {
  readonly #samples: number[] = [os.loadavg()[0] as number];
  readonly #timer: NodeJS.Timeout;

  constructor(everyMs = 5000) {
    this.#timer = setInterval(() => this.#samples.push(os.loadavg()[0] as number), everyMs);
    this.#timer.unref();
  }

  /** The 1-minute load average over the run so far. */
  stop(): Spread {
    clearInterval(this.#timer);
    this.#samples.push(os.loadavg()[0] as number);
    return spread(this.#samples.map((value) => Math.round(value * 100) / 100));
  }
}
