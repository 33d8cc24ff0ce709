// The figures that need the real engine: `pulumi up` + `destroy` and `preview` of N TaskClaims
// against N resources of a provider that does nothing (engineOverheadRatio, previewRatio), what
// state holds per resource, the IAP requests each operation makes, and how `up` scales with N.
// Everything runs through the Automation API in one PulumiSandbox (file backend, its own
// PULUMI_HOME), with pulumi-itential installed from `npm pack` as users get it. The no-op is a
// `pulumi.dynamic.Resource`, the way a dynamic resource is usually written (its provider goes
// through Pulumi's closure serializer); TaskClaim writes its own 97-byte `__provider`.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C, type RequestLogEntry } from "../emulator";
import { consumerDir, installedLibrary } from "../test/e2e/consumer";
import type { PulumiSandbox } from "../test/e2e/harness";
import type { EmulatorProcess } from "../test/support/emulator-process";
import { gateTaskIds } from "./sdk-vs-raw";
import { gatesSeed } from "./seeds";
import { alternate, pairedRatios, type Spread, spread, timed } from "./stats";

export const NOOP_PACKAGE = "bench-noop-provider";
const CLAIM_TYPE = "pulumi-nodejs:dynamic/itential:TaskClaim";

/** Copies the no-op provider package into the consumer project, beside the installed library. */
export function installNoopProvider(consumer: string): void {
  fs.cpSync(path.join(__dirname, "noop-provider"), path.join(consumer, "node_modules", NOOP_PACKAGE), {
    recursive: true,
  });
}

/** IAP requests in a request log, by kind; `perResource` divides reads and writes by N. */
export interface RequestCounts {
  /** `POST /login` and `POST /oauth/token`: once per provider process, not per resource. */
  logins: number;
  /** `GET /whoami`: once per provider process at most. */
  whoami: number;
  reads: number;
  writes: number;
  perResource: { reads: number; writes: number };
}

export function countRequests(log: readonly RequestLogEntry[], resources: number): RequestCounts {
  let logins = 0;
  let whoami = 0;
  let reads = 0;
  let writes = 0;
  for (const entry of log) {
    if (entry.path === "/login" || entry.path === "/oauth/token") logins++;
    else if (entry.path === "/whoami") whoami++;
    else if (entry.method === "GET") reads++;
    else writes++;
  }
  return { logins, whoami, reads, writes, perResource: { reads: reads / resources, writes: writes / resources } };
}

export interface EngineOptions {
  /** Resources in the ratio runs (the N = 100). */
  n: number;
  /** Rounds of the ratio runs (each: preview, up and destroy of both variants, alternating). */
  rounds: number;
  /** N values for the scaling figure besides `n`, whose `up` times come from the ratio runs. */
  scaling: number[];
  scalingRounds: number;
}

/** `up` of N resources into an empty stack, per variant. */
export interface ScalingPoint {
  n: number;
  upMs: Spread;
  msPerResource: Spread;
  /** From the previous N's median: what each added resource cost. */
  marginalMsPerResource?: number;
  noop: { upMs: Spread; msPerResource: Spread; marginalMsPerResource?: number };
  /** TaskClaim over no-op, per round. */
  ratio: Spread;
}

/** Where a TaskClaim's bytes in the checkpoint go (shares of stateBytesPerResource). */
export interface StateBreakdown {
  /** urn, type, id, parent, provider reference, timestamps, propertyDependencies. */
  engineRecord: number;
  /** sourcePosition and stackTrace: the program's call stack, recorded by @pulumi/pulumi. */
  sourcePositions: number;
  /** `__provider`, in inputs and outputs. */
  provider: number;
  /** The resource's own inputs and outputs. */
  properties: number;
}

export interface EngineResults {
  n: number;
  parallelism: string;
  engineOverheadRatio: Spread;
  /**
   * The same ratio with the emulator's CPU time during the TaskClaim up and destroy taken off the
   * TaskClaim side (per round): on a machine where the emulator shares the cores with the engine,
   * its CPU is wall time that a real IAP spends on its own machine. An estimate (CPU time on
   * saturated cores taken as wall time); absent where /proc is not there to read.
   */
  engineOverheadRatioWithoutEmulator?: Spread;
  /** The emulator's CPU milliseconds during one TaskClaim up + destroy of N. */
  emulatorCpuMs?: Spread;
  previewRatio: Spread;
  /** Milliseconds per run, by variant. */
  taskClaim: { upPlusDestroyMs: Spread; upMs: Spread; destroyMs: Spread; previewMs: Spread };
  noop: { upPlusDestroyMs: Spread; upMs: Spread; destroyMs: Spread; previewMs: Spread };
  providerBytesPerResource: number;
  /** How many times each resource's state holds `__provider` (inputs and outputs). */
  providerCopiesPerResource: number;
  stateBytesPerResource: number;
  stateBreakdown: StateBreakdown;
  noopStateBytesPerResource: number;
  requestsPerOperation: Record<
    "preview" | "create" | "refresh" | "update" | "updateFlagsOnly" | "delete",
    RequestCounts
  >;
  scaling: ScalingPoint[];
}

