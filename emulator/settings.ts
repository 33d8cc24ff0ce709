// Behaviour switches, set when starting the emulator and changeable at run time via the control API.

export interface EmulatorSettings {
  /**
   * Answer every business error (unknown id, task not claimable, …) with status 500, the only error
   * status IAP documents, instead of 400/403/404/409. Clients must then classify by message and by
   * the task's state: this is the pessimistic case to test them against.
   */
  businessErrorsAs500: boolean;
  /** Lifetime of tokens from POST /login. */
  loginTokenTtlSeconds: number;
  /** `expires_in` of OAuth access tokens. */
  oauthTokenTtlSeconds: number;
  /** Serve `metrics.claim_time` as epoch milliseconds, as an older IAP example shows. */
  epochClaimTime: boolean;
  /**
   * Serve `metrics.owner` and `metrics.user` (and a job's task `owner`) as the username string, as
   * older IAP versions kept them (`"Pronghorn"`), never dereferenced: what a client comparing users
   * must cope with.
   */
  ownerAsUsername: boolean;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  businessErrorsAs500: false,
  loginTokenTtlSeconds: 3600,
  oauthTokenTtlSeconds: 3600,
  epochClaimTime: false,
  ownerAsUsername: false,
};

/** Applies a partial update from the control API, refusing unknown keys and wrong types. */
export function updateSettings(current: EmulatorSettings, patch: unknown): EmulatorSettings | string {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return "settings must be an object";
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case "businessErrorsAs500":
      case "epochClaimTime":
      case "ownerAsUsername":
        if (typeof value !== "boolean") return `${key} must be a boolean`;
        next[key] = value;
        break;
      case "loginTokenTtlSeconds":
      case "oauthTokenTtlSeconds":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1) return `${key} must be an integer >= 1`;
        next[key] = value;
        break;
      default:
        return `unknown setting ${key}`;
    }
  }
  return next;
}
