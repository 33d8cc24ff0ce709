// What a run leaves behind: bench/results.json (the keys issue 10 names, each figure with its
// samples, median and range, and its goal), a table on stdout, and bench/RESULTS.md (the table and
// the machine; the notes a person wrote below its marker are kept from one run to the next).
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorRpsResults } from "./emulator-rps";
import type { EngineResults, RequestCounts } from "./engine";
import type { MachineInfo } from "./machine";
import type { ModuleLoadResults } from "./module-load";
import { type NativeResults, nativeTable } from "./native";
import type { SdkVsRawCell } from "./sdk-vs-raw";
import type { Spread } from "./stats";

export interface RunSettings {
  n: number;
  engineRounds: number;
  scaling: number[];
  scalingRounds: number;
  httpRounds: number;
  httpDurationMs: number;
  emulatorTasks: number;
}

export interface RunRecord {
  startedAt: string;
  wallTimeSeconds: number;
  machine: MachineInfo;
  /** The 1-minute load average sampled during the run. */
  load: Spread;
  settings: RunSettings;
  engine?: EngineResults;
  sdkVsRaw?: SdkVsRawCell[];
  moduleLoad?: ModuleLoadResults;
  emulator?: EmulatorRpsResults;
  native?: NativeResults;
}

interface Row {
  figure: string;
  value: string;
  range: string;
  goal: string;
  met: boolean | undefined;
}

const NOTES_MARKER = "<!-- Everything below this line is kept when the bench rewrites this file. -->";

const fixed = (value: number, digits: number) => value.toFixed(digits);
// Ratios to three places: a median of 0.5996 shown as "0.60" beside "MISSED" would read as a mistake.
const ratio = (value: number) => fixed(value, 3);
const ratioRange = (s: Spread) => `${ratio(s.min)}-${ratio(s.max)}`;

function requestGoal(name: keyof EngineResults["requestsPerOperation"], c: RequestCounts): [string, boolean] {
  const { reads, writes } = c.perResource;
  const oneLogin = c.logins <= 1 && c.whoami <= 1;
  switch (name) {
    case "preview":
      return ["0 reads, 0 writes", c.reads + c.writes + c.logins + c.whoami === 0];
    case "create":
    case "update":
      return ["1 write, <= 1 read (+1 login per process)", writes === 1 && reads <= 1 && oneLogin];
    case "refresh":
      return ["1 read (+1 login per process)", reads === 1 && writes === 0 && oneLogin];
    case "updateFlagsOnly":
      return ["nothing sent", c.reads + c.writes === 0];
    case "delete":
      return ["<= 1 read, <= 1 write (+1 login per process)", reads <= 1 && writes <= 1 && oneLogin];
  }
}

/**
 * Issue 16's goal: one request at a time against a server 1 ms away, what a provider does. The
 * other cells (no latency, 16 in flight) measure the client's own CPU against a loop that does
 * nothing else: information, since against the engine's ~50 ms per resource it is not what users
 * wait for (engineOverheadRatio is).
 */
function sdkVsRawGoal(cell: SdkVsRawCell): number | undefined {
  return cell.latencyMs > 0 && cell.inFlight === 1 ? 0.8 : undefined;
}

