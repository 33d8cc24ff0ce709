// The test environment of every jest project: Node's, with each test's and hook's timeout (the
// project's `testTimeout`, a file's `jest.setTimeout(…)`, or a test's own third argument) scaled
// by time-scale.js when it starts. A suite written for a quiet machine gets room on a busy one
// without anyone raising its numbers, and a hang still fails, after at most MAX_SCALE times the
// written timeout.
const { TestEnvironment } = require("jest-environment-node");
const { timeScale } = require("./time-scale");

class LoadAwareEnvironment extends TestEnvironment {
  /** The timeout each test or hook was written with, before scaling (hooks run many times). */
  #written = new WeakMap();

  #scale(entry, state) {
    if (!this.#written.has(entry)) this.#written.set(entry, entry.timeout ?? state.testTimeout);
    entry.timeout = Math.round(this.#written.get(entry) * timeScale().scale);
  }

  async handleTestEvent(event, state) {
    if (event.name === "test_fn_start") this.#scale(event.test, state);
    else if (event.name === "hook_start") this.#scale(event.hook, state);
  }
}

module.exports = LoadAwareEnvironment;
