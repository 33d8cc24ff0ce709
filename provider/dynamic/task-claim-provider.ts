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
import { providerFor } from "./stub";

export = providerFor("taskClaim");
