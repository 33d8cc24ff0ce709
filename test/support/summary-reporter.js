// Prints one plain closing line, "Tests: N passed, N failed, N skipped", after jest's own summary,
// so tools that read only a run's last lines (CI here) can count the tests that ran.
//
// "failed" counts failed tests plus every suite that failed without a failed test of its own (it
// did not load, a beforeAll/afterAll threw, the run itself broke), each as one failure: a red run
// never reads "0 failed".
class SummaryReporter {
  onRunComplete(_contexts, results) {
    let failed = results.numFailedTests;
    for (const suite of results.testResults) {
      const broken = Boolean(suite.testExecError) || Boolean(suite.failureMessage);
      if (broken && !suite.skipped && suite.numFailingTests === 0) failed += 1;
    }
    if (results.runExecError) failed += 1;
    process.stdout.write(
      `Tests: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}

module.exports = SummaryReporter;
