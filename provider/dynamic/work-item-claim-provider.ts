// The provider object of WorkItemClaim: this module's exports ARE that object. Every WorkItemClaim's
// `__provider` requires it by package path (stored-provider.ts), so the library installed where
// refresh or destroy runs is the one that runs them. Its path
// (`pulumi-itential/dist/provider/dynamic/work-item-claim-provider.js`) must never move.
import { providerFor } from "./stub";

export = providerFor("workItemClaim");
