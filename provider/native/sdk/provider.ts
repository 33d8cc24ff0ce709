// The `itential` provider resource: a platform with its own credentials, for programs that use more
// than one platform or keep credentials out of stack config. Resources and invokes take it as
// `{ provider }`. Written by hand from the schema (../schema.ts), the way generated SDKs look.
import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

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

const SECRETS = ["password", "clientSecret", "token", "clientKey"] as const;
const STRINGS = ["baseUrl", "username", "authType", "clientId", "caCert", "clientCert"] as const;
const JSON_VALUES = ["insecure", "timeoutMs", "maxRetries", "retryDelayMs", "operationTimeoutMs"] as const;

export class Provider extends pulumi.ProviderResource {
  /** @internal */
  public static readonly __pulumiType = "itential";

  /** Whether `obj` is a Provider of this package, even from another copy of the SDK. */
  public static override isInstance(obj: unknown): obj is Provider {
    if (obj === undefined || obj === null) return false;
    return (obj as { __pulumiType?: string }).__pulumiType === `pulumi:providers:${Provider.__pulumiType}`;
  }

  declare public readonly baseUrl: pulumi.Output<string | undefined>;
  declare public readonly username: pulumi.Output<string | undefined>;

  constructor(name: string, args: ProviderArgs, opts?: pulumi.ResourceOptions) {
    const resourceInputs: pulumi.Inputs = {};
    const given = (args ?? {}) as unknown as Record<string, pulumi.Input<unknown> | undefined>;
    for (const key of STRINGS) resourceInputs[key] = given[key];
    // Secrets are encrypted in state and shown as [secret] in logs and plans.
    for (const key of SECRETS) resourceInputs[key] = given[key] === undefined ? undefined : pulumi.secret(given[key]);
    // Provider configuration travels as text, as generated SDKs send it.
    for (const key of JSON_VALUES) {
      resourceInputs[key] = given[key] === undefined ? undefined : pulumi.output(given[key]).apply(JSON.stringify);
    }
    const secretOpts = { additionalSecretOutputs: [...SECRETS] };
    super(
      Provider.__pulumiType,
      name,
      resourceInputs,
      pulumi.mergeOptions(pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts ?? {}), secretOpts),
    );
  }
}
