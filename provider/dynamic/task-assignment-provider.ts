// The provider object of TaskAssignment, serialized into every TaskAssignment's `__provider`; see
// task-claim-provider.ts for why this module's exports are the object itself.
import type * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    return host().configure(req.config);
  },
  async check(olds, news) {
    return host().taskAssignment.check(olds, news);
  },
  async diff(id, olds, news) {
    return host().taskAssignment.diff(id, olds, news);
  },
  async create(inputs) {
    return host().taskAssignment.create(inputs);
  },
  async read(id, props) {
    return host().taskAssignment.read(id, props);
  },
  async update(id, olds, news) {
    return host().taskAssignment.update(id, olds, news);
  },
  async delete(id, props) {
    return host().taskAssignment.delete(id, props);
  },
};

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

export = provider;
