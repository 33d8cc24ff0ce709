// The provider object of TaskClaim, which Pulumi serializes into every TaskClaim's `__provider`.
// This module's exports ARE that object, on purpose: when the library is installed in the program's
// node_modules, Pulumi's serializer stores a captured module's exports as `require("<its name>")`,
// so state holds a ~300-byte reference (no path, no credential, no copy of our code) and the
// library installed where refresh or destroy runs is the one that runs them. Every existing state
// names this module's path (`pulumi-itential/dist/provider/dynamic/task-claim-provider.js`): it
// must never move. When the library cannot be found there, the error is Node's own "Cannot find
// module" (README, Troubleshooting). Each method loads the implementation (host.ts) by package name,
// so the same holds when a linked checkout makes the serializer copy these methods by value; only
// then does `host()`'s friendlier message apply.
import type * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    return host().configure(req.config);
  },
  async check(olds, news) {
    return host().taskClaim.check(olds, news);
  },
  async diff(id, olds, news) {
    return host().taskClaim.diff(id, olds, news);
  },
  async create(inputs) {
    return host().taskClaim.create(inputs);
  },
  async read(id, props) {
    return host().taskClaim.read(id, props);
  },
  async update(id, olds, news) {
    return host().taskClaim.update(id, olds, news);
  },
  async delete(id, props) {
    return host().taskClaim.delete(id, props);
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
