// Provider: a platform with its own credentials, for programs that use more than one platform (or
// keep credentials out of stack config). Resources take it as `{ provider }`, lookups too. It is a
// provider of the dynamic resources' package (`pulumi-nodejs`): the engine starts a provider
// process for it and configures that process with its inputs, so its credentials go to its
// platform only (provider/dynamic/host.ts), and never fall back to the ITENTIAL_* environment.
import * as pulumi from "@pulumi/pulumi";
import { SETTINGS, type SettingName } from "./config";
import { PROVIDER_NAME_KEY } from "./provider-keys";

export interface ProviderArgs {
  /** The platform root, e.g. `https://staging-iap.example.com:3443`: the only place these credentials go. */
  baseUrl: pulumi.Input<string>;
  /** A local or LDAP account (with `password`). */
  username?: pulumi.Input<string>;
  /** Stored as a secret. */
  password?: pulumi.Input<string>;
  /** With a username: `login` (default: POST /login, then a token) or `basic`. */
  authType?: pulumi.Input<"login" | "basic">;
  /** OAuth client credentials (with `clientSecret`). */
  clientId?: pulumi.Input<string>;
  /** Stored as a secret. */
  clientSecret?: pulumi.Input<string>;
  /** A token obtained elsewhere; stored as a secret. */
  token?: pulumi.Input<string>;
  /** PEM text or file: the CA that signed the platform's certificate. */
  caCert?: pulumi.Input<string>;
  /** Mutual TLS: a client certificate and its key (stored as a secret), PEM text or files. */
  clientCert?: pulumi.Input<string>;
  clientKey?: pulumi.Input<string>;
  /** Skip certificate verification (with a warning); prefer `caCert`. */
  insecure?: pulumi.Input<boolean>;
  timeoutMs?: pulumi.Input<number>;
  maxRetries?: pulumi.Input<number>;
  retryDelayMs?: pulumi.Input<number>;
  operationTimeoutMs?: pulumi.Input<number>;
}

/** What lookups read of a Provider: its settings by stack-config key, and its name. */
export interface ProviderSettingsSource {
  readonly name: string;
  readonly values: pulumi.Output<Record<string, unknown>>;
}

const SETTINGS_OF = new WeakMap<Provider, ProviderSettingsSource>();

/** A Provider's settings, for lookups given `{ provider }`. */
export function providerSettings(provider: Provider): ProviderSettingsSource {
  const source = SETTINGS_OF.get(provider);
  if (!source) throw new Error("lookups take a Provider of pulumi-itential as `provider`");
  return source;
}

export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ProviderArgs, opts?: pulumi.ResourceOptions) {
    const props: Record<string, pulumi.Input<unknown>> = { [PROVIDER_NAME_KEY]: name };
    for (const setting of Object.keys(SETTINGS) as SettingName[]) {
      const value = (args as unknown as Record<string, pulumi.Input<unknown> | undefined>)[setting];
      if (value === undefined) continue;
      // Secrets are encrypted in state and shown as [secret] in logs and plans.
      props[`itential:${setting}`] = SETTINGS[setting].secret ? pulumi.secret(value) : value;
    }
    super("pulumi-nodejs", name, props, opts);
    SETTINGS_OF.set(this, { name, values: pulumi.output(props) as unknown as pulumi.Output<Record<string, unknown>> });
  }
}
