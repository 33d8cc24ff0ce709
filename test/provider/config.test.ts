// Provider settings from stack config and the environment (pure: no emulator, no Pulumi).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { checkBaseUrl } from "../../provider/base-url";
import {
  ConfigurationError,
  DEFAULT_OPERATION_TIMEOUT_MS,
  MAX_RETRIES,
  MAX_TIMEOUT_MS,
  type ProviderSettings,
  resolveSettings,
  SETTINGS,
  type SettingName,
} from "../../provider/config";
import { OperationsManagerClient } from "../../sdk";
import { huge, numbersAsStrings, unicode, urlShapes, usernames } from "./input-shapes";

const from = (values: Record<string, string>) => (key: string) => values[key];

test("stack config first, the environment as fallback, key by key", () => {
  const settings = resolveSettings(
    from({ "itential:baseUrl": "https://iap.example.com", "itential:username": "svc" }),
    {
      ITENTIAL_BASE_URL: "https://ignored.example.com",
      ITENTIAL_PASSWORD: "from-env",
    },
  );
  expect(settings.baseUrl).toBe("https://iap.example.com");
  expect(settings.client.auth).toEqual({ type: "login", username: "svc", password: "from-env" });
  expect(settings.operationTimeoutMs).toBe(DEFAULT_OPERATION_TIMEOUT_MS);
  expect(settings.warnings).toEqual([]);
});