const MAX_TASKS = 400;
const PREVIEWS_PER_ROUND = 2;

/**
 * A resource of the no-op provider declaring what a TaskClaim declares: its inputs, and its outputs
 * as `undefined` (which a dynamic resource needs to have them as properties). The engine's work
 * per resource grows with the properties registered, so the floor is a resource of the same shape
 * whose provider does nothing; what remains is what the TaskClaim provider does.
 */
class Noop extends pulumi.dynamic.Resource {
  constructor(provider: pulumi.dynamic.ResourceProvider, name: string, args: { taskId: string; takeOver: boolean }) {
    super(
      provider,
      name,
      {
        taskId: args.taskId,
        takeOver: args.takeOver,
        releaseOnDestroy: undefined,
        adopt: undefined,
        onDrift: undefined,
        baseUrl: undefined,
        platformUrl: undefined,
        heldSince: undefined,
        adopted: undefined,
        owner: undefined,
        ownerId: undefined,
        claimTime: undefined,
        status: undefined,
        taskName: undefined,
        jobId: undefined,
        claimant: undefined,
        claimantId: undefined,
      },
      undefined,
      "bench",
      "Noop",
    );
  }
}

export async function measureEngine(
  sandbox: PulumiSandbox,
  emulator: EmulatorProcess,
  options: EngineOptions,
): Promise<EngineResults> {
  const largest = Math.max(options.n, ...options.scaling);
  if (largest > MAX_TASKS) throw new Error(`at most ${MAX_TASKS} resources (the bench seed's gate tasks)`);
  let ids: string[] = [];
  const resetTasks = async () => {
    await emulator.reset(gatesSeed(MAX_TASKS / 100, 100));
    ids = await gateTaskIds(emulator);
  };
  await resetTasks();

  // The programs read these when they run, so one stack serves every N and every flag.
  let count = options.n;
  let takeOver = false;
  const config = {
    "itential:baseUrl": { value: emulator.url },
    "itential:username": { value: C.pipeline.username },
    "itential:password": { value: C.pipeline.password, secret: true },
  };
  const claimsProgram: PulumiFn = async () => {
    const { TaskClaim } = installedLibrary();
    for (let i = 0; i < count; i++) new TaskClaim(`claim-${i}`, { taskId: ids[i] as string, takeOver });
  };
  const noopProgram: PulumiFn = async () => {
    const provider = require(path.join(consumerDir(), "node_modules", NOOP_PACKAGE));
    for (let i = 0; i < count; i++) {
      new Noop(provider, `noop-${i}`, { taskId: ids[i] as string, takeOver });
    }
  };
  // The programs run in this process: load both libraries now, so neither variant's first run pays
  // for loading them.
  installedLibrary();
  require(path.join(consumerDir(), "node_modules", NOOP_PACKAGE));
  const claims = await sandbox.inlineStack(claimsProgram, { projectName: "bench", stackName: "claims", config });
  const noop = await sandbox.inlineStack(noopProgram, { projectName: "bench", stackName: "noop", config });

  const log = async () => {
    const entries = await emulator.requests();
    await emulator.control("DELETE", "/requests");
    return entries;
  };
  const times = {
    taskClaim: { preview: [] as number[], up: [] as number[], destroy: [] as number[] },
    noop: { preview: [] as number[], up: [] as number[], destroy: [] as number[] },
  };
  const counts: Partial<EngineResults["requestsPerOperation"]> = {};
  let provider = "";
  let providerCopies = 0;
  let stored: StoredResource | undefined;

  // Checkpoint sizes after up and after destroy; the difference over N is what each resource adds
  // (the stack and the default provider's entries included, shared by all N).
  const bytes = { taskClaim: { up: 0, empty: 0 }, noop: { up: 0, empty: 0 } };
  const emulatorCpu: number[] = [];
  const run = async (variant: "taskClaim" | "noop") => {
    const stack = variant === "taskClaim" ? claims : noop;
    await log();
    // Previews are short and vary by a third between runs here: two per round, for twice the samples.
    const previews: number[] = [];
    for (let i = 0; i < PREVIEWS_PER_ROUND; i++) previews.push(await timed(() => stack.preview()));
    if (variant === "taskClaim") counts.preview = countRequests(await log(), count * PREVIEWS_PER_ROUND);
    const cpuBefore = processCpuMs(emulator.child.pid);
    const upMs = await timed(() => stack.up());
    if (variant === "taskClaim") {
      counts.create = countRequests(await log(), count);
      stored = (await resourcesOf(claims, CLAIM_TYPE))[0];
      provider = String(stored?.outputs.__provider ?? "");
      providerCopies = stored ? [stored.inputs.__provider, stored.outputs.__provider].filter(Boolean).length : 0;
    }
    bytes[variant].up = stateBytes(sandbox, stack.name);
    const destroyMs = await timed(() => stack.destroy());
    const cpuAfter = processCpuMs(emulator.child.pid);
    if (variant === "taskClaim" && cpuBefore !== undefined && cpuAfter !== undefined) {
      emulatorCpu.push(cpuAfter - cpuBefore);
    }
    bytes[variant].empty = stateBytes(sandbox, stack.name);
    if (variant === "taskClaim") counts.delete = countRequests(await log(), count);
    times[variant].preview.push(...previews);
    times[variant].up.push(upMs);
    times[variant].destroy.push(destroyMs);
    process.stderr.write(
      `  ${variant} N=${count}: preview ${previews.map(ms).join(", ")}, up ${ms(upMs)}, destroy ${ms(destroyMs)}\n`,
    );
    return upMs + destroyMs;
  };
  const upPlusDestroy = await alternate(options.rounds, { taskClaim: () => run("taskClaim"), noop: () => run("noop") });

  // Refresh and the two kinds of update, once (request counts do not vary between rounds).
  await claims.up();
  await log();
  await claims.refresh();
  counts.refresh = countRequests(await log(), count);
  // A person releases every task (out of band: not in the log); refresh sees it, up claims again.
  for (const id of ids.slice(0, count)) {
    await emulator.actAs(C.admin.username, "POST", `/operations-manager/tasks/${id}/release`);
  }
  await claims.refresh();
  await log();
  await claims.up();
  counts.update = countRequests(await log(), count);
  takeOver = true;
  await claims.up();
  counts.updateFlagsOnly = countRequests(await log(), count);
  takeOver = false;
  await claims.destroy();
  await log();

  // Scaling: `up` into an empty stack, both variants alternating; N = options.n from the ratio runs.
  const scaling: ScalingPoint[] = [];
  const scaleUp = async (variant: "taskClaim" | "noop", n: number, round: number) => {
    if (variant === "taskClaim") await resetTasks();
    const stack = await sandbox.inlineStack(variant === "taskClaim" ? claimsProgram : noopProgram, {
      projectName: "bench",
      stackName: `scale-${variant}-${n}-${round}`,
      config,
    });
    const upMs = await timed(() => stack.up());
    process.stderr.write(`  scaling ${variant} N=${n}: up ${ms(upMs)} (${(upMs / n).toFixed(1)} ms per resource)\n`);
    await stack.workspace.removeStack(stack.name, { force: true });
    return upMs;
  };
  for (const n of [...new Set([...options.scaling, options.n])].sort((a, b) => a - b)) {
    let samples: Record<"taskClaim" | "noop", number[]>;
    if (n === options.n) samples = { taskClaim: times.taskClaim.up, noop: times.noop.up };
    else {
      count = n;
      const rounds = { taskClaim: 0, noop: 0 };
      samples = await alternate(options.scalingRounds, {
        taskClaim: () => scaleUp("taskClaim", n, rounds.taskClaim++),
        noop: () => scaleUp("noop", n, rounds.noop++),
      });
      count = options.n;
    }
    const previous = scaling[scaling.length - 1];
    const marginal = (upMs: Spread, before: Spread | undefined, beforeN: number | undefined) =>
      before && beforeN !== undefined ? (upMs.median - before.median) / (n - beforeN) : undefined;
    const upMs = spread(samples.taskClaim);
    const noopUpMs = spread(samples.noop);
    const claimMarginal = marginal(upMs, previous?.upMs, previous?.n);
    const noopMarginal = marginal(noopUpMs, previous?.noop.upMs, previous?.n);
    scaling.push({
      n,
      upMs,
      msPerResource: spread(samples.taskClaim.map((value) => value / n)),
      ...(claimMarginal !== undefined ? { marginalMsPerResource: claimMarginal } : {}),
      noop: {
        upMs: noopUpMs,
        msPerResource: spread(samples.noop.map((value) => value / n)),
        ...(noopMarginal !== undefined ? { marginalMsPerResource: noopMarginal } : {}),
      },
      ratio: spread(pairedRatios(samples.taskClaim, samples.noop)),
    });
  }

  const summary = (variant: "taskClaim" | "noop") => ({
    upPlusDestroyMs: spread(upPlusDestroy[variant]),
    upMs: spread(times[variant].up),
    destroyMs: spread(times[variant].destroy),
    previewMs: spread(times[variant].preview),
  });
  return {
    n: options.n,
    parallelism: "the CLI's default --parallel",
    engineOverheadRatio: spread(pairedRatios(upPlusDestroy.taskClaim, upPlusDestroy.noop)),
    ...(emulatorCpu.length === upPlusDestroy.taskClaim.length
      ? {
          engineOverheadRatioWithoutEmulator: spread(
            pairedRatios(
              upPlusDestroy.taskClaim.map((ms, round) => ms - (emulatorCpu[round] ?? 0)),
              upPlusDestroy.noop,
            ),
          ),
          emulatorCpuMs: spread(emulatorCpu),
        }
      : {}),
    previewRatio: spread(pairedRatios(times.taskClaim.preview, times.noop.preview)),
    taskClaim: summary("taskClaim"),
    noop: summary("noop"),
    providerBytesPerResource: Buffer.byteLength(provider),
    providerCopiesPerResource: providerCopies,
    stateBytesPerResource: (bytes.taskClaim.up - bytes.taskClaim.empty) / options.n,
    stateBreakdown: breakdown(stored, (bytes.taskClaim.up - bytes.taskClaim.empty) / options.n),
    noopStateBytesPerResource: (bytes.noop.up - bytes.noop.empty) / options.n,
    requestsPerOperation: counts as EngineResults["requestsPerOperation"],
    scaling,
  };
}