function rows(record: RunRecord): Row[] {
  const out: Row[] = [];
  const e = record.engine;
  if (e) {
    out.push({
      figure: `engineOverheadRatio (up+destroy, N=${e.n})`,
      value: ratio(e.engineOverheadRatio.median),
      range: ratioRange(e.engineOverheadRatio),
      goal: "<= 1.10",
      met: e.engineOverheadRatio.median <= 1.1,
    });
    if (e.engineOverheadRatioWithoutEmulator && e.emulatorCpuMs) {
      out.push({
        figure: "  without the emulator's CPU (estimate)",
        value: ratio(e.engineOverheadRatioWithoutEmulator.median),
        range: ratioRange(e.engineOverheadRatioWithoutEmulator),
        goal: `emulator CPU ${fixed(e.emulatorCpuMs.median / 1000, 2)} s per up+destroy`,
        met: undefined,
      });
    }
    out.push({
      figure: `previewRatio (N=${e.n})`,
      value: ratio(e.previewRatio.median),
      range: ratioRange(e.previewRatio),
      goal: "<= 1.10",
      met: e.previewRatio.median <= 1.1,
    });
    for (const variant of ["taskClaim", "noop"] as const) {
      for (const phase of ["previewMs", "upMs", "destroyMs"] as const) {
        const s = e[variant][phase];
        out.push({
          figure: `  ${variant} ${phase.replace("Ms", "")} (N=${e.n}), s`,
          value: fixed(s.median / 1000, 2),
          range: `${fixed(s.min / 1000, 2)}-${fixed(s.max / 1000, 2)}`,
          goal: "",
          met: undefined,
        });
      }
    }
    out.push({
      figure: "providerBytesPerResource",
      value: String(e.providerBytesPerResource),
      range: `x${e.providerCopiesPerResource} per resource`,
      goal: "< 512",
      met: e.providerBytesPerResource < 512,
    });
    out.push({
      figure: "stateBytesPerResource",
      value: fixed(e.stateBytesPerResource, 0),
      range: `no-op: ${fixed(e.noopStateBytesPerResource, 0)}`,
      goal: "< 2048",
      met: e.stateBytesPerResource < 2048,
    });
    const b = e.stateBreakdown;
    out.push({
      figure: "  engine record | source positions",
      value: `${b.engineRecord} | ${b.sourcePositions}`,
      range: `provider ${b.provider} | props ${b.properties}`,
      goal: "",
      met: undefined,
    });
    for (const [name, counts] of Object.entries(e.requestsPerOperation) as [
      keyof EngineResults["requestsPerOperation"],
      RequestCounts,
    ][]) {
      const [goal, met] = requestGoal(name, counts);
      out.push({
        figure: `requestsPerOperation.${name}`,
        value: `${fixed(counts.perResource.reads, 2)} r, ${fixed(counts.perResource.writes, 2)} w`,
        range: `+${counts.logins} login, ${counts.whoami} whoami`,
        goal,
        met,
      });
    }
    for (const s of e.scaling) {
      const marginal = (value: number | undefined) => (value === undefined ? "" : `, +${fixed(value, 1)}/added`);
      out.push({
        figure: `scaling up N=${s.n}, ms/resource`,
        value: fixed(s.msPerResource.median, 1),
        range: `${fixed(s.msPerResource.min, 1)}-${fixed(s.msPerResource.max, 1)}${marginal(s.marginalMsPerResource)}`,
        goal: "flat",
        met: undefined,
      });
      out.push({
        figure: `  no-op up N=${s.n}, ms/resource`,
        value: fixed(s.noop.msPerResource.median, 1),
        range: `${fixed(s.noop.msPerResource.min, 1)}-${fixed(s.noop.msPerResource.max, 1)}${marginal(s.noop.marginalMsPerResource)}`,
        goal: `ratio ${fixed(s.ratio.median, 2)}`,
        met: undefined,
      });
    }
  }
  for (const cell of record.sdkVsRaw ?? []) {
    const goal = sdkVsRawGoal(cell);
    out.push({
      figure: `sdkVsRawRatio ${cell.operation} x${cell.inFlight} +${cell.latencyMs}ms`,
      value: ratio(cell.ratio.median),
      range: ratioRange(cell.ratio),
      goal: goal === undefined ? "information" : `>= ${goal}`,
      met: goal === undefined ? undefined : cell.ratio.median >= goal,
    });
    out.push({
      figure: "  ops/s sdk | raw; client CPU µs/op",
      value: `${fixed(cell.sdkOps.median, 0)} | ${fixed(cell.rawOps.median, 0)}`,
      range: `${cell.sdkCpuUs.median} | ${cell.rawCpuUs.median} µs`,
      goal: "",
      met: undefined,
    });
  }
  const load = record.moduleLoad;
  if (load) {
    for (const [figure, s] of [
      ["load axios in a fresh process, ms", load.axiosMs],
      ["load the SDK and make a client, ms", load.sdkClientMs],
    ] as const) {
      out.push({
        figure,
        value: fixed(s.median, 1),
        range: `${fixed(s.min, 1)}-${fixed(s.max, 1)}`,
        goal: "once per process",
        met: undefined,
      });
    }
  }
  const em = record.emulator;
  if (em) {
    for (const op of ["getTask", "listTasks"] as const) {
      out.push({
        figure: `emulatorRps ${op} (${em.tasks} tasks, x${em.inFlight})`,
        value: fixed(em[op].median, 0),
        range: `${fixed(em[op].min, 0)}-${fixed(em[op].max, 0)}`,
        goal: "not the bottleneck",
        met: undefined,
      });
    }
  }
  return out;
}

/** The row's verdict as printed. */
const verdict = (met: boolean | undefined) => (met === undefined ? "" : met ? "met" : "MISSED");

