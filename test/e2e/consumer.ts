// The library as users get it: `npm pack` of this checkout, installed by npm into a consumer
// project in a temp directory outside the repository. End-to-end programs load `pulumi-itential`
// from there, so what the tests prove is the packed package (its `files`, `exports` and the
// `__provider` that Pulumi stores for an installed library), not this checkout's sources.
//
// The peer dependency @pulumi/pulumi and the TypeScript toolchain the language host uses are linked
// from this repository's node_modules rather than installed again: one copy of the Pulumi SDK in a
// process is what lets an inline program (run in the jest worker) register resources with it.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { npm } from "../support/npm";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const LINKED = ["@pulumi", "typescript", "ts-node", "@types"];

/** The environment variable that hands the consumer's directory to the test workers. */
export const CONSUMER_ENV = "PULUMI_ITENTIAL_CONSUMER_DIR";

/** Packs this checkout and installs the tarball into a fresh consumer project; returns its directory. */
export function installPackedLibrary(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-consumer-"));
  try {
    npm(["pack", "--pack-destination", root], REPO_ROOT); // `prepack` builds dist/ first
    const tarball = path.join(root, fs.readdirSync(root).find((f) => f.endsWith(".tgz")) as string);
    const consumer = path.join(root, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, "package.json"),
      `${JSON.stringify({ name: "pulumi-itential-consumer", private: true }, null, 2)}\n`,
    );
    npm(
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--legacy-peer-deps", "--ignore-scripts", tarball],
      consumer,
    );
    for (const name of LINKED) {
      const target = path.join(consumer, "node_modules", name);
      if (!fs.existsSync(target)) fs.symlinkSync(path.join(REPO_ROOT, "node_modules", name), target, "dir");
    }
    return consumer;
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** The consumer directory the e2e set-up installed (see global-setup.ts). */
export function consumerDir(): string {
  const dir = process.env[CONSUMER_ENV];
  if (!dir) throw new Error(`${CONSUMER_ENV} is not set: run the e2e suites through jest (its global set-up).`);
  return dir;
}

/** The installed library, loaded from the consumer's node_modules, as a user's program loads it. */
export function installedLibrary(): typeof import("../../index") {
  return require(path.join(consumerDir(), "node_modules", "pulumi-itential"));
}

export function removeConsumer(dir: string): void {
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
}