interface StoredResource {
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * Splits `bytesPerResource` by the share each part of one stored resource takes in its JSON (as
 * the file backend writes it: indented by four), so the parts add up to what was measured.
 */
function breakdown(resource: StoredResource | undefined, bytesPerResource: number): StateBreakdown {
  const none = { engineRecord: 0, sourcePositions: 0, provider: 0, properties: 0 };
  if (!resource) return none;
  const size = (value: unknown) => JSON.stringify(value, null, 4).length;
  const { inputs, outputs, sourcePosition, stackTrace, ...record } = resource;
  const withoutProvider = (props: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(props).filter(([key]) => key !== "__provider"));
  const parts = {
    engineRecord: size(record),
    sourcePositions: size({ sourcePosition, stackTrace }),
    provider: size({ a: inputs.__provider, b: outputs.__provider }),
    properties: size({ inputs: withoutProvider(inputs), outputs: withoutProvider(outputs) }),
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    Object.entries(parts).map(([key, value]) => [key, Math.round((value / total) * bytesPerResource)]),
  ) as unknown as StateBreakdown;
}

async function resourcesOf(stack: Stack, type: string): Promise<StoredResource[]> {
  const state = await stack.exportStack();
  return ((state.deployment.resources ?? []) as StoredResource[]).filter((r) => r.type === type);
}

/** A process's CPU time (user + system) in milliseconds, from /proc; undefined elsewhere. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks, counted after the command name's parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * (1000 / CLOCK_TICKS_PER_SECOND) : undefined;
  } catch {
    return undefined;
  }
}
/** Linux's USER_HZ, 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Bytes of the stack's checkpoint file, as the file backend writes it after every step. */
function stateBytes(sandbox: PulumiSandbox, stackName: string): number {
  const stacks = path.join(sandbox.backendDir, ".pulumi", "stacks");
  const files = fs.readdirSync(stacks, { recursive: true, encoding: "utf8" });
  const file = files.find((f) => path.basename(f) === `${stackName}.json`);
  if (!file) throw new Error(`no checkpoint of stack ${stackName} under ${stacks}`);
  return fs.statSync(path.join(stacks, file)).size;
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}
