// Prints, after jest's own summary, the slowest tests and suites with the machine's load (where a
// run's time went, and how busy the machine was while it went there), then one plain closing line,
// "Tests: N passed, N failed, N skipped", so tools that read only a run's last lines (CI here) can
// count the tests that ran.
//
// "failed" counts failed tests plus every suite that failed without a failed test of its own (it
// did not load, a beforeAll/afterAll threw, the run itself broke), each as one failure: a red run
// never reads "0 failed".
const os = require("node:os");
const path = require("node:path");
const { timeScale } = require("./time-scale");

const SLOWEST = 10;

function seconds(ms) {
  return `${(ms / 1000).toFixed(1).padStart(6)} s`;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
  }

  slowestLines(results) {
    const relative = (file) => path.relative(this.rootDir, file);
    const tests = [];
    const suites = [];
    for (const suite of results.testResults) {
      const { start, end } = suite.perfStats ?? {};
      if (start && end) suites.push({ ms: end - start, name: relative(suite.testFilePath) });
      for (const test of suite.testResults ?? []) {
        if (typeof test.duration === "number") {
          tests.push({ ms: test.duration, name: `${relative(suite.testFilePath)} › ${test.fullName}` });
        }
      }
    }
    if (tests.length === 0 && suites.length === 0) return [];
    const top = (list) => list.sort((a, b) => b.ms - a.ms).slice(0, SLOWEST);
    const { scale, load, cores } = timeScale();
    const [load1, load5, load15] = os.loadavg();
    return [
      `Slowest tests (of ${tests.length}):`,
      ...top(tests).map((t) => `${seconds(t.ms)}  ${t.name}`),
      `Slowest suites (of ${suites.length}):`,
      ...top(suites).map((s) => `${seconds(s.ms)}  ${s.name}`),
      `Load average ${load1.toFixed(1)} / ${load5.toFixed(1)} / ${load15.toFixed(1)} (1, 5, 15 min) on ${cores} cores; time budgets now × ${scale} (load ${load.toFixed(1)})`,
    ];
  }

  onRunComplete(_contexts, results) {
    let failed = results.numFailedTests;
    for (const suite of results.testResults) {
      const broken = Boolean(suite.testExecError) || Boolean(suite.failureMessage);
      if (broken && !suite.skipped && suite.numFailingTests === 0) failed += 1;
    }
    if (results.runExecError) failed += 1;
    const lines = this.slowestLines(results);
    process.stdout.write(
      `${lines.map((line) => `${line}\n`).join("")}Tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;
