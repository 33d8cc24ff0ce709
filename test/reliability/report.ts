// The matrix as a table (fault × operation → outcome, consistent yes/no) with its totals.
import { type CellResult, OPERATIONS } from "./matrix";

export interface Totals {
  cells: number;
  faultsInjected: number;
  engineRuns: number;
  /** Cells whose state and IAP disagreed right after the operation under fault. */
  inconsistent: number;
  /** Cells whose follow-up run did not converge. */
  notConverged: number;
  /** Cells with any problem at all (including unmet expectations such as a recoverable fault failing). */
  failed: number;
}

export function totals(results: readonly CellResult[]): Totals {
  return {
    cells: results.length,
    faultsInjected: results.reduce((sum, r) => sum + r.faultsInjected, 0),
    engineRuns: results.reduce((sum, r) => sum + r.engineRuns, 0),
    inconsistent: results.filter((r) => !r.consistent).length,
    notConverged: results.filter((r) => !r.converged).length,
    failed: results.filter((r) => r.problems.length > 0).length,
  };
}

function cellText(result: CellResult | undefined): string {
  if (!result) return "";
  const mark = result.problems.length === 0 ? "" : " !";
  return `${result.outcome}, ${result.consistent ? "yes" : "NO"}${mark}`;
}

/** A Markdown table: one row per fault, one column per operation; "outcome, consistent". */
export function renderTable(results: readonly CellResult[]): string {
  const faults = [...new Set(results.map((r) => r.fault))];
  const operations = OPERATIONS.filter((op) => results.some((r) => r.operation === op));
  const rows = faults.map((fault) => [
    fault,
    ...operations.map((op) => cellText(results.find((r) => r.fault === fault && r.operation === op))),
  ]);
  const header = ["fault", ...operations];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function renderTotals(t: Totals): string {
  return (
    `${t.cells} scenarios: ${t.faultsInjected} faults injected, ${t.engineRuns} operations run, ` +
    `${t.inconsistent} inconsistent end states, ${t.notConverged} not converged, ${t.failed} with problems`
  );
}

/** The legend and, for every cell with a problem, what went wrong. */
export function renderDetails(results: readonly CellResult[]): string {
  const lines = [
    "Cells read `outcome, consistent`: ok = the operation succeeded; error = it failed with a clear error and",
    "state records nothing new; recorded = it failed and state records a possible claim (outcome unknown),",
    "which the follow-up run settled. `!` marks a cell with a problem, listed below.",
  ];
  for (const r of results.filter((r) => r.problems.length > 0)) {
    lines.push(`- ${r.fault} / ${r.operation}: ${r.problems.join("; ")}`);
  }
  return lines.join("\n");
}

/** One error message per cell that failed, for reading what users would see. */
export function renderMessages(results: readonly CellResult[]): string {
  return results
    .filter((r) => r.message)
    .map((r) => `- ${r.fault} / ${r.operation}: ${r.message}`)
    .join("\n");
}
