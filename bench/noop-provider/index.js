// The engine's floor for a dynamic resource: a provider that calls nothing and stores its inputs.
// The bench installs it into the consumer project's node_modules beside pulumi-itential and
// declares it the usual way (`pulumi.dynamic.Resource`): this module's exports ARE the provider
// object, so Pulumi's closure serializer stores a `require` of the installed package (about 250
// bytes, wrapper included), not a copy of code. TaskClaim writes its own 97-byte `__provider`
// instead; the comparison includes that difference, as a user's choice between the two would.
module.exports = {
  async check(_olds, news) {
    return { inputs: news, failures: [] };
  },
  async diff() {
    return { changes: false, replaces: [], deleteBeforeReplace: false };
  },
  async create(inputs) {
    return { id: inputs.taskId, outs: inputs };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
  async delete() {},
};