describe("an explicit Provider's settings", () => {
  const staging = { kind: "provider", name: "staging" } as const;
  const ENV = {
    ITENTIAL_BASE_URL: "https://env.example.com",
    ITENTIAL_USERNAME: "env-user",
    ITENTIAL_PASSWORD: "env-password-7",
    ITENTIAL_TOKEN: "env-token-7",
  };

  test("never fall back to ITENTIAL_* variables: half a login names the provider's input", () => {
    let error: unknown;
    try {
      resolveSettings(
        from({ "itential:baseUrl": "https://staging.example.com", "itential:username": "svc" }),
        ENV,
        staging,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe('the "password" input of Provider "staging" is missing: a login needs both');
    expect((error as Error).message).not.toContain("env-password-7");
    // The same inputs as stack config take the environment's password.
    const { ITENTIAL_TOKEN: _token, ...login } = ENV;
    expect(
      resolveSettings(from({ "itential:baseUrl": "https://staging.example.com", "itential:username": "svc" }), login)
        .client.auth,
    ).toEqual({ type: "login", username: "svc", password: "env-password-7" });
  });

  test("use their own inputs only, and carry where they come from", () => {
    const settings = resolveSettings(
      from({
        "itential:baseUrl": "https://staging.example.com",
        "itential:clientId": "c",
        "itential:clientSecret": "s",
      }),
      ENV,
      staging,
    );
    expect(settings).toMatchObject({
      baseUrl: "https://staging.example.com",
      source: staging,
      client: { auth: { type: "oauth", clientId: "c", clientSecret: "s" } },
    });
    expect(JSON.stringify(settings)).not.toMatch(/env-/);
    // No credentials at all: the environment's token does not stand in.
    expect(() => resolveSettings(from({ "itential:baseUrl": "https://staging.example.com" }), ENV, staging)).toThrow(
      'Provider "staging" has no IAP credentials',
    );
  });

  test("require baseUrl (the platform their credentials are for), whatever the environment says", () => {
    expect(() => resolveSettings(from({ "itential:token": "t" }), ENV, staging)).toThrow(
      'the "baseUrl" input of Provider "staging" is required',
    );
    // The stack's settings may leave it to the environment, or unset.
    expect(resolveSettings(from({ "itential:token": "t" }), ENV).baseUrl).toBe("https://env.example.com");
    expect(resolveSettings(from({ "itential:token": "t" }), {}).baseUrl).toBeUndefined();
  });
});

test("OAuth, then a token, then a username and password; Basic on request", () => {
  const env = { ITENTIAL_USERNAME: "u", ITENTIAL_PASSWORD: "p", ITENTIAL_TOKEN: "t" };
  expect(resolveSettings(from({ "itential:clientId": "c", "itential:clientSecret": "s" }), env).client.auth).toEqual({
    type: "oauth",
    clientId: "c",
    clientSecret: "s",
  });
  expect(resolveSettings(from({}), env).client.auth).toEqual({ type: "token", token: "t" });
  expect(
    resolveSettings(from({ "itential:authType": "basic" }), { ITENTIAL_USERNAME: "u", ITENTIAL_PASSWORD: "p" }).client
      .auth,
  ).toEqual({ type: "basic", username: "u", password: "p" });
});

test("missing configuration is one message listing what to set, both ways", () => {
  let error: unknown;
  try {
    resolveSettings(from({}), {});
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigurationError);
  const message = (error as Error).message;
  for (const key of ["clientId", "clientSecret", "token", "username", "password"]) {
    expect(message).toContain(`itential:${key} (or ITENTIAL_`);
  }
  expect(message).toContain("pulumi config set --secret");
  // The base URL may come per resource, so it is not required here.
  expect(() => resolveSettings(from({ "itential:token": "t" }), {})).not.toThrow();
});

test("half a credential pair names the other half", () => {
  expect(() => resolveSettings(from({ "itential:username": "svc" }), {})).toThrow(
    "itential:password (or ITENTIAL_PASSWORD) is missing: a login needs both",
  );
  expect(() => resolveSettings(from({ "itential:clientSecret": "s3cr3t-value" }), {})).toThrow(
    "itential:clientId (or ITENTIAL_CLIENT_ID) is missing: OAuth needs both",
  );
});

test("problems are reported together, and never echo a secret", () => {
  const secret = "hunter2-correct-horse";
  let message = "";
  try {
    resolveSettings(
      from({
        "itential:baseUrl": `https://svc:${secret}@iap.example.com`,
        "itential:username": "svc",
        "itential:password": secret,
        "itential:timeoutMs": "soon",
        "itential:maxRetries": "-1",
        "itential:insecure": "yes",
      }),
      {},
    );
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain("itential:baseUrl (or ITENTIAL_BASE_URL) must not contain credentials");
  expect(message).toContain(
    'itential:timeoutMs (or ITENTIAL_TIMEOUT_MS) must be a whole number >= 1 and <= 2147483647, got "soon"',
  );
  expect(message).toContain("itential:maxRetries (or ITENTIAL_MAX_RETRIES) must be a whole number >= 0");
  expect(message).toContain("itential:insecure (or ITENTIAL_INSECURE) must be true or false");
  expect(message).not.toContain(secret);
});

test("a timeout past what Node's timers hold is refused, not turned into an instant failure", () => {
  expect(() =>
    resolveSettings(from({ "itential:token": "t", "itential:operationTimeoutMs": "2147483648" }), {}),
  ).toThrow(
    "itential:operationTimeoutMs (or ITENTIAL_OPERATION_TIMEOUT_MS) must be a whole number >= 1 and <= 2147483647",
  );
  expect(() => resolveSettings(from({ "itential:token": "t", "itential:timeoutMs": "99999999999" }), {})).toThrow(
    /itential:timeoutMs .* >= 1 and <= 2147483647/,
  );
});

test("numbers, retries and the operation deadline", () => {
  const settings = resolveSettings(
    from({
      "itential:token": "t",
      "itential:timeoutMs": "5000",
      "itential:maxRetries": "0",
      "itential:operationTimeoutMs": "60000",
    }),
    {},
  );
  expect(settings.client.timeoutMs).toBe(5000);
  expect(settings.client.retry).toEqual({ maxRetries: 0 });
  expect(settings.operationTimeoutMs).toBe(60_000);
  const quick = resolveSettings(from({ "itential:token": "t" }), { ITENTIAL_RETRY_DELAY_MS: "20" });
  expect(quick.client.retry).toEqual({ baseDelayMs: 20 });
  expect(() => resolveSettings(from({ "itential:token": "t", "itential:retryDelayMs": "fast" }), {})).toThrow(
    'itential:retryDelayMs (or ITENTIAL_RETRY_DELAY_MS) must be a whole number >= 0 and <= 2147483647, got "fast"',
  );
});

test("caCert is PEM text or a file; insecure turns verification off with a warning", () => {
  const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  expect(resolveSettings(from({ "itential:token": "t", "itential:caCert": pem }), {}).client.tls).toEqual({ ca: pem });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ca-")), "ca.pem");
  fs.writeFileSync(file, pem);
  const fromFile = resolveSettings(from({ "itential:token": "t" }), { ITENTIAL_CA_FILE: file });
  expect(String(fromFile.client.tls?.ca)).toBe(pem);
  expect(() => resolveSettings(from({ "itential:token": "t", "itential:caCert": "/no/such/ca.pem" }), {})).toThrow(
    /itential:caCert \(or ITENTIAL_CA_FILE\) is neither PEM text nor a readable file/,
  );
  const insecure = resolveSettings(from({ "itential:token": "t", "itential:insecure": "true" }), {});
  expect(insecure.client.tls).toEqual({ rejectUnauthorized: false });
  expect(insecure.warnings).toEqual([expect.stringContaining("TLS certificate is not verified")]);
});

test("a client certificate and key (mutual TLS): PEM text or files, both or neither, the key never echoed", () => {
  const cert = "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n";
  const key = "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n";
  expect(
    resolveSettings(from({ "itential:token": "t", "itential:clientCert": cert, "itential:clientKey": key }), {}).client
      .tls,
  ).toEqual({ cert, key });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "client-cert-"));
  fs.writeFileSync(path.join(dir, "client.pem"), cert);
  fs.writeFileSync(path.join(dir, "client-key.pem"), key);
  const fromFiles = resolveSettings(from({ "itential:token": "t" }), {
    ITENTIAL_CLIENT_CERT_FILE: path.join(dir, "client.pem"),
    ITENTIAL_CLIENT_KEY_FILE: path.join(dir, "client-key.pem"),
  });
  expect(String(fromFiles.client.tls?.cert)).toBe(cert);
  expect(String(fromFiles.client.tls?.key)).toBe(key);
  expect(() => resolveSettings(from({ "itential:token": "t", "itential:clientCert": cert }), {})).toThrow(
    "itential:clientKey (or ITENTIAL_CLIENT_KEY_FILE) is missing: a client certificate needs its key",
  );
  const secretKey = "not-a-key-but-a-secret-value";
  let message = "";
  try {
    resolveSettings(from({ "itential:token": "t", "itential:clientCert": cert, "itential:clientKey": secretKey }), {});
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/itential:clientKey \(or ITENTIAL_CLIENT_KEY_FILE\) is neither PEM text nor a readable file/);
  expect(message).not.toContain(secretKey);
});

describe("any configuration at all", () => {
  const SECRET = ["password", "clientSecret", "token", "clientKey"] as const;
  const value = fc.oneof(
    fc.string(),
    unicode,
    huge,
    numbersAsStrings,
    urlShapes,
    fc.constantFrom(" ", "true", "false", "TRUE", "basic", "login", "oauth", "/no/such/file.pem", "."),
    fc.constantFrom("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "-----BEGIN nonsense"),
  );
  const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  /** A value each setting takes when right, so that some draws settle and the checks on settings run. */
  const valid: Record<SettingName, fc.Arbitrary<string>> = {
    baseUrl: fc.oneof(fc.webUrl(), fc.constant("http://127.0.0.1:3000")),
    username: usernames,
    password: fc.string({ minLength: 1 }),
    clientId: usernames,
    clientSecret: fc.string({ minLength: 1 }),
    token: fc.string({ minLength: 1 }),
    authType: fc.constantFrom("login", "basic"),
    caCert: fc.constant(PEM),
    clientCert: fc.constant(PEM),
    clientKey: fc.constant("-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n"),
    insecure: fc.constantFrom("true", "false"),
    timeoutMs: fc.integer({ min: 1, max: MAX_TIMEOUT_MS }).map(String),
    maxRetries: fc.integer({ min: 0, max: MAX_RETRIES }).map(String),
    retryDelayMs: fc.integer({ min: 0, max: 10_000 }).map(String),
    operationTimeoutMs: fc.integer({ min: 1, max: MAX_TIMEOUT_MS }).map(String),
  };
  const names = Object.keys(SETTINGS) as SettingName[];
  const values = fc.record(
    Object.fromEntries(
      names.map((name) => {
        const any = fc.oneof({ weight: 8, arbitrary: valid[name] }, { weight: 1, arbitrary: value });
        // Secrets are marked, so a message that shows one is caught whatever the value is.
        return [name, (SECRET as readonly string[]).includes(name) ? any.map((v) => `«${v}»`) : any];
      }),
    ) as Record<SettingName, fc.Arbitrary<string>>,
    { requiredKeys: [] },
  );

  test("gives settings a client can use, or one ConfigurationError that names keys and never shows a secret", () => {
    const seen = { settled: 0, refused: 0 };
    fc.assert(
      fc.property(values, fc.oneof(fc.constant({}), values), (config, env) => {
        const stack = Object.fromEntries(Object.entries(config).map(([k, v]) => [`itential:${k}`, v]));
        const environment = Object.fromEntries(
          Object.entries(env).map(([k, v]) => [SETTINGS[k as SettingName].env, v]),
        );
        const secrets = [...Object.entries(config), ...Object.entries(env)]
          .filter(([k]) => (SECRET as readonly string[]).includes(k))
          .map(([, v]) => v);
        let settings: ProviderSettings;
        try {
          settings = resolveSettings(from(stack), environment);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigurationError);
          const message = (error as Error).message;
          expect(message).toMatch(/itential:\w+ \(or ITENTIAL_\w+\)|pulumi-itential has no IAP credentials/);
          expect(message.length).toBeLessThan(4000); // huge values are shortened, not echoed
          for (const secret of secrets) expect(message).not.toContain(secret);
          seen.refused++;
          return;
        }
        seen.settled++;
        const within = (n: number | undefined, min: number, max: number) =>
          n === undefined || (Number.isInteger(n) && n >= min && n <= max);
        expect(within(settings.client.timeoutMs, 1, MAX_TIMEOUT_MS)).toBe(true);
        expect(within(settings.operationTimeoutMs, 1, MAX_TIMEOUT_MS)).toBe(true);
        expect(within(settings.client.retry?.maxRetries, 0, MAX_RETRIES)).toBe(true);
        if (settings.baseUrl !== undefined) expect(checkBaseUrl(settings.baseUrl)).toBeUndefined();
        for (const secret of secrets) expect(settings.warnings.join("\n")).not.toContain(secret);
        // Usable as they are: the client takes them, and the operation deadline can be set.
        const quiet = { debug: () => {}, warn: () => {} };
        expect(
          () =>
            new OperationsManagerClient({
              ...settings.client,
              baseUrl: settings.baseUrl ?? "https://iap.example.com",
              logger: quiet,
            }),
        ).not.toThrow();
        expect(() => AbortSignal.timeout(settings.operationTimeoutMs)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
    expect(seen.settled).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
