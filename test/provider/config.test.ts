// Provider settings from stack config and the environment (pure: no emulator, no Pulumi).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigurationError, DEFAULT_OPERATION_TIMEOUT_MS, resolveSettings } from "../../provider/config";

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
  expect(message).toContain('itential:timeoutMs (or ITENTIAL_TIMEOUT_MS) must be a whole number >= 1, got "soon"');
  expect(message).toContain("itential:maxRetries (or ITENTIAL_MAX_RETRIES) must be a whole number >= 0");
  expect(message).toContain("itential:insecure (or ITENTIAL_INSECURE) must be true or false");
  expect(message).not.toContain(secret);
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
    'itential:retryDelayMs (or ITENTIAL_RETRY_DELAY_MS) must be a whole number >= 0, got "fast"',
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
