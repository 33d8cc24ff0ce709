// The provider object of TaskAssignment, required by every TaskAssignment's `__provider`; see
// task-claim-provider.ts for why this module's exports are the object itself, and why its path
// (`pulumi-itential/dist/provider/dynamic/task-assignment-provider.js`) must never move.
import { providerFor } from "./stub";

export = providerFor("taskAssignment");
