// One OperationsManagerClient per platform URL for a process (the provider process, or the program
// process for lookups): one login and one whoami per platform, kept-alive connections, whatever
// the number of resources or lookups.
import { OperationsManagerClient } from "../sdk";
import { ConfigurationError, MISSING_BASE_URL, type ProviderSettings } from "./config";

export class PlatformClients {
  readonly #clients = new Map<string, OperationsManagerClient>();

  /**
   * The client for `baseUrl` (a resource's or lookup's own), else for the configured URL; fails
   * with the message naming both ways to set it when neither is set.
   */
  for(settings: ProviderSettings, baseUrl: string | undefined): { client: OperationsManagerClient; url: string } {
    const url = baseUrl ?? settings.baseUrl;
    if (!url) throw new ConfigurationError(MISSING_BASE_URL);
    let client = this.#clients.get(url);
    if (!client) {
      client = new OperationsManagerClient({ ...settings.client, baseUrl: url });
      this.#clients.set(url, client);
    }
    return { client, url };
  }

  /** Forgets every client: new settings make new ones. */
  clear(): void {
    this.#clients.clear();
  }
}
