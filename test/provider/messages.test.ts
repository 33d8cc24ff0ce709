// One message per failure, naming what to fix: refused credentials name the keys that set them
// (the stack config's, or an explicit Provider's inputs) and the platform; a resource or lookup on
// another platform names both platforms and the explicit provider that fixes it.
import { resolveSettings } from "../../provider/config";
import { authHint, foreignPlatform, PlatformClients } from "../../provider/platform-clients";
import { AuthenticationError, ServerError } from "../../sdk";

const refused = new AuthenticationError({ method: "POST", path: "/login", status: 401, iapMessage: "Invalid" });
const stack = (config: Record<string, string>) => resolveSettings((key) => config[key], {}, { kind: "stack" });

test.each([
  [
    { "itential:username": "svc", "itential:password": "p" },
    /itential:username \(or ITENTIAL_USERNAME\) and itential:password/,
  ],
  [{ "itential:token": "t" }, /check itential:token \(or ITENTIAL_TOKEN\)$/],
  [{ "itential:clientId": "c", "itential:clientSecret": "s" }, /itential:clientId .* and itential:clientSecret/],
])("refused credentials name the keys that set them (%j)", (config, keys) => {
  const settings = stack({ "itential:baseUrl": "https://iap.example.com", ...config });
  const hint = authHint(refused, settings, "https://iap.example.com");
  expect(hint).toContain("IAP at https://iap.example.com refused these credentials");
  expect(hint).toMatch(keys);
  expect(hint).not.toMatch(/"p"|"t"|"s"/);
});

test("an explicit provider's refused credentials name its inputs, not the stack config", () => {
  const settings = resolveSettings(
    (key) => ({ "itential:baseUrl": "https://b.example.com", "itential:username": "u", "itential:password": "p" })[key],
    {},
    { kind: "provider", name: "staging" },
  );
  expect(authHint(refused, settings, "https://b.example.com")).toMatch(
    /check the "username" input of Provider "staging" and the "password" input of Provider "staging"/,
  );
});

test("other failures get no credentials hint", () => {
  const settings = stack({ "itential:baseUrl": "https://iap.example.com", "itential:token": "t" });
  const failure = new ServerError({ method: "GET", path: "/whoami", status: 500, iapMessage: "x" });
  expect(authHint(failure, settings, "https://iap.example.com")).toBe("");
  expect(authHint(new Error("x"), settings, "https://iap.example.com")).toBe("");
});

describe("a platform's credentials go to that platform only", () => {
  const settings = stack({ "itential:baseUrl": "https://iap.example.com:3443/", "itential:token": "t" });

  test.each([
    ["the same URL", "https://iap.example.com:3443"],
    ["another spelling", "HTTPS://IAP.EXAMPLE.COM:3443//"],
    ["no baseUrl at all", undefined],
  ])("%s is the configured platform", (_what, url) => {
    expect(foreignPlatform(settings, url)).toBeUndefined();
    expect(new PlatformClients().for(settings, url).url).toBe("https://iap.example.com:3443");
  });

  test.each([
    ["another host", "https://other.example.com:3443"],
    ["another port", "https://iap.example.com:3444"],
    ["another scheme", "http://iap.example.com:3443"],
    ["another path", "https://iap.example.com:3443/iap"],
  ])("%s is refused, naming both platforms and the fix", (_what, url) => {
    const reason = foreignPlatform(settings, url) as string;
    expect(reason).toContain(`but the stack config (itential:*) holds credentials for https://iap.example.com:3443`);
    expect(reason).toContain("never sent to another platform");
    expect(reason).toContain("new Provider(");
    // Both front ends are told how: Pulumi YAML has no `new Provider`.
    expect(reason).toContain("type: pulumi:providers:itential");
    expect(() => new PlatformClients().for(settings, url)).toThrow(/never sent to another platform/);
  });

  test("a stack without itential:baseUrl has no platform to send credentials to", () => {
    const none = stack({ "itential:token": "t" });
    expect(foreignPlatform(none, "https://iap.example.com")).toMatch(/does not know which platform/);
    expect(() => new PlatformClients().for(none, "https://iap.example.com")).toThrow(/does not know which platform/);
  });
});
