// Every authentication strategy against the emulator: lazy login, one shared login for concurrent
// requests, re-login on 401, OAuth renewal before expiry and on 401, and no secret in any error.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { AuthenticationError, type AuthOptions, OperationsManagerClient, ValidationError } from "../../sdk";
import { useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();

const client = (auth: AuthOptions) => new OperationsManagerClient({ baseUrl: emulator().url, auth });
const login: AuthOptions = { type: "login", username: C.pipeline.username, password: C.pipeline.password };
const oauth: AuthOptions = {
  type: "oauth",
  clientId: C.pipelineClient.clientId,
  clientSecret: C.pipelineClient.clientSecret,
};
const paths = async () => (await emulator().requests()).map((r) => `${r.method} ${r.path} ${r.status}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("basic sends credentials on every request", async () => {
  const c = client({ type: "basic", username: C.pipeline.username, password: C.pipeline.password });
  expect((await c.whoami()).username).toBe("svc-pipeline");
  expect(await paths()).toEqual(["GET /whoami 200"]);
});

test("login happens lazily, once, and the token travels as ?token=", async () => {
  const c = client(login);
  expect(await paths()).toEqual([]); // constructing the client sends nothing
  await c.whoami();
  await c.whoami();
  expect(await paths()).toEqual(["POST /login 200", "GET /whoami 200", "GET /whoami 200"]);
  const log = await emulator().requests();
  expect(log[1]?.query).toBe("token=%5BREDACTED%5D");
});

test("concurrent first requests share one login", async () => {
  const c = client(login);
  await Promise.all(Array.from({ length: 8 }, () => c.whoami()));
  const all = await paths();
  expect(all.filter((p) => p.startsWith("POST /login"))).toHaveLength(1);
  expect(all.filter((p) => p.startsWith("GET /whoami 200"))).toHaveLength(8);
});

test("an expired login token is renewed once on 401, and the request succeeds", async () => {
  const c = client(login);
  await c.whoami();
  await emulator().control("POST", "/tokens/expire");
  await emulator().control("DELETE", "/requests");
  await Promise.all([c.whoami(), c.whoami(), c.whoami()]);
  const all = await paths();
  expect(all.filter((p) => p === "GET /whoami 401")).toHaveLength(3);
  expect(all.filter((p) => p.startsWith("POST /login"))).toHaveLength(1); // one renewal for all three
  expect(all.filter((p) => p === "GET /whoami 200")).toHaveLength(3);
});

test("token expiry through the server's own lifetime, not just the control API", async () => {
  await emulator().settings({ loginTokenTtlSeconds: 1 });
  const c = client(login);
  await c.whoami();
  await sleep(1100);
  expect((await c.whoami()).username).toBe("svc-pipeline");
  expect((await paths()).filter((p) => p.startsWith("POST /login"))).toHaveLength(2);
});

test("wrong credentials: AuthenticationError without the password, and no retry loop", async () => {
  const c = client({ type: "login", username: "svc-pipeline", password: "wrong-password-123" });
  const error = await c.whoami().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as Error).message).toMatch(/POST \/login was refused \(401\)/);
  expect(JSON.stringify(error)).not.toContain("wrong-password-123");
  expect(String((error as Error).stack)).not.toContain("wrong-password-123");
  expect(await paths()).toEqual(["POST /login 401"]);
});

test("oauth: one token request, cached; renewed shortly before expires_in", async () => {
  await emulator().settings({ oauthTokenTtlSeconds: 2 });
  const c = client(oauth);
  await c.whoami();
  await c.whoami();
  expect(await paths()).toEqual(["POST /oauth/token 200", "GET /whoami 200", "GET /whoami 200"]);
  // A 2 s token is renewed 0.2 s early: after 1.9 s the client asks for a new one before it fails.
  await sleep(1900);
  await emulator().control("DELETE", "/requests");
  await c.whoami();
  expect(await paths()).toEqual(["POST /oauth/token 200", "GET /whoami 200"]);
});

test("oauth: a revoked token is renewed on 401", async () => {
  const c = client(oauth);
  await c.whoami();
  await emulator().control("POST", "/tokens/expire");
  await emulator().control("DELETE", "/requests");
  expect((await c.whoami()).username).toBe("svc-pipeline");
  expect(await paths()).toEqual(["GET /whoami 401", "POST /oauth/token 200", "GET /whoami 200"]);
});

test("oauth: a wrong secret is an AuthenticationError that does not show the secret", async () => {
  const c = client({ type: "oauth", clientId: C.pipelineClient.clientId, clientSecret: "not-the-secret-42" });
  const error = await c.whoami().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as AuthenticationError).iapMessage).toBe("Client authentication failed");
  expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain("not-the-secret-42");
});

test("a static token works until it expires, then fails clearly (it cannot be renewed)", async () => {
  const token = (await fetch(`${emulator().url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: { username: C.pipeline.username, password: C.pipeline.password } }),
  }).then((r) => r.json())) as string;
  const c = client({ type: "token", token });
  expect((await c.whoami()).username).toBe("svc-pipeline");
  await emulator().control("POST", "/tokens/expire");
  const error = await c.whoami().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthenticationError);
  expect((error as Error).message).not.toContain(token);
});

test("incomplete auth options fail at construction", () => {
  expect(() => client({ type: "login", username: "x", password: "" })).toThrow(ValidationError);
  expect(() => client({ type: "magic" } as never)).toThrow(/auth.type must be/);
  expect(() => new OperationsManagerClient({ baseUrl: "iap.example.com", auth: login })).toThrow(/baseUrl/);
});

test("the client object does not show its credentials when inspected", async () => {
  const { inspect } = await import("node:util");
  const c = client({ type: "login", username: "u", password: "hunter2-password" });
  expect(inspect(c, { depth: 10, showHidden: true })).not.toContain("hunter2-password");
  expect(JSON.stringify(c)).not.toContain("hunter2-password");
});
