// The dynamic-provider object of one resource kind: methods that load the implementation
// (host.ts) by package name in the provider process and delegate to it. Each kind's module
// (task-claim-provider.ts, task-assignment-provider.ts) exports one, as its whole exports.
import type * as pulumi from "@pulumi/pulumi";

export type KindName = "taskClaim" | "taskAssignment" | "workItemClaim" | "workItemAssignment";

export function providerFor(kind: KindName): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req) {
      return host().configure(req.config);
    },
    async check(olds, news) {
      return host()[kind].check(olds, news);
    },
    async diff(id, olds, news) {
      return host()[kind].diff(id, olds, news);
    },
    async create(inputs) {
      return host()[kind].create(inputs);
    },
    async read(id, props) {
      return host()[kind].read(id, props);
    },
    async update(id, olds, news) {
      return host()[kind].update(id, olds, news);
    },
    async delete(id, props) {
      return host()[kind].delete(id, props);
    },
  };
}

/** Loads the implementation from the program's node_modules, or says what to install where. */
function host(): typeof import("./host") {
  try {
    return require("pulumi-itential/dist/provider/dynamic/host");
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes("'pulumi-itential/")) {
      throw new Error(
        `pulumi-itential cannot be loaded from ${process.cwd()}, where the Pulumi program runs: run \`npm install pulumi-itential\` in that directory.`,
      );
    }
    throw error;
  }
}
