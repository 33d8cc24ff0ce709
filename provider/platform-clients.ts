// The client of a process's platform (the provider process, or the program process for lookups):
// one login and one whoami per platform, kept-alive connections, whatever the number of resources
// or lookups. A platform's credentials go to that platform only: a URL naming another origin is
// refused here, before any client exists for it, whatever a resource or lookup asks for.
import { AuthenticationError, OperationsManagerClient } from "../sdk";
import { platformOf } from "./base-url";
import {
  ConfigurationError,
  describeOrigin,
  MISSING_BASE_URL,
  type ProviderSettings,
  type SettingName,
  settingName,
} from "./config";

/** Why `baseUrl` (a resource's or lookup's own) cannot be used with `settings`, or undefined. */
export function foreignPlatform(settings: ProviderSettings, baseUrl: string | undefined): string | undefined {
  if (settings.baseUrl === undefined) return MISSING_BASE_URL;
  if (baseUrl === undefined || platformOf(baseUrl) === platformOf(settings.baseUrl)) return undefined;
  const fix =
    settings.source.kind === "stack"
      ? 'give that platform its own credentials with an explicit provider, `new Provider("other", { baseUrl, username, password })`, and pass it as `{ provider }` ' +
        "(Pulumi YAML: a resource of `type: pulumi:providers:itential` with those properties, named in the resource's `options: { provider: … }`)"
      : `use a provider configured for ${platformOf(baseUrl)}`;
  return (
    `names ${platformOf(baseUrl)}, but ${describeOrigin(settings.source)} holds credentials for ` +
    `${platformOf(settings.baseUrl)} (${settingName("baseUrl", settings.source)}), and credentials are never sent to ` +
    `another platform: ${fix}`
  );
}

export class PlatformClients {
  readonly #clients = new Map<string, OperationsManagerClient>();

  /**
   * The client of the configured platform. `baseUrl` (a resource's or lookup's own, or the
   * platform state recorded) must name that same platform; otherwise this fails with what to do.
   */
  for(settings: ProviderSettings, baseUrl: string | undefined): { client: OperationsManagerClient; url: string } {
    const refused = foreignPlatform(settings, baseUrl);
    if (refused) throw new ConfigurationError(baseUrl === undefined ? refused : `baseUrl ${refused}`);
    const url = platformOf(settings.baseUrl as string);
    // Per platform and per source of credentials: a program's lookups may use the stack's platform
    // and explicit providers side by side.
    const key = `${settings.source.kind === "stack" ? "stack" : `provider ${settings.source.name}`} ${url}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new OperationsManagerClient({ ...settings.client, baseUrl: url });
      this.#clients.set(key, client);
    }
    return { client, url };
  }

  /** Forgets every client: new settings make new ones. */
  clear(): void {
    this.#clients.clear();
  }
}

/** The credentials IAP refused, as the keys that set them: "401" alone names nothing to fix. */
export function authHint(error: unknown, current: ProviderSettings, url: string): string {
  if (!(error instanceof AuthenticationError)) return "";
  const auth = current.client.auth;
  const keys: SettingName[] =
    auth.type === "oauth" ? ["clientId", "clientSecret"] : auth.type === "token" ? ["token"] : ["username", "password"];
  return `. IAP at ${url} refused these credentials: check ${keys.map((k) => settingName(k, current.source)).join(" and ")}`;
}
