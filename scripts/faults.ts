// `npm run test:faults`: the reliability runs in full, through the real engine and the packed
// library: the fault matrix (every operation under every fault), the races, and the load run.
// Prints the matrix as a table with its totals; exits non-zero when anything is inconsistent, does
// not converge, or misses an expectation. `npm test` runs a reduced form (test/e2e/reliability/).
//
//   npm run test:faults                 # everything
//   npm run test:faults -- matrix       # only some parts: matrix, races, load
//   FAULT_LANES=3 npm run test:faults   # matrix lanes: processes running cells at once (default 2)
//   FAULT_CELLS='lost|404' npm run test:faults -- matrix   # only cells whose "fault / operation" matches
//   FAULT_DEBUG=1 npm run test:faults   # also print the engine's whole output for each failed operation
import { fork } from "node:child_process";
import { CONSUMER_ENV, installPackedLibrary, removeConsumer } from "../test/e2e/consumer";
import { renderLoad, runLoad } from "../test/reliability/load";
import { type Cell, type CellResult, fullMatrix, runMatrix } from "../test/reliability/matrix";
import { renderRaces, runRaces } from "../test/reliability/races";
import { renderDetails, renderMessages, renderTable, renderTotals, totals } from "../test/reliability/report";
import { ensureFreshBuild } from "../test/support/fresh-build";
import { ensurePulumi } from "./pulumi-toolchain";

/** Set in a lane's environment: the indices (in the selected matrix) of the cells it runs. */
const LANE_CELLS = "FAULT_LANE_CELLS";

const PARTS = ["matrix", "races", "load"] as const;
type Part = (typeof PARTS)[number];

/** What a part did, for the grand total; `inconsistent` counts end states where state and IAP disagreed. */
interface PartResult {
  passed: boolean;
  faultsInjected: number;
  operations: number;
  inconsistent: number;
}

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function selectedCells(): Cell[] {
  const only = process.env.FAULT_CELLS ? new RegExp(process.env.FAULT_CELLS) : undefined;
  return fullMatrix().filter((cell) => !only || only.test(`${cell.fault.name} / ${cell.operation}`));
}

/**
 * Runs the cells in `lanes` processes of their own (this script again, told its cells through the
 * environment), each with its own emulator and backend: inline programs of one process running at
 * once are not kept fully apart by the Pulumi SDK. A lane that dies leaves its cells failed.
 */
