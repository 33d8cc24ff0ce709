// Provider configuration: stack config (`itential:*`) first, the `ITENTIAL_*` environment variables
// as fallback, key by key. Read in the dynamic provider's `configure` (the stack config the engine
// hands it) and, for lookups, in the program process. Pure: no Pulumi import, so it is tested alone.
import * as fs from "node:fs";
import type { AuthOptions, ClientOptions } from "../sdk";
import { checkBaseUrl } from "./base-url";

/** Every setting: its stack config key (namespace `itential`) and its environment variable. */
export const SETTINGS = {
  baseUrl: { env: "ITENTIAL_BASE_URL", secret: false },
  username: { env: "ITENTIAL_USERNAME", secret: false },
  password: { env: "ITENTIAL_PASSWORD", secret: true },
  clientId: { env: "ITENTIAL_CLIENT_ID", secret: false },
  clientSecret: { env: "ITENTIAL_CLIENT_SECRET", secret: true },
  token: { env: "ITENTIAL_TOKEN", secret: true },
  /** `login` (default: POST /login, then a token) or `basic` (Basic credentials on every request). */
  authType: { env: "ITENTIAL_AUTH", secret: false },
  /** PEM text, or the path of a PEM file. */
  caCert: { env: "ITENTIAL_CA_FILE", secret: false },
  insecure: { env: "ITENTIAL_INSECURE", secret: false },
  timeoutMs: { env: "ITENTIAL_TIMEOUT_MS", secret: false },
  maxRetries: { env: "ITENTIAL_MAX_RETRIES", secret: false },
  /** The first retry's backoff in milliseconds; it doubles with each retry (capped at 8 s), with jitter. */
  retryDelayMs: { env: "ITENTIAL_RETRY_DELAY_MS", secret: false },
  operationTimeoutMs: { env: "ITENTIAL_OPERATION_TIMEOUT_MS", secret: false },
} as const;

export type SettingName = keyof typeof SETTINGS;

/** Reads one stack config value by its full key (`itential:baseUrl`); undefined when unset. */
export type ConfigSource = (key: string) => string | undefined;

/** Everything a provider process needs to build clients. The base URL may come per resource instead. */
export interface ProviderSettings {
  baseUrl: string | undefined;
  client: Omit<ClientOptions, "baseUrl">;
  /** Upper bound on one provider operation (create, read, update, delete), retries included. */
  operationTimeoutMs: number;
  /** Warnings to show once (e.g. TLS verification off). */
  warnings: string[];
}

/** The default bound on one provider operation: several retried requests, never a hung pipeline. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 300_000;

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

const key = (name: SettingName) => `itential:${name}`;
const both = (name: SettingName) => `${key(name)} (or ${SETTINGS[name].env})`;

export const MISSING_CREDENTIALS =
  "pulumi-itential has no IAP credentials: set " +
  `${both("clientId")} and ${both("clientSecret")} for OAuth, or ${both("token")}, ` +
  `or ${both("username")} and ${both("password")}; set secrets with \`pulumi config set --secret\`.`;

export const MISSING_BASE_URL =
  `pulumi-itential does not know which platform to talk to: set ${both("baseUrl")}, ` +
  'e.g. `pulumi config set itential:baseUrl https://iap.example.com:3443`, or give the resource a "baseUrl".';

/** Resolves the settings, or throws ConfigurationError naming what to set (never echoing a secret). */
export function resolveSettings(config: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const read = (name: SettingName): string | undefined => {
    const value = config(key(name)) ?? env[SETTINGS[name].env];
    if (value === undefined || value.trim() === "") return undefined;
    // A secret is used exactly as given (a password may end in a space); anything else is trimmed.
    return SETTINGS[name].secret || name === "caCert" ? value : value.trim();
  };
  const problems: string[] = [];
  const warnings: string[] = [];

  const baseUrl = read("baseUrl");
  if (baseUrl !== undefined) {
    const reason = checkBaseUrl(baseUrl);
    if (reason) problems.push(`${both("baseUrl")} ${reason}`);
  }

  let auth: AuthOptions | undefined;
  const [clientId, clientSecret, token, username, password] = (
    ["clientId", "clientSecret", "token", "username", "password"] as const
  ).map(read);
  const authType = read("authType");
  if (authType !== undefined && authType !== "login" && authType !== "basic") {
    problems.push(`${both("authType")} must be "login" or "basic"`);
  }
  if (clientId || clientSecret) {
    if (clientId && clientSecret) auth = { type: "oauth", clientId, clientSecret };
    else problems.push(`${both(clientId ? "clientSecret" : "clientId")} is missing: OAuth needs both`);
  } else if (token) {
    auth = { type: "token", token };
  } else if (username || password) {
    if (username && password) auth = { type: authType === "basic" ? "basic" : "login", username, password };
    else problems.push(`${both(username ? "password" : "username")} is missing: a login needs both`);
  } else {
    problems.push(MISSING_CREDENTIALS);
  }

  const number = (name: SettingName, min: number): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min) {
      problems.push(`${both(name)} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return value;
  };
  const timeoutMs = number("timeoutMs", 1);
  const maxRetries = number("maxRetries", 0);
  const retryDelayMs = number("retryDelayMs", 0);
  const operationTimeoutMs = number("operationTimeoutMs", 1) ?? DEFAULT_OPERATION_TIMEOUT_MS;

  const insecureRaw = read("insecure");
  if (insecureRaw !== undefined && !/^(true|false)$/i.test(insecureRaw)) {
    problems.push(`${both("insecure")} must be true or false`);
  }
  const insecure = insecureRaw?.toLowerCase() === "true";
  let ca: string | Buffer | undefined;
  const caCert = read("caCert");
  if (caCert !== undefined) {
    if (caCert.includes("-----BEGIN")) ca = caCert;
    else {
      try {
        ca = fs.readFileSync(caCert);
      } catch (error) {
        problems.push(`${both("caCert")} is neither PEM text nor a readable file: ${(error as Error).message}`);
      }
    }
  }
  if (insecure) {
    warnings.push(
      "itential:insecure is true: the platform's TLS certificate is not verified, so anyone on the network path can read the credentials. Use itential:caCert instead.",
    );
  }

  if (problems.length > 0 || !auth) throw new ConfigurationError(problems.join("; "));
  return {
    baseUrl,
    client: {
      auth,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxRetries !== undefined || retryDelayMs !== undefined
        ? {
            retry: {
              ...(maxRetries !== undefined ? { maxRetries } : {}),
              ...(retryDelayMs !== undefined ? { baseDelayMs: retryDelayMs } : {}),
            },
          }
        : {}),
      ...(ca !== undefined || insecure
        ? { tls: { ...(ca !== undefined ? { ca } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) } }
        : {}),
    },
    operationTimeoutMs,
    warnings,
  };
}
