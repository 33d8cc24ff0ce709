// Runs the emulator as a real separate process on a free port (the built `itential-emulator`
// command), and talks to its control API over HTTP, the way a user's test would.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import {
  DEFAULT_CREDENTIALS as C,
  type EmulatorSeed,
  type EmulatorSettings,
  type FaultSpec,
  type RequestLogEntry,
} from "../../emulator";

const CLI = path.resolve(__dirname, "..", "..", "dist", "emulator", "cli.js");

export interface EmulatorProcessOptions {
  stateFile?: string;
  seedFile?: string;
  control?: boolean;
  /** Serve HTTPS with a generated certificate (`--tls`); `"mtls"` also requires a client certificate. */
  tls?: boolean | "mtls";
  extraArgs?: string[];
}

/** Where an emulator started with `tls` wrote what clients need (`--tls-dir`). */
export interface TlsFiles {
  dir: string;
  caFile: string;
  ca: string;
  /** With `tls: "mtls"`. */
  clientCertFile: string;
  clientKeyFile: string;
}

export class EmulatorProcess {
  private constructor(
    readonly url: string,
    readonly child: ChildProcess,
    readonly stdout: string[],
    /** Everything the process wrote to stderr so far (with --quiet: only its own errors). */
    readonly stderr: string[],
    readonly tls: TlsFiles | undefined,
  ) {}

  static async start(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it first)`);
    const args = [CLI, "--port", "0", "--quiet"];
    if (options.control ?? true) args.push("--control");
    if (options.stateFile) args.push("--state-file", options.stateFile);
    if (options.seedFile) args.push("--seed", options.seedFile);
    let tls: TlsFiles | undefined;
    if (options.tls) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "itential-emulator-tls-test-"));
      args.push("--tls", "--tls-dir", dir, ...(options.tls === "mtls" ? ["--mtls"] : []));
      tls = {
        dir,
        caFile: path.join(dir, "ca.pem"),
        ca: "",
        clientCertFile: path.join(dir, "client.pem"),
        clientKeyFile: path.join(dir, "client-key.pem"),
      };
    }
    args.push(...(options.extraArgs ?? []));
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stderr?.on("data", (chunk) => {
      stderr.push(String(chunk));
    });
    const url = await new Promise<string>((resolve, reject) => {
      const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on("line", (line) => {
        stdout.push(line);
        if (stdout.length === 1) resolve(line.trim());
      });
      child.once("exit", (code) =>
        reject(new Error(`emulator exited with ${code} before listening:\n${stderr.join("")}`)),
      );
    });
    // The files are written before the banner is printed; the URL is its first line.
    if (tls) tls.ca = await waitForFile(tls.caFile);
    return new EmulatorProcess(url, child, stdout, stderr, tls);
  }

  /** What the command has printed so far, once a line matches `until` (or after 5 s). */
  async output(until: RegExp): Promise<string> {
    for (let waited = 0; waited < 5000 && !until.test(this.stdout.join("\n")); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.stdout.join("\n");
  }

  /** Sends SIGTERM and resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.child.kill("SIGTERM");
    const code = await exited;
    if (this.tls) fs.rmSync(this.tls.dir, { recursive: true, force: true });
    return code;
  }

  async control<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    const { status, text } = await controlRequest(`${this.url}/_emulator${route}`, method, headers, payload, this.tls);
    const json = JSON.parse(text) as { message: string; data: T };
    if (status >= 400) throw new Error(`control ${method} ${route}: ${status} ${json.message}`);
    return json.data;
  }

  reset(seed?: EmulatorSeed): Promise<{ jobs: string[]; tasks: number }> {
    return this.control("POST", "/reset", seed ? { seed } : {});
  }

  requests(): Promise<RequestLogEntry[]> {
    return this.control("GET", "/requests");
  }

  addFault(spec: FaultSpec): Promise<{ id: string }> {
    return this.control("POST", "/faults", spec);
  }

  settings(patch: Partial<EmulatorSettings>): Promise<EmulatorSettings> {
    return this.control("PATCH", "/settings", patch);
  }

  /** Calls an IAP route as `username`, out of band (no auth, faults or request log). */
  actAs<T = unknown>(username: string, method: string, route: string, body?: unknown): Promise<T> {
    return this.control(method, `/as/${encodeURIComponent(username)}${route}`, body);
  }
}

async function waitForFile(file: string): Promise<string> {
  for (let waited = 0; waited < 5000; waited += 20) {
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${file} was not written`);
}

/**
 * One control call on a connection of its own. Over HTTPS it trusts the emulator's CA (and presents
 * its client certificate, when it made one). Not fetch: a kept-alive connection that sat idle while
 * a long property test held the event loop can be closed by the emulator just as it is reused
 * ("other side closed"), failing a test that did nothing wrong.
 */
function controlRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  tls: TlsFiles | undefined,
): Promise<{ status: number; text: string }> {
  const client =
    tls && fs.existsSync(tls.clientCertFile)
      ? { cert: fs.readFileSync(tls.clientCertFile), key: fs.readFileSync(tls.clientKeyFile) }
      : {};
  const request = tls ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, ...(tls ? { ca: tls.ca, ...client } : {}) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The demo seed's users as `[username, password]`, for Basic authentication in tests. */
export const AS = {
  admin: [C.admin.username, C.admin.password],
  pipeline: [C.pipeline.username, C.pipeline.password],
  alice: [C.approvers[0].username, C.approvers[0].password],
  bob: [C.approvers[1].username, C.approvers[1].password],
  auditor: [C.auditor.username, C.auditor.password],
} as const satisfies Record<string, readonly [string, string]>;

/**
 * One emulator process for a test file, started before its tests and stopped after them; with
 * `resetEachTest` (the default) every test starts from the demo seed. Returns a getter.
 */
export function useEmulatorProcess(
  options: EmulatorProcessOptions & { resetEachTest?: boolean } = {},
): () => EmulatorProcess {
  let running: EmulatorProcess | undefined;
  beforeAll(async () => {
    running = await EmulatorProcess.start(options);
  });
  afterAll(async () => {
    await running?.stop();
  });
  if (options.resetEachTest ?? true) {
    beforeEach(async () => {
      await running?.reset();
    });
  }
  return () => {
    if (!running) throw new Error("the emulator is not running (used outside a test?)");
    return running;
  };
}

/** A minimal IAP caller for emulator tests, deliberately not the SDK: the emulator is tested on its own. */
export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON documents
  json: any;
}

export async function call(
  url: string,
  method: string,
  route: string,
  options: {
    auth?: readonly [string, string];
    headers?: Record<string, string>;
    body?: unknown;
    rawBody?: string;
  } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = `Basic ${Buffer.from(options.auth.join(":")).toString("base64")}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${url}${route}`, { method, headers, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