async function runLanes(all: Cell[], lanes: number, onResult: (r: CellResult) => void): Promise<CellResult[]> {
  const results: (CellResult | undefined)[] = new Array(all.length);
  await Promise.all(
    Array.from({ length: Math.min(lanes, all.length) }, (_, lane) => {
      const indices = all.map((_, i) => i).filter((i) => i % lanes === lane);
      return new Promise<void>((resolve) => {
        const child = fork(__filename, [], {
          execArgv: ["-r", "ts-node/register/transpile-only"],
          env: { ...process.env, [LANE_CELLS]: indices.join(",") },
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        child.on("message", (message: { index: number; result: CellResult }) => {
          results[message.index] = message.result;
          onResult(message.result);
        });
        child.on("exit", () => resolve());
      });
    }),
  );
  return all.map(
    (cell, i) =>
      results[i] ?? {
        operation: cell.operation,
        fault: cell.fault.name,
        outcome: "error",
        consistent: false,
        converged: false,
        problems: ["its lane died before running it"],
        faultsInjected: 0,
        engineRuns: 0,
        durationMs: 0,
      },
  );
}

/** A lane: runs its cells and reports each result to the parent. */
async function lane(indices: number[]): Promise<number> {
  const all = selectedCells();
  await runMatrix(
    indices.map((i) => all[i] as Cell),
    (result, k) => process.send?.({ index: indices[k], result }),
  );
  return 0;
}

async function matrix(lanes: number): Promise<PartResult> {
  const all = selectedCells();
  say(`\n## Fault matrix: ${all.length} scenarios in ${lanes} lanes\n`);
  const started = Date.now();
  let done = 0;
  const results = await runLanes(all, lanes, (r) =>
    process.stderr.write(
      `[${++done}/${all.length}] ${r.fault} / ${r.operation}: ${r.outcome}, ` +
        `${r.consistent ? "consistent" : "INCONSISTENT"}${r.problems.length ? ` (${r.problems.join("; ")})` : ""}\n`,
    ),
  );
  const t = totals(results);
  say(renderTable(results));
  say("");
  say(renderDetails(results));
  say("\nWhat the failed operations said:\n");
  say(renderMessages(results));
  say(`\nTotals: ${renderTotals(t)} (${Math.round((Date.now() - started) / 1000)} s)`);
  return {
    passed: t.failed === 0,
    faultsInjected: t.faultsInjected,
    operations: t.engineRuns,
    inconsistent: t.inconsistent,
  };
}

/** The full counts; the jest suites run a few of each. */
const FULL = {
  races: { claimVersusClaim: 20, claimVersusRelease: 10, destroyVersusReclaim: 10 },
  load: { claims: 200, faultRate: 0.05 },
};

async function races(): Promise<PartResult> {
  const c = FULL.races;
  say(
    `\n## Races: ${c.claimVersusClaim} × claim vs claim, ${c.claimVersusRelease} × claim vs release, ` +
      `${c.destroyVersusReclaim} × destroy vs re-claim\n`,
  );
  const started = Date.now();
  const results = await runRaces(c, (r) =>
    process.stderr.write(
      `${r.kind} #${r.round}: ${r.summary}${r.problems.length ? ` (${r.problems.join("; ")})` : ""}\n`,
    ),
  );
  say(renderRaces(results));
  const overlapped = results.filter((r) => r.overlapped).length;
  say(`claim vs claim: both claims in flight at the emulator at once in ${overlapped} of ${c.claimVersusClaim} rounds`);
  say(`(${Math.round((Date.now() - started) / 1000)} s)`);
  return {
    passed: results.every((r) => r.problems.length === 0),
    faultsInjected: results.reduce((n, r) => n + r.faultsInjected, 0),
    operations: results.reduce((n, r) => n + r.engineRuns, 0),
    inconsistent: results.filter((r) => !r.consistent).length,
  };
}

async function load(): Promise<PartResult> {
  say(`\n## Load: ${FULL.load.claims} TaskClaims, faults on ${FULL.load.faultRate * 100}% of their tasks\n`);
  const started = Date.now();
  const result = await runLoad(FULL.load, (p) => process.stderr.write(`load: ${p.name}: ${p.ok ? "ok" : "failed"}\n`));
  say(renderLoad(result));
  say(`(${Math.round((Date.now() - started) / 1000)} s)`);
  return {
    passed: result.phases.every((p) => p.problems.length === 0),
    faultsInjected: result.faultsInjected,
    operations: result.engineRuns,
    // One problem per claim whose state and IAP disagreed (or did not converge) after a run.
    inconsistent: result.phases.reduce((n, p) => n + p.problems.length, 0),
  };
}

async function main(): Promise<number> {
  const laneCells = process.env[LANE_CELLS];
  if (laneCells !== undefined) return lane(laneCells.split(",").map(Number));
  const wanted = process.argv.slice(2);
  for (const part of wanted) {
    if (!PARTS.includes(part as Part)) throw new Error(`unknown part ${part}: choose from ${PARTS.join(", ")}`);
  }
  const parts = wanted.length > 0 ? (wanted as Part[]) : [...PARTS];
  const lanes = Number(process.env.FAULT_LANES ?? 2);

  ensureFreshBuild();
  process.env.PULUMI_ITENTIAL_TEST_BIN_DIR = ensurePulumi();
  const consumer = installPackedLibrary();
  process.env[CONSUMER_ENV] = consumer;
  try {
    const done: PartResult[] = [];
    if (parts.includes("matrix")) done.push(await matrix(lanes));
    if (parts.includes("races")) done.push(await races());
    if (parts.includes("load")) done.push(await load());
    const sum = (key: "faultsInjected" | "operations" | "inconsistent") => done.reduce((n, r) => n + r[key], 0);
    say(
      `\n## Total (${parts.join(", ")}): ${sum("faultsInjected")} faults injected, ${sum("operations")} operations run, ` +
        `${sum("inconsistent")} inconsistent end states`,
    );
    return done.every((r) => r.passed) ? 0 : 1;
  } finally {
    removeConsumer(consumer);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(2);
  },
);
