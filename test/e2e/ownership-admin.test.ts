// The ownership model through the real Pulumi CLI (the scenarios: ownership-scenarios.ts), as an
// administrator, whom IAP (and the emulator) lets release anyone's task: only our own checks keep
// an admin from releasing a claim that is not the resource's.
import { ownershipSuite } from "./ownership-scenarios";

ownershipSuite("administrator");
