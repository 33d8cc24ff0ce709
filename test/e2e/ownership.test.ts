// The ownership model through the real Pulumi CLI (the scenarios: ownership-scenarios.ts), as a
// plain operator account, plus URL spellings, unknown task ids and a second platform.
import { ownershipSuite } from "./ownership-scenarios";

ownershipSuite("operator");
