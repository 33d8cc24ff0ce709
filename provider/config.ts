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
  /** Mutual TLS: the client certificate (PEM text or file) and its key (secret). */
  clientCert: { env: "ITENTIAL_CLIENT_CERT_FILE", secret: false },
  clientKey: { env: "ITENTIAL_CLIENT_KEY_FILE", secret: true },
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

/** Everything a provider process needs to build its client: one platform and its credentials. */
export interface ProviderSettings {
  /** The platform's URL as configured; undefined when not set (check then names what to set). */
  baseUrl: string | undefined;
  /** Where these settings come from, as messages name it: the stack config, or an explicit provider. */
  source: SettingsOrigin;
  client: Omit<ClientOptions, "baseUrl">;
  /** Upper bound on one provider operation (create, read, update, delete), retries included. */
  operationTimeoutMs: number;
  /** Warnings to show once (e.g. TLS verification off). */
  warnings: string[];
}

/** The default bound on one provider operation: several retried requests, never a hung pipeline. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 300_000;

/**
 * The longest timeout Node's timers keep (about 24.8 days): a longer one fires after 1 ms instead
 * (setTimeout), or throws (AbortSignal.timeout), so "99999999999" would mean "no time at all".
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;
/** More retries than this only hide a platform that is down; the operation deadline bounds them anyway. */
export const MAX_RETRIES = 100;

/** A value as a message may show it: quoted, and cut short (settings can be pasted megabytes). */
function brief(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

const key = (name: SettingName) => `itential:${name}`;
const both = (name: SettingName) => `${key(name)} (or ${SETTINGS[name].env})`;

/**
 * The default provider reads the stack config (`itential:*`, falling back to `ITENTIAL_*`); an
 * explicit provider (`new Provider("staging", {...})`) reads its own inputs only, never the
 * environment: the environment's credentials belong to the stack's platform, and a second
 * platform must not receive them.
 */
export type SettingsOrigin = { kind: "stack" } | { kind: "provider"; name: string };

/** How a message names one setting: the stack config key and variable, or the provider's input. */
export function settingName(name: SettingName, origin: SettingsOrigin = { kind: "stack" }): string {
  return origin.kind === "stack" ? both(name) : `the "${name}" input of Provider "${origin.name}"`;
}

/** The settings' platform as messages name it. */
export function describeOrigin(origin: SettingsOrigin): string {
  return origin.kind === "stack" ? "the stack config (itential:*)" : `Provider "${origin.name}"`;
}

export const MISSING_CREDENTIALS =
  "pulumi-itential has no IAP credentials: set " +
  `${both("clientId")} and ${both("clientSecret")} for OAuth, or ${both("token")}, ` +
  `or ${both("username")} and ${both("password")}; set secrets with \`pulumi config set --secret\`.`;

export const MISSING_BASE_URL =
  `pulumi-itential does not know which platform to talk to: set ${both("baseUrl")}, ` +
  "e.g. `pulumi config set itential:baseUrl https://iap.example.com:3443` (the stack's credentials are sent to that " +
  "platform only; a second platform gets an explicit provider: `new Provider(name, { baseUrl, ... })`, or in Pulumi " +
  "YAML a resource of `type: pulumi:providers:itential`).";

/**
 * Resolves the settings, or throws ConfigurationError naming what to set (never echoing a secret).
 * An explicit provider's settings (`origin.kind === "provider"`) ignore `env`.
 */
export function resolveSettings(
  config: ConfigSource,
  env: NodeJS.ProcessEnv = process.env,
  origin: SettingsOrigin = { kind: "stack" },
): ProviderSettings {
  const both = (name: SettingName) => settingName(name, origin);
  const fromEnv = origin.kind === "stack" ? env : {};
  const read = (name: SettingName): string | undefined => {
    const value = config(key(name)) ?? fromEnv[SETTINGS[name].env];
    if (value === undefined || value.trim() === "") return undefined;
    // A secret is used exactly as given (a password may end in a space), and so is PEM text;
    // anything else is trimmed.
    return SETTINGS[name].secret || name === "caCert" || name === "clientCert" ? value : value.trim();
  };
  const problems: string[] = [];
  const warnings: string[] = [];

  const baseUrl = read("baseUrl");
  if (baseUrl !== undefined) {
    const reason = checkBaseUrl(baseUrl);
    if (reason) problems.push(`${both("baseUrl")} ${reason}`);
  } else if (origin.kind === "provider") {
    problems.push(`${both("baseUrl")} is required: the platform this provider's credentials are for`);
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
    problems.push(
      origin.kind === "stack"
        ? MISSING_CREDENTIALS
        : `Provider "${origin.name}" has no IAP credentials: give it clientId and clientSecret, or token, or username and password`,
    );
  }

  const number = (name: SettingName, min: number, max: number): number | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${both(name)} must be a whole number >= ${min} and <= ${max}, got ${brief(raw)}`);
      return undefined;
    }
    return value;
  };
  const timeoutMs = number("timeoutMs", 1, MAX_TIMEOUT_MS);
  const maxRetries = number("maxRetries", 0, MAX_RETRIES);
  const retryDelayMs = number("retryDelayMs", 0, MAX_TIMEOUT_MS);
  const operationTimeoutMs = number("operationTimeoutMs", 1, MAX_TIMEOUT_MS) ?? DEFAULT_OPERATION_TIMEOUT_MS;

  const insecureRaw = read("insecure");
  if (insecureRaw !== undefined && !/^(true|false)$/i.test(insecureRaw)) {
    problems.push(`${both("insecure")} must be true or false`);
  }
  const insecure = insecureRaw?.toLowerCase() === "true";
  /** PEM text as given, or the file it names. A secret's value is never shown, not even as a path. */
  const pem = (name: SettingName): string | Buffer | undefined => {
    const value = read(name);
    if (value === undefined || value.includes("-----BEGIN")) return value;
    try {
      return fs.readFileSync(value);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      const where = SETTINGS[name].secret ? "" : ` ${brief(value)}`;
      problems.push(`${both(name)} is neither PEM text nor a readable file (${code}${where})`);
      return undefined;
    }
  };
  const ca = pem("caCert");
  const cert = pem("clientCert");
  const clientKey = pem("clientKey");
  if ((read("clientCert") === undefined) !== (read("clientKey") === undefined)) {
    problems.push(
      read("clientCert") === undefined
        ? `${both("clientCert")} is missing: a client key needs its certificate`
        : `${both("clientKey")} is missing: a client certificate needs its key`,
    );
  }
  if (insecure) {
    warnings.push(
      "itential:insecure is true: the platform's TLS certificate is not verified, so anyone on the network path can read the credentials. Use itential:caCert instead.",
    );
  }

  if (problems.length > 0 || !auth) throw new ConfigurationError(problems.join("; "));
  return {
    baseUrl,
    source: origin,
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
      ...(ca !== undefined || insecure || cert !== undefined
        ? {
            tls: {
              ...(ca !== undefined ? { ca } : {}),
              ...(cert !== undefined && clientKey !== undefined ? { cert, key: clientKey } : {}),
              ...(insecure ? { rejectUnauthorized: false } : {}),
            },
          }
        : {}),
    },
    operationTimeoutMs,
    warnings,
  };
}
