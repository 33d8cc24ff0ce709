// How much longer than on a quiet machine things may take right now: the one factor every time
// budget of the test suite is multiplied by (jest's test and hook timeouts, through
// load-aware-environment.js; each Pulumi CLI step, through the e2e harness).
//
// `PULUMI_ITENTIAL_TIME_SCALE` (a number > 0) sets it; otherwise it is the 1-minute load average
// per core, between 1 and MAX_SCALE, read at the moment a budget starts. The cap keeps a hang
// failing in bounded time: a budget never grows past MAX_SCALE times what it was written for.
const os = require("node:os");

const MAX_SCALE = 4;

function cores() {
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

/** @returns {{ scale: number, load: number, cores: number, fixed: boolean }} */
function timeScale() {
  const load = os.loadavg()[0];
  const fixed = Number(process.env.PULUMI_ITENTIAL_TIME_SCALE);
  if (process.env.PULUMI_ITENTIAL_TIME_SCALE && Number.isFinite(fixed) && fixed > 0) {
    return { scale: fixed, load, cores: cores(), fixed: true };
  }
  const perCore = load / cores();
  return { scale: Math.min(MAX_SCALE, Math.max(1, Math.round(perCore * 10) / 10)), load, cores: cores(), fixed: false };
}

/** `baseMs` (what a step needs on a quiet machine, with room) scaled for the machine's load now. */
function scaledBudget(baseMs) {
  return Math.round(baseMs * timeScale().scale);
}

/** "120 s (60 s × 2 for load 4.1 on 2 cores)": for messages that say why a budget was what it was. */
function describeBudget(baseMs) {
  const { scale, load, cores: n, fixed } = timeScale();
  const why = fixed ? "PULUMI_ITENTIAL_TIME_SCALE" : `load ${load.toFixed(1)} on ${n} cores`;
  return `${Math.round((baseMs * scale) / 1000)} s (${Math.round(baseMs / 1000)} s × ${scale} for ${why})`;
}

module.exports = { MAX_SCALE, timeScale, scaledBudget, describeBudget };
