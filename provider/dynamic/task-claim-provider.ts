// The provider object of TaskClaim: this module's exports ARE that object. Every TaskClaim's
// `__provider` requires it by package path (stored-provider.ts), so the library installed where
// refresh or destroy runs is the one that runs them. States written before stored-provider.ts (by
// Pulumi's closure serializer) require it the same way. Its path
// (`pulumi-itential/dist/provider/dynamic/task-claim-provider.js`) must never move. When the
// library cannot be found there, the error is Node's own "Cannot find module" (README,
// Troubleshooting). Each method loads the implementation (host.ts) by package name, so a stub a
// linked checkout once made the serializer copy by value still reaches the installed library.
import { providerFor } from "./stub";

export = providerFor("taskClaim");
