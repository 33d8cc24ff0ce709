// HTTPS: the certificates the emulator makes (read back with node:crypto's X.509 parser), the
// command's TLS flags, and mutual TLS, over real connections to `itential-emulator` processes.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { generateTls } from "../../emulator";
import { EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";

const FIXTURES = path.join(__dirname, "..", "fixtures", "tls");

/** GET `url`: the status, or the connection's error code when TLS (or anything else) refused it. */
function get(url: string, options: https.RequestOptions = {}): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = https.get(url, { ...options, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

test("a generated set: a CA, a server certificate it signed for this machine's names, and a client certificate", () => {
  const made = generateTls();
  const [ca, server, client] = [made.ca, made.serverCert, made.clientCert].map(
    (pem) => new crypto.X509Certificate(pem),
  );
  if (!ca || !server || !client) throw new Error("unreachable");
  expect([ca.ca, server.ca, client.ca]).toEqual([true, false, false]);
  expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
  expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
  expect(ca.verify(ca.publicKey)).toBe(true);
  expect(server.subjectAltName).toBe("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
  expect([server.checkHost("localhost"), server.checkIP("127.0.0.1"), server.checkIP("::1")]).toEqual([
    "localhost",
    "127.0.0.1",
    "::1",
  ]);
  expect(server.checkHost("iap.example.com")).toBeUndefined();
  expect(server.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // serverAuth
  expect(client.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]); // clientAuth
  expect(server.checkPrivateKey(crypto.createPrivateKey(made.serverKey))).toBe(true);
  expect(client.checkPrivateKey(crypto.createPrivateKey(made.clientKey))).toBe(true);
  const now = Date.now();
  expect(Date.parse(server.validFrom)).toBeLessThan(now);
  expect(Date.parse(server.validTo)).toBeGreaterThan(now + 300 * 86_400_000);
  // Every set has its own CA: trusting one emulator run trusts nothing else.
  const other = new crypto.X509Certificate(generateTls().ca);
  expect(server.verify(other.publicKey)).toBe(false);
});

describe("itential-emulator --tls", () => {
  const emulator = useEmulatorProcess({ tls: true });

  test("serves https, says how to trust it, and writes only the CA's certificate", async () => {
    const tls = emulator().tls;
    expect(emulator().url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const banner = await emulator().output(/curl --cacert/);
    expect(banner).toContain(`export ITENTIAL_CA_FILE=${tls?.caFile}`);
    expect(banner).toContain(`pulumi config set itential:caCert ${tls?.caFile}`);
    expect(fs.readdirSync(tls?.dir as string)).toEqual(["ca.pem"]); // no private key leaves the process
    expect(new crypto.X509Certificate(tls?.ca as string).ca).toBe(true);
  });

  test("a client that does not trust the CA is refused; one that does gets IAP's answers, by IP or by name", async () => {
    const { url, tls } = emulator();
    // The emulator sends its certificate alone (as servers do with a root CA): unknown issuer.
    expect(await get(`${url}/whoami`)).toEqual({ error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
    expect(await get(`${url}/whoami`, { ca: tls?.ca })).toEqual({ status: 401 });
    expect(await get(`${url.replace("127.0.0.1", "localhost")}/whoami`, { ca: tls?.ca })).toEqual({ status: 401 });
    expect(await get(`${url}/whoami`, { ca: generateTls().ca })).toEqual({ error: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });
});

describe("itential-emulator --tls --mtls", () => {
  const emulator = useEmulatorProcess({ tls: "mtls" });

  test("connections need a client certificate from the run's CA, which it writes for you (key owner-only)", async () => {
    const { url, tls } = emulator();
    const cert = fs.readFileSync(tls?.clientCertFile as string);
    const key = fs.readFileSync(tls?.clientKeyFile as string);
    expect(await get(`${url}/whoami`, { ca: tls?.ca })).toEqual({ error: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
    const stranger = generateTls();
    expect(
      await get(`${url}/whoami`, { ca: tls?.ca, cert: stranger.clientCert, key: stranger.clientKey }),
    ).toMatchObject({ error: expect.stringMatching(/ALERT|ECONNRESET/) });
    expect(await get(`${url}/whoami`, { ca: tls?.ca, cert, key })).toEqual({ status: 401 });
    expect(fs.statSync(tls?.clientKeyFile as string).mode & 0o777).toBe(0o600);
    expect(await emulator().output(/ITENTIAL_CLIENT_CERT_FILE/)).toContain(
      `export ITENTIAL_CLIENT_CERT_FILE=${tls?.clientCertFile} ITENTIAL_CLIENT_KEY_FILE=${tls?.clientKeyFile}`,
    );
  });
});

test("--tls-cert/--tls-key serve your certificate; --tls-client-ca requires client certificates from your CA", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "itential-client-ca-"));
  const clients = generateTls();
  fs.writeFileSync(path.join(dir, "client-ca.pem"), clients.ca);
  const running = await EmulatorProcess.start({
    control: false,
    extraArgs: [
      "--tls-cert",
      path.join(FIXTURES, "server.pem"),
      "--tls-key",
      path.join(FIXTURES, "server-key.pem"),
      "--tls-client-ca",
      path.join(dir, "client-ca.pem"),
    ],
  });
  try {
    const ca = fs.readFileSync(path.join(FIXTURES, "ca.pem"));
    expect(running.url).toMatch(/^https:/);
    expect(await get(`${running.url}/whoami`, { ca, cert: clients.clientCert, key: clients.clientKey })).toEqual({
      status: 401,
    });
    expect(await get(`${running.url}/whoami`, { ca })).toEqual({ error: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
    const banner = await running.output(/--tls-client-ca/);
    expect(banner).toContain("TLS: serving the certificate given with --tls-cert.");
    expect(banner).toContain("signed by the CA given with --tls-client-ca");
    expect(banner).not.toContain("ca.pem"); // nothing generated to trust, nothing written
  } finally {
    await running.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  [["--tls-cert", path.join(FIXTURES, "server.pem")], "--tls-cert and --tls-key go together"],
  [["--tls", "--tls-cert", "/no/such.pem", "--tls-key", "/no/such-key.pem"], "--tls-cert /no/such.pem cannot be read"],
  [["--mtls", "--tls-client-ca", path.join(FIXTURES, "ca.pem")], "exclude each other"],
])("%j fails at start, saying why", async (args, message) => {
  await expect(EmulatorProcess.start({ extraArgs: args })).rejects.toThrow(message);
});
