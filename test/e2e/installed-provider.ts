// What Pulumi stores as a TaskClaim's `__provider` when the library is installed in node_modules:
// the closure serializer's text for a captured module (as @pulumi/pulumi 3.248 writes it), a
// require by package path and nothing else. Tests compare it exactly, so a path, a credential or a
// copy of our code creeping in fails them.
export const INSTALLED_PROVIDER = [
  "exports.handler = __f0;",
  'const provider = require("pulumi-itential/dist/provider/dynamic/task-claim-provider.js");',
  "",
  "function __f0() {",
  "  return (function() {",
  "    with({ this: undefined, arguments: undefined }) {",
  "",
  "return () => provider;",
  "",
  "    }",
  "  }).apply(undefined, undefined).apply(this, arguments);",
  "}",
  "",
].join("\n");
