// What every TaskClaim and TaskAssignment stores as `__provider` (twice: in its inputs and its
// outputs), and the provider process evaluates to find the resource's provider: a module whose
// `handler()` returns the provider object, required by package path from the node_modules of the
// program's directory. The same contract Pulumi's closure serializer writes for, without its
// wrapper: 97 bytes instead of 300, no copy of our code, no path of this machine, no credential.
//
// Written here rather than serialized: `pulumi.dynamic.Resource` would serialize the provider
// object on every program run (loading the closure serializer and TypeScript's parser into the
// program), store three times the bytes in every checkpoint the file backend rewrites after each
// step, and record the resource's source position inside this library instead of the user's
// program (its stack-skipping expects one class less between Resource and the user's `new`).
//
// The modules named here, and the older serialized form that required them the same way, are in
// existing states: their paths must never move.
import type { KindName } from "./stub";

const MODULES: Record<KindName, string> = {
  taskClaim: "pulumi-itential/dist/provider/dynamic/task-claim-provider.js",
  taskAssignment: "pulumi-itential/dist/provider/dynamic/task-assignment-provider.js",
  workItemClaim: "pulumi-itential/dist/provider/dynamic/work-item-claim-provider.js",
  workItemAssignment: "pulumi-itential/dist/provider/dynamic/work-item-assignment-provider.js",
};

/** The `__provider` text of one resource kind: the same for every resource of that kind. */
export function storedProvider(kind: KindName): string {
  return `exports.handler = () => require(${JSON.stringify(MODULES[kind])});\n`;
}

/** The type token Pulumi's dynamic provider serves: `pulumi-nodejs:dynamic/itential:<name>`. */
export function dynamicType(name: string): string {
  return `pulumi-nodejs:dynamic/itential:${name}`;
}
