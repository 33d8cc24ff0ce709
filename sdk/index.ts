// `pulumi-itential/sdk`: a typed, resilient client for IAP's Operations Manager task API and the
// Work Center Service's work items (Platform 6.5+).
export type { AuthOptions } from "./auth";
export {
  type ClientOptions,
  type CompleteWorkItem,
  clientOptionsFromEnv,
  type FinishOptions,
  type GetOptions,
  type GetTaskOptions,
  OperationsManagerClient,
  type StartJobOptions,
} from "./client";
export {
  AbortedError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  BodyTooLargeError,
  ConflictError,
  ConnectionError,
  ItentialError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ResponseFormatError,
  ServerError,
  TaskStateError,
  type TaskStateReason,
  TimeoutError,
  ValidationError,
} from "./errors";
export type { FilterValue, SearchFilters, SearchQuery } from "./filters";
export { certainlyNotApplied, isTlsRefusal, type RetryOptions } from "./retry";
export {
  type Account,
  type Job,
  type JobTask,
  type Page,
  sameUser,
  type Task,
  type TaskStatus,
  type TaskType,
  type TaskUser,
  type WhoAmI,
} from "./schemas";
export type { CallOptions, Logger, LogRecord, TlsOptions } from "./transport";
export { VERSION } from "./version";
export type {
  WorkItem,
  WorkItemExecution,
  WorkItemFilter,
  WorkItemSearch,
  WorkItemStatus,
} from "./work-items";
