// A local IAP Operations Manager server for demos and tests: `pulumi-itential/emulator`.
export type { TokenLifetimes } from "./auth";
export type { Fault, FaultKind, FaultSpec } from "./faults";
export type { JobRecord, JobTaskEntry, StateSnapshot, TaskRecord, UserRecord, WorkItemRecord } from "./model";
export type { RequestLogEntry } from "./routes/control";
export {
  buildSnapshot,
  DEFAULT_AGENT_SESSION,
  DEFAULT_CREDENTIALS,
  DEFAULT_WORKFLOW,
  defaultSeed,
  type EmulatorSeed,
  type SeedGroup,
  type SeedJob,
  type SeedOAuthClient,
  type SeedUser,
  type SeedWorkflow,
  type SeedWorkflowTask,
  type SeedWorkItem,
} from "./seed";
export {
  type EmulatorOptions,
  type EmulatorTls,
  type EmulatorTlsOptions,
  type RunningEmulator,
  startEmulator,
} from "./server";
export { DEFAULT_SETTINGS, type EmulatorSettings } from "./settings";
export { type GeneratedTls, generateTls } from "./tls";