export function table(record: RunRecord): string {
  const header: Row = { figure: "figure", value: "median", range: "range", goal: "goal", met: undefined };
  const all = [header, ...rows(record)];
  const cells = all.map((r, i) => [r.figure, r.value, r.range, r.goal, i === 0 ? "" : verdict(r.met)]);
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...cells.map((row) => (row[c] as string).length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c] as number))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** results.json: the keys at the top level, each with its samples, goal and verdict. */
export function resultsJson(record: RunRecord): Record<string, unknown> {
  const e = record.engine;
  return {
    startedAt: record.startedAt,
    wallTimeSeconds: record.wallTimeSeconds,
    machine: record.machine,
    load: record.load,
    settings: record.settings,
    ...(e
      ? {
          engineOverheadRatio: { ...e.engineOverheadRatio, n: e.n, goal: "<= 1.10" },
          ...(e.engineOverheadRatioWithoutEmulator
            ? {
                engineOverheadRatioWithoutEmulator: {
                  ...e.engineOverheadRatioWithoutEmulator,
                  emulatorCpuMs: e.emulatorCpuMs,
                  note: "estimate: the emulator's CPU during the TaskClaim up and destroy taken off their wall time",
                },
              }
            : {}),
          previewRatio: { ...e.previewRatio, n: e.n, goal: "<= 1.10" },
          providerBytesPerResource: {
            value: e.providerBytesPerResource,
            copiesPerResource: e.providerCopiesPerResource,
            goal: "< 512",
          },
          stateBytesPerResource: {
            value: e.stateBytesPerResource,
            breakdown: e.stateBreakdown,
            noopValue: e.noopStateBytesPerResource,
            goal: "< 2048",
          },
          requestsPerOperation: Object.fromEntries(
            Object.entries(e.requestsPerOperation).map(([name, counts]) => {
              const [goal, met] = requestGoal(name as keyof EngineResults["requestsPerOperation"], counts);
              return [name, { ...counts, goal, met }];
            }),
          ),
          scaling: e.scaling,
          engineRuns: { parallelism: e.parallelism, taskClaim: e.taskClaim, noop: e.noop },
        }
      : {}),
    ...(record.sdkVsRaw
      ? {
          sdkVsRawRatio: record.sdkVsRaw.map((cell) => {
            const goal = sdkVsRawGoal(cell);
            return { ...cell, goal: goal === undefined ? "information" : `>= ${goal}` };
          }),
        }
      : {}),
    ...(record.moduleLoad ? { moduleLoadMs: record.moduleLoad } : {}),
    ...(record.emulator ? { emulatorRps: record.emulator } : {}),
    ...(record.native ? { native: record.native } : {}),
  };
}

export function writeResults(dir: string, record: RunRecord): void {
  fs.mkdirSync(dir, { recursive: true });
  // Four decimals are more than any of these figures can resolve; the raw doubles only add noise.
  const rounded = (_key: string, value: unknown) =>
    typeof value === "number" && !Number.isInteger(value) ? Math.round(value * 1e4) / 1e4 : value;
  fs.writeFileSync(path.join(dir, "results.json"), `${JSON.stringify(resultsJson(record), rounded, 2)}\n`);
  const file = path.join(dir, "RESULTS.md");
  const previous = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const at = previous.indexOf(NOTES_MARKER);
  const notes = at >= 0 ? previous.slice(at + NOTES_MARKER.length).trimStart() : "## Notes\n";
  const m = record.machine;
  const s = record.settings;
  const text = [
    "# Benchmark results",
    "",
    `Latest \`npm run bench\`: ${record.startedAt}, ${fixed(record.wallTimeSeconds / 60, 1)} minutes.`,
    "",
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}; Node.js ${m.node};`,
    `Pulumi CLI ${m.pulumiCli}. Load (1-minute average, sampled every 5 s during the run): median`,
    `${fixed(record.load.median, 2)}, ${fixed(record.load.min, 2)}-${fixed(record.load.max, 2)}.`,
    "",
    `Settings: N = ${s.n} (${s.engineRounds} rounds of two previews, up and destroy per variant, alternating);`,
    `scaling N = ${s.scaling.join(", ")} (${s.scalingRounds} rounds each; N = ${s.n} from the ratio runs);`,
    `HTTP figures ${s.httpRounds} rounds of ${s.httpDurationMs} ms per variant, alternating; emulatorRps over`,
    `${s.emulatorTasks} tasks. Medians, with the min-max of the rounds; ratios are taken per round.`,
    "",
    "```",
    table(record),
    "```",
    "",
    ...(record.native
      ? [
          "The native plugin (bench/native.ts: one-claim `up` per front end, and N native TaskClaims over N",
          "resources of a no-op native plugin, from YAML programs):",
          "",
          "```",
          nativeTable(record.native),
          "```",
          "",
        ]
      : []),
    NOTES_MARKER,
    "",
    notes,
  ].join("\n");
  fs.writeFileSync(file, text.endsWith("\n") ? text : `${text}\n`);
}
