// What loading the HTTP stack costs a process: `require("axios")`, and the SDK with its first
// client (which loads axios), each timed inside a fresh `node` process (the provider process pays
// it once, when its first resource needs IAP). Rounds alternate the two, as every figure here does.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { alternate, type Spread, spread } from "./stats";

export interface ModuleLoadResults {
  /** `require("axios")` in a fresh process, milliseconds. */
  axiosMs: Spread;
  /** `require` of the built SDK plus `new OperationsManagerClient(…)`, milliseconds. */
  sdkClientMs: Spread;
}

const ROOT = path.join(__dirname, "..");

/** Milliseconds `script` (run after `const t0 = performance.now()`) took in a fresh node process. */
function timedInFreshProcess(script: string): number {
  const out = execFileSync(
    process.execPath,
    ["-e", `const t0 = performance.now(); ${script}; process.stdout.write(String(performance.now() - t0));`],
    { cwd: ROOT, encoding: "utf8" },
  );
  return Math.round(Number(out) * 10) / 10;
}

export async function measureModuleLoad(rounds: number): Promise<ModuleLoadResults> {
  const sdk = JSON.stringify(path.join(ROOT, "dist", "sdk"));
  const samples = await alternate(rounds, {
    axios: async () => timedInFreshProcess(`require("axios")`),
    sdkClient: async () =>
      timedInFreshProcess(
        `const { OperationsManagerClient } = require(${sdk}); new OperationsManagerClient({ baseUrl: "http://127.0.0.1:1", auth: { type: "token", token: "t" } })`,
      ),
  });
  return { axiosMs: spread(samples.axios), sdkClientMs: spread(samples.sdkClient) };
}
