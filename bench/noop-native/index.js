// The engine's floor for a native resource: a plugin (package `benchnoop`) whose one resource,
// `benchnoop:index:Noop`, calls nothing and stores its inputs. Served by @pulumi/pulumi's own
// provider server (it needs no configuration), started the way pulumi-resource-itential is: a
// `#!/bin/sh` launcher exec'ing node. The bench copies it into the consumer project's node_modules.
const { main } = require("@pulumi/pulumi/provider");

const schema = {
  name: "benchnoop",
  version: "0.0.1",
  resources: {
    "benchnoop:index:Noop": {
      inputProperties: { taskId: { type: "string" } },
      properties: { taskId: { type: "string" } },
    },
  },
};

main(
  {
    version: "0.0.1",
    schema: JSON.stringify(schema),
    async check(_urn, _olds, news) {
      return { inputs: news, failures: [] };
    },
    async diff() {
      return { changes: false, replaces: [], deleteBeforeReplace: false };
    },
    async create(_urn, inputs) {
      return { id: inputs.taskId, outs: inputs };
    },
    async read(id, _urn, props) {
      return { id, props };
    },
    async update(_id, _urn, _olds, news) {
      return { outs: news };
    },
    async delete() {},
  },
  process.argv.slice(2),
);
