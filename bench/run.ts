// `npm run bench`: every figure of issue 10 in one run, written to bench/results.json and
// bench/RESULTS.md and printed as a table. Progress goes to stderr.
//
//   npm run bench                      the full run (about 6-8 minutes on two busy cores)
//   npm run bench -- --quick           a smoke run with tiny N, written to a temp directory
//   npm run bench -- --only=sdk,emulator   some sections only (engine, sdk, emulator, native)
//
// The native section (the plugin from Pulumi YAML and TypeScript) also needs Pulumi YAML's language
// host, built once by the toolchain (about 4 minutes cold). The engine section needs the Pulumi CLI (found or built by scripts/pulumi-toolchain.js) and packs
// and installs this checkout into a temp consumer project, as the end-to-end tests do.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumi, ensureYamlHost } from "../scripts/pulumi-toolchain";
import { CONSUMER_ENV, installPackedLibrary, removeConsumer } from "../test/e2e/consumer";
import { PulumiSandbox } from "../test/e2e/harness";
import { EmulatorProcess } from "../test/support/emulator-process";
import { ensureFreshBuild } from "../test/support/fresh-build";
import { measureEmulatorRps } from "./emulator-rps";
import { installNoopProvider, measureEngine } from "./engine";
import { describeMachine, LoadSampler } from "./machine";
import { measureModuleLoad } from "./module-load";
import { installNoopNative, measureNative, nativeTable } from "./native";
import { type RunRecord, type RunSettings, table, writeResults } from "./report";
import { measureSdkVsRaw } from "./sdk-vs-raw";

const SECTIONS = ["engine", "sdk", "emulator", "native"] as const;
type Section = (typeof SECTIONS)[number];

// The N values. Rounds are what fits the 10-minute budget on two shared cores: an N = 400
// `up` alone takes half a minute there.
const FULL: RunSettings = {
  n: 100,
  engineRounds: 5,
  scaling: [10, 100, 400],
  scalingRounds: 2,
  httpRounds: 5,
  httpDurationMs: 750,
  emulatorTasks: 10_000,
};
const QUICK: RunSettings = {
  n: 5,
  engineRounds: 1,
  scaling: [2, 5],
  scalingRounds: 1,
  httpRounds: 1,
  httpDurationMs: 200,
  emulatorTasks: 1_000,
};

function parseArgs(argv: string[]): { settings: RunSettings; sections: Set<Section>; out: string } {
  const quick = argv.includes("--quick");
  const only = argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  const out = argv.find((arg) => arg.startsWith("--out="))?.slice("--out=".length);
  const sections = new Set<Section>(only ? (only.split(",") as Section[]) : SECTIONS);
  for (const section of sections) {
    if (!SECTIONS.includes(section)) throw new Error(`unknown section ${section}: ${SECTIONS.join(", ")}`);
  }
  return {
    settings: quick ? QUICK : FULL,
    sections,
    // A quick or partial run never replaces the recorded results.
    out: out ?? (quick || only ? fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-bench-")) : __dirname),
  };
}

async function main(): Promise<void> {
  const { settings, sections, out } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const load = new LoadSampler();
  const binDir = ensurePulumi();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = binDir;
  let consumer: string | undefined;
  if (sections.has("engine") || sections.has("native")) {
    process.stderr.write("packing and installing the library into a consumer project…\n");
    consumer = installPackedLibrary(); // `npm pack` builds dist/ first
    installNoopProvider(consumer);
    installNoopNative(consumer);
    process.env[CONSUMER_ENV] = consumer;
  } else {
    ensureFreshBuild(); // the emulator runs from dist/
  }
  const record: RunRecord = {
    startedAt,
    wallTimeSeconds: 0,
    machine: describeMachine(binDir),
    load: { median: 0, min: 0, max: 0, samples: [] },
    settings,
  };
  const emulator = await EmulatorProcess.start();
  try {
    if (sections.has("sdk")) {
      process.stderr.write("sdk: OperationsManagerClient against the raw keep-alive loop\n");
      record.sdkVsRaw = await measureSdkVsRaw(emulator, {
        rounds: settings.httpRounds,
        durationMs: settings.httpDurationMs,
      });
      process.stderr.write("sdk: loading axios and the SDK in fresh processes\n");
      record.moduleLoad = await measureModuleLoad(settings.httpRounds * 2);
    }
    if (sections.has("emulator")) {
      process.stderr.write("emulator: requests per second\n");
      record.emulator = await measureEmulatorRps(emulator, {
        tasks: settings.emulatorTasks,
        rounds: settings.httpRounds,
        durationMs: settings.httpDurationMs,
        inFlight: 16,
      });
    }
    // Last: the HTTP figures are measured in a process not yet carrying the Automation API, its
    // gRPC server and the heap the engine runs leave behind.
    if (sections.has("engine")) {
      process.stderr.write("engine: TaskClaim against the no-op provider\n");
      const sandbox = PulumiSandbox.create();
      try {
        record.engine = await measureEngine(sandbox, emulator, {
          n: settings.n,
          rounds: settings.engineRounds,
          scaling: settings.scaling,
          scalingRounds: settings.scalingRounds,
        });
      } finally {
        sandbox.dispose();
      }
    }
    if (sections.has("native")) {
      process.stderr.write("native: the plugin from Pulumi YAML and TypeScript, against a no-op native plugin\n");
      const yamlDir = ensureYamlHost();
      const sandbox = PulumiSandbox.create();
      try {
        record.native = await measureNative(sandbox, emulator, {
          n: settings.n,
          rounds: Math.min(3, settings.engineRounds),
          yamlDir,
        });
      } finally {
        sandbox.dispose();
      }
    }
  } finally {
    await emulator.stop();
    if (consumer) removeConsumer(consumer);
  }
  record.load = load.stop();
  record.wallTimeSeconds = Math.round((performance.now() - started) / 100) / 10;
  writeResults(out, record);
  process.stdout.write(`${table(record)}\n\n`);
  if (record.native) process.stdout.write(`${nativeTable(record.native)}\n\n`);
  process.stdout.write(
    `wall time ${record.wallTimeSeconds} s; load ${record.load.median} (${record.load.min}-${record.load.max}); written to ${out}\n`,
  );
}

main().then(
  // Keep-alive agents and the SDK's client hold sockets open; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
