// The engine's floor for a dynamic resource: a provider that calls nothing and stores its inputs.
// The bench installs it into the consumer project's node_modules beside pulumi-itential, and, like
// pulumi-itential's task-claim-provider, this module's exports ARE the provider object, so Pulumi
// stores the same kind of `__provider` for both (a `require` of an installed package): the
// comparison then measures what the TaskClaim provider does, not how its code reaches state.
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
