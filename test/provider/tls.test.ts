// The provider against an emulator serving HTTPS with a certificate it generated (issue 9, item 5):
// refused by default, trusted with itential:caCert or ITENTIAL_CA_FILE, accepted with
// itential:insecure only with a warning, and mutual TLS with itential:clientCert/clientKey.
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { configure, taskClaim } from "../../provider/dynamic/host";
import { clientOptionsFromEnv, OperationsManagerClient } from "../../sdk";
import { type EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";

/** adopt and onDrift at their defaults, as check fills them in. */
const OWNERSHIP = { adopt: false, onDrift: "reclaim" } as const;
const login = { "itential:username": C.pipeline.username, "itential:password": C.pipeline.password };
const configureWith = (values: Record<string, string>) => configure({ get: (key) => values[key] });

/** The demo's approval task, asked over the control API (which trusts the emulator's CA). */
async function approvalTaskId(emulator: EmulatorProcess): Promise<string> {
  const state = await emulator.control<{ tasks: { _id: string; name: string }[] }>("GET", "/state");
  return state.tasks.find((t) => t.name === "Approve change")?._id as string;
}

/** Runs `work` with stderr captured (the provider process's stderr is what the engine shows). */
async function capturingStderr<T>(work: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    return { result: await work(), stderr: lines.join("") };
  } finally {
    write.mockRestore();
  }
}

/** Claims the approval task through the provider, then releases it; the owner it reported. */
async function claimAndRelease(emulator: EmulatorProcess): Promise<string | undefined> {
  const taskId = await approvalTaskId(emulator);
  const created = await taskClaim.create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP });
  await taskClaim.delete(taskId, created.outs);
  return created.outs.owner;
}

describe("an emulator serving HTTPS with a generated certificate", () => {
  const emulator = useEmulatorProcess({ tls: true });
  const saved = process.env.ITENTIAL_CA_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.ITENTIAL_CA_FILE;
    else process.env.ITENTIAL_CA_FILE = saved;
  });

  test("is refused by default, at once, with the setting that fixes it; nothing reaches it", async () => {
    configureWith({ "itential:baseUrl": emulator().url, ...login });
    const taskId = await approvalTaskId(emulator());
    const started = Date.now();
    const error = await taskClaim
      .create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP })
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^TaskClaim create \(task [0-9a-f-]+\): POST \/login failed: .*\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. The platform's certificate is not trusted: set itential:caCert \(or ITENTIAL_CA_FILE\)/,
    );
    expect(Date.now() - started).toBeLessThan(2000); // a certificate is not retried
    expect(await emulator().requests()).toEqual([]);
  });

  test("is trusted with itential:caCert as a file or as PEM text, and with ITENTIAL_CA_FILE", async () => {
    const tls = emulator().tls;
    if (!tls) throw new Error("no TLS files");
    configureWith({ "itential:baseUrl": emulator().url, ...login, "itential:caCert": tls.caFile });
    expect(await claimAndRelease(emulator())).toBe("svc-pipeline");
    configureWith({ "itential:baseUrl": emulator().url, ...login, "itential:caCert": tls.ca });
    expect(await claimAndRelease(emulator())).toBe("svc-pipeline");
    process.env.ITENTIAL_CA_FILE = tls.caFile;
    configureWith({ "itential:baseUrl": emulator().url, ...login });
    expect(await claimAndRelease(emulator())).toBe("svc-pipeline");
    // The SDK on its own reads the same variable.
    const client = new OperationsManagerClient(
      clientOptionsFromEnv({ ITENTIAL_BASE_URL: emulator().url, ITENTIAL_TOKEN: "t", ITENTIAL_CA_FILE: tls.caFile }),
    );
    await expect(client.whoami()).rejects.toMatchObject({ name: "AuthenticationError", status: 401 });
  });

  test("is accepted with itential:insecure, and configure warns on stderr, once", async () => {
    const { result, stderr } = await capturingStderr(async () => {
      configureWith({ "itential:baseUrl": emulator().url, ...login, "itential:insecure": "true" });
      return claimAndRelease(emulator());
    });
    expect(result).toBe("svc-pipeline");
    expect(stderr).toBe(
      "warning: itential:insecure is true: the platform's TLS certificate is not verified, so anyone on the network path can read the credentials. Use itential:caCert instead.\n",
    );
    const { stderr: quiet } = await capturingStderr(async () => {
      configureWith({ "itential:baseUrl": emulator().url, ...login, "itential:caCert": emulator().tls?.ca as string });
      return claimAndRelease(emulator());
    });
    expect(quiet).toBe("");
  });
});

describe("an emulator requiring a client certificate (mutual TLS)", () => {
  const emulator = useEmulatorProcess({ tls: "mtls" });

  test("refuses a client without one, naming the settings; accepts itential:clientCert and clientKey", async () => {
    const tls = emulator().tls;
    if (!tls) throw new Error("no TLS files");
    const trusted = { "itential:baseUrl": emulator().url, ...login, "itential:caCert": tls.caFile };
    configureWith(trusted);
    const taskId = await approvalTaskId(emulator());
    const error = await taskClaim
      .create({ taskId, takeOver: false, releaseOnDestroy: true, ...OWNERSHIP })
      .catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED.*set itential:clientCert and itential:clientKey$/,
    );
    configureWith({
      ...trusted,
      "itential:clientCert": tls.clientCertFile,
      "itential:clientKey": tls.clientKeyFile,
    });
    expect(await claimAndRelease(emulator())).toBe("svc-pipeline");
    // And the SDK from the environment alone.
    const client = new OperationsManagerClient(
      clientOptionsFromEnv({
        ITENTIAL_BASE_URL: emulator().url,
        ITENTIAL_USERNAME: C.pipeline.username,
        ITENTIAL_PASSWORD: C.pipeline.password,
        ITENTIAL_CA_FILE: tls.caFile,
        ITENTIAL_CLIENT_CERT_FILE: tls.clientCertFile,
        ITENTIAL_CLIENT_KEY_FILE: tls.clientKeyFile,
      }),
    );
    expect((await client.whoami()).username).toBe("svc-pipeline");
  });
});
