// Every authentication mode of the emulator, token expiry included.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { call, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();

const whoami = (options: Parameters<typeof call>[3], query = "") =>
  call(emulator().url, "GET", `/whoami${query}`, options);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function login(body: unknown): Promise<string> {
  const res = await call(emulator().url, "POST", "/login", { body });
  expect(res.status).toBe(200);
  expect(typeof res.json).toBe("string"); // a bare JSON string, not an envelope
  return res.json;
}

async function oauth(form: Record<string, string>) {
  return call(emulator().url, "POST", "/oauth/token", {
    rawBody: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

const pipelineClient = {
  grant_type: "client_credentials",
  client_id: C.pipelineClient.clientId,
  client_secret: C.pipelineClient.clientSecret,
};

describe("Basic", () => {
  test("valid credentials reach the API", async () => {
    const res = await whoami({ auth: [C.pipeline.username, C.pipeline.password] });
    expect(res.status).toBe(200);
    expect(res.json.username).toBe("svc-pipeline");
  });

  test.each([
    ["a wrong password", { auth: [C.pipeline.username, "nope"] as [string, string] }],
    ["an unknown user", { auth: ["mallory", "x"] as [string, string] }],
    ["no credentials", {}],
    ["malformed credentials", { headers: { authorization: "Basic !!!" } }],
  ])("%s is a 401 in the envelope", async (_, options) => {
    const res = await whoami(options);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ message: expect.any(String), data: null, metadata: {} });
  });
});

describe("GET /whoami", () => {
  test("answers the bare principal object with id (not _id) and groups", async () => {
    const res = await whoami({ auth: [C.admin.username, C.admin.password] });
    expect(res.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      provenance: "Local AAA",
      username: "admin@pronghorn",
      firstname: "admin",
      groups: [{ id: expect.stringMatching(/^[0-9a-f]{24}$/), provenance: "Local AAA", name: "admin" }],
      roles: ["OperationsManager.admin"],
      roleNames: ["admin"],
      routes: [],
      methods: [],
    });
    expect(res.json.message).toBeUndefined();
  });
});

describe("token login", () => {
  test("nested and flat bodies both give a token accepted as ?token= and as the token cookie", async () => {
    const nested = await login({ user: { username: C.pipeline.username, password: C.pipeline.password } });
    const flat = await login({ username: C.approvers[0].username, password: C.approvers[0].password });
    expect((await whoami({}, `?token=${encodeURIComponent(nested)}`)).json.username).toBe("svc-pipeline");
    expect((await whoami({ headers: { cookie: `token=${flat}` } })).json.username).toBe("alice");
  });

  test("sets a token cookie too", async () => {
    const res = await call(emulator().url, "POST", "/login", {
      body: { user: { username: C.pipeline.username, password: C.pipeline.password } },
    });
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^token=${res.json};`));
  });

  test("bad credentials are a 401; a body without them a 400", async () => {
    const bad = await call(emulator().url, "POST", "/login", { body: { user: { username: "alice", password: "x" } } });
    expect(bad.status).toBe(401);
    const empty = await call(emulator().url, "POST", "/login", { body: {} });
    expect(empty.status).toBe(400);
  });

  test("an unknown token is a 401", async () => {
    expect((await whoami({}, "?token=forged")).status).toBe(401);
  });

  test("tokens really expire", async () => {
    await emulator().settings({ loginTokenTtlSeconds: 1 });
    const token = await login({ user: { username: C.pipeline.username, password: C.pipeline.password } });
    expect((await whoami({}, `?token=${token}`)).status).toBe(200);
    await sleep(1100);
    const expired = await whoami({}, `?token=${token}`);
    expect(expired.status).toBe(401);
    expect(expired.json.message).toMatch(/Expired token/);
  });

  test("the control API can expire every token at once", async () => {
    const token = await login({ user: { username: C.pipeline.username, password: C.pipeline.password } });
    await emulator().control("POST", "/tokens/expire");
    expect((await whoami({}, `?token=${token}`)).status).toBe(401);
  });

  test("the request log redacts the token", async () => {
    const token = await login({ user: { username: C.pipeline.username, password: C.pipeline.password } });
    await whoami({}, `?token=${token}`);
    const log = await emulator().requests();
    const entry = log.find((e) => e.path === "/whoami");
    expect(entry?.query).toBe("token=%5BREDACTED%5D");
    expect(JSON.stringify(log)).not.toContain(token);
  });
});

describe("OAuth client credentials", () => {
  test("gives a bearer token with expires_in that acts as the client's service account", async () => {
    const res = await oauth(pipelineClient);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ access_token: expect.any(String), token_type: "bearer", expires_in: 3600 });
    const me = await whoami({ headers: { authorization: `Bearer ${res.json.access_token}` } });
    expect(me.json.username).toBe("svc-pipeline");
  });

  test("a wrong secret is invalid_client (401), another grant unsupported_grant_type (400)", async () => {
    const wrong = await oauth({ ...pipelineClient, client_secret: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe("invalid_client");
    const grant = await oauth({ ...pipelineClient, grant_type: "password" });
    expect(grant.status).toBe(400);
    expect(grant.json.error).toBe("unsupported_grant_type");
  });

  test("a JSON body is refused: the request must be form-encoded", async () => {
    const res = await call(emulator().url, "POST", "/oauth/token", { body: pipelineClient });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/form-encoded/);
  });

  test("access tokens really expire after expires_in", async () => {
    await emulator().settings({ oauthTokenTtlSeconds: 1 });
    const res = await oauth(pipelineClient);
    expect(res.json.expires_in).toBe(1);
    const headers = { authorization: `Bearer ${res.json.access_token}` };
    expect((await whoami({ headers })).status).toBe(200);
    await sleep(1100);
    const expired = await whoami({ headers });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ message: expect.stringMatching(/Expired access token/), data: null, metadata: {} });
  });

  test("a login token is not a bearer token", async () => {
    const token = await login({ user: { username: C.pipeline.username, password: C.pipeline.password } });
    expect((await whoami({ headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});
