// The provider object of WorkItemAssignment, required by every WorkItemAssignment's `__provider`;
// see task-claim-provider.ts for why this module's exports are the object itself, and why its path
// (`pulumi-itential/dist/provider/dynamic/work-item-assignment-provider.js`) must never move.
import { providerFor } from "./stub";

export = providerFor("workItemAssignment");
