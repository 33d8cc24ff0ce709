// What a TaskClaim stores as `__provider`: a require of the installed package's provider module by
// package path and nothing else. Tests compare it exactly, so a path, a credential or a copy of our
// code creeping in fails them. Written out here rather than imported from the library, so a change
// to what the library writes has to be made twice, on purpose.
export const INSTALLED_PROVIDER =
  'exports.handler = () => require("pulumi-itential/dist/provider/dynamic/task-claim-provider.js");\n';

// What states written by pulumi-itential before it wrote `__provider` itself hold: the closure
// serializer's text for a captured module, as @pulumi/pulumi 3.248 wrote it. Such states must keep
// refreshing and destroying with the current library.
export const SERIALIZED_PROVIDER_0_1 = [
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
