// The emulator's HTTP server: one pipeline for every request (faults, body, auth, route, envelope,
// log), so IAP routes stay plain functions of state.
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { Authenticator } from "./auth";
import { EmulatorError } from "./errors";
import { type Fault, FaultPlan } from "./faults";
import type { UserRecord } from "./model";
import { envelope, type Reply, type RequestContext, Router } from "./router";
import { registerAccountRoutes } from "./routes/accounts";
import { registerAuthRoutes } from "./routes/auth";
import { type RequestLogEntry, registerControlRoutes } from "./routes/control";
import { registerOperationsRoutes } from "./routes/operations-manager";
import { registerWorkCenterRoutes } from "./routes/work-center";
import { buildSnapshot, defaultSeed, type EmulatorSeed } from "./seed";
import { DEFAULT_SETTINGS, type EmulatorSettings } from "./settings";
import { EmulatorState, StateFileError } from "./state";
import { generateTls } from "./tls";

/** Serving HTTPS: a generated certificate, or your own, and optionally mutual TLS. */
export interface EmulatorTlsOptions {
  /** Your certificate (PEM, chain allowed) and key; by default one is generated at start. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Ask every client for a certificate and refuse connections without a valid one (mutual TLS).
   * Checked against `clientCa`, or else against the CA generated for this run, which issues
   * `RunningEmulator.tls.clientCert`.
   */
  requireClientCert?: boolean;
  clientCa?: string | Buffer;
}

/** What a client needs to reach an emulator serving HTTPS. */
export interface EmulatorTls {
  /** The CA (PEM) that signed the generated server certificate; undefined with your own `cert`. */
  readonly ca: string | undefined;
  readonly requireClientCert: boolean;
  /**
   * A client certificate and key (PEM) the generated CA issued: set when the emulator requires
   * client certificates and checks them against that CA (`requireClientCert` without `clientCa`).
   */
  readonly clientCert: string | undefined;
  readonly clientKey: string | undefined;
}

export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /**
   * What a new state starts with (default: the demo seed), and what `reset()` goes back to. When
   * `stateFile` already exists the state comes from the file (the command refuses `--seed` then).
   */
  seed?: EmulatorSeed;
  /**
   * Keep state in this JSON file: loaded at start when present (a file that is not a complete state
   * file is refused with an Error naming it), rewritten atomically after each change, which is
   * answered only once it is stored: a failed write answers 500 and undoes the change.
   */
  stateFile?: string;
  /** Serve the /_emulator control API (off by default: it lets anyone act as anyone). */
  control?: boolean;
  settings?: Partial<EmulatorSettings>;
  /** Request bodies above this many bytes are refused with 413 (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Receives one line per request (method, path, status, time). */
  log?: (line: string) => void;
  /**
   * Serve HTTPS instead of HTTP. `true` generates a certificate for localhost, 127.0.0.1 and ::1,
   * signed by a CA made for this run (`RunningEmulator.tls.ca`, what clients must trust).
   */
  tls?: boolean | EmulatorTlsOptions;
}

export interface RunningEmulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (https:// with `tls`; no trailing slash). */
  readonly url: string;
  /** With `tls`: the CA to trust, and a client certificate for mutual TLS. */
  readonly tls: EmulatorTls | undefined;
  readonly port: number;
  stop(): Promise<void>;
  /** Requests to IAP routes so far (the control API's own calls are not logged). */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  readonly faults: FaultPlan;
  settings(): EmulatorSettings;
  updateSettings(patch: Partial<EmulatorSettings>): void;
  /**
   * Back to the start: state from `seed` (or the initial seed), tokens, faults, log and settings
   * cleared. With a state file, the new state is stored first: when it cannot be, this throws and
   * nothing changes.
   */
  reset(seed?: EmulatorSeed): void;
  readonly state: EmulatorState;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const REQUEST_LOG_LIMIT = 10_000;
const CONTROL_PREFIX = "/_emulator";
/** Control routes that run IAP routes (and so change state) as another user. */
const ACT_AS_PREFIX = `${CONTROL_PREFIX}/as/`;

class EmulatorServer {
  readonly state: EmulatorState;
  readonly faults = new FaultPlan();
  private readonly auth: Authenticator;
  private readonly iapRouter = new Router();
  /** Empty unless control is enabled, so /_emulator is then an unknown route like any other. */
  private readonly controlRouter = new Router();
  private readonly initialSettings: EmulatorSettings;
  private currentSettings: EmulatorSettings;
  private log: RequestLogEntry[] = [];

  constructor(private readonly options: EmulatorOptions) {
    this.state = new EmulatorState(options.stateFile);
    const loaded = this.state.load();
    if (loaded) this.state.replace(loaded);
    else {
      this.state.replace(buildSnapshot(options.seed ?? defaultSeed()));
      this.state.persist();
    }
    this.initialSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.currentSettings = { ...this.initialSettings };
    this.auth = new Authenticator(this.state, () => this.currentSettings);

    registerAuthRoutes(this.iapRouter, this.state, this.auth);
    registerAccountRoutes(this.iapRouter, this.state);
    registerOperationsRoutes(this.iapRouter, {
      state: this.state,
      settings: () => this.currentSettings,
      now: () => new Date(),
    });
    registerWorkCenterRoutes(this.iapRouter, { state: this.state, now: () => new Date() });
    if (options.control) {
      registerControlRoutes(this.controlRouter, {
        state: this.state,
        faults: this.faults,
        requests: () => this.requests(),
        clearRequests: () => this.clearRequests(),
        settings: () => this.settings(),
        setSettings: (next) => {
          this.currentSettings = next;
        },
        reset: (seed) => this.reset(seed),
        expireTokens: () => this.auth.expireAll(),
        dispatchAs: (user, ctx, path) => this.dispatchAs(user, ctx, path),
      });
    }
  }

  settings(): EmulatorSettings {
    return { ...this.currentSettings };
  }

  updateSettings(patch: Partial<EmulatorSettings>): void {
    this.currentSettings = { ...this.currentSettings, ...patch };
  }

  requests(): RequestLogEntry[] {
    return this.log.slice(-REQUEST_LOG_LIMIT).map((entry) => ({ ...entry }));
  }

  clearRequests(): void {
    this.log = [];
  }

  reset(seed?: EmulatorSeed): void {
    const snapshot = buildSnapshot(seed ?? this.options.seed ?? defaultSeed());
    // Stored before anything changes: a reset that cannot be kept does not happen.
    this.state.persist(snapshot);
    this.state.replace(snapshot);
    this.auth.expireAll();
    this.faults.clear();
    this.log = [];
    this.currentSettings = { ...this.initialSettings };
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? "GET").toUpperCase();
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
    const isControl = path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
    let username: string | undefined;
    let appliedFault: Fault | undefined;

    const finish = (status: number) => {
      if (isControl) return;
      const entry: RequestLogEntry = {
        method,
        path,
        query: redactQuery(query),
        status,
        time: new Date().toISOString(),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...(username ? { username } : {}),
        ...(appliedFault ? { fault: appliedFault.kind } : {}),
      };
      this.log.push(entry);
      // Trimmed to the limit once it holds twice as many, not by one entry per request: dropping
      // the oldest entry of a full log moved 10,000 others on every request under load.
      if (this.log.length >= 2 * REQUEST_LOG_LIMIT) this.log = this.log.slice(-REQUEST_LOG_LIMIT);
      this.options.log?.(`${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms`);
    };

    if (!isControl) {
      appliedFault = this.faults.take(method, path, "before");
      if (appliedFault && (await this.applyFault(appliedFault, req, res, finish))) return;
    }

    // A change is answered only once the state file holds it; until then the old state is kept
    // aside to go back to. The control API's own routes change no IAP state (reset stores itself).
    const changesState =
      this.options.stateFile !== undefined && MUTATING.has(method) && (!isControl || path.startsWith(ACT_AS_PREFIX));
    const before = changesState ? this.state.snapshot() : undefined;
    let reply: Reply;
    try {
      const body = await readBody(req, this.options.bodyLimitBytes ?? 1024 * 1024);
      const ctx: RequestContext = {
        req,
        method,
        path,
        params: {},
        query,
        body,
        user: () => {
          const user = this.auth.authenticate(req, query);
          username = user.username;
          return user;
        },
      };
      reply = this.dispatch(isControl ? this.controlRouter : this.iapRouter, ctx, path);
      if (before && (reply.status ?? 200) < 400) this.persist(before);
    } catch (error) {
      reply = this.errorReply(error);
    }

    if (!isControl) {
      const after = this.faults.take(method, path, "after");
      if (after) {
        appliedFault = after;
        if (await this.applyFault(after, req, res, finish)) return;
      }
    }
    send(res, reply);
    finish(reply.status ?? 200);
  }

  private dispatch(router: Router, ctx: RequestContext, path: string): Reply {
    const match = router.match(ctx.method, path);
    if (!match) throw new EmulatorError(404, `Route not found: ${ctx.method} ${path}`, "protocol");
    if ("methodNotAllowed" in match) {
      throw new EmulatorError(405, `Method ${ctx.method} is not allowed on ${path}`, "protocol");
    }
    return match.handler({ ...ctx, params: match.params });
  }

  private dispatchAs(user: UserRecord, ctx: RequestContext, path: string): Reply {
    return this.dispatch(this.iapRouter, { ...ctx, path, user: () => user }, path);
  }

  private errorReply(error: unknown): Reply {
    if (error instanceof EmulatorError) {
      const status = error.kind === "business" && this.currentSettings.businessErrorsAs500 ? 500 : error.status;
      return { status, headers: { ...error.headers }, json: envelope(error.message, null) };
    }
    process.stderr.write(
      `itential-emulator: internal error: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    return { status: 500, json: envelope("Internal emulator error", null) };
  }

  /** Stores the state after a change, or puts `before` back and fails the request with a 500. */
  private persist(before: ReturnType<EmulatorState["snapshot"]>): void {
    try {
      this.state.persist();
    } catch (error) {
      if (!(error instanceof StateFileError)) throw error;
      this.state.replace(before);
      process.stderr.write(`itential-emulator: ${error.message}\n`);
      throw new EmulatorError(500, `The change was not made: the emulator ${error.message}`, "internal");
    }
  }

  /** Carries out a fault; true when it answered (or cut) the request, false when the request goes on. */
  private async applyFault(
    fault: Fault,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    finish: (status: number) => void,
  ): Promise<boolean> {
    switch (fault.kind) {
      case "latency":
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
        return false;
      case "status": {
        const status = fault.status ?? 503;
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
        send(res, { status, headers, json: envelope(`Injected fault: HTTP ${status}`, null) });
        finish(status);
        return true;
      }
      case "reset":
        req.socket.destroy();
        finish(0);
        return true;
      case "malformed":
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end('{"message": "Successfully retrieved the requested item", "data": {"_id": ');
        finish(200);
        return true;
      case "truncated": {
        const body = JSON.stringify(
          envelope("Successfully retrieved the requested item", { padding: "x".repeat(256) }),
        );
        res.writeHead(200, {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        // Let the half that was written leave before the connection is cut.
        setTimeout(() => req.socket.destroy(), 20);
        finish(200);
        return true;
      }
    }
  }
}

function redactQuery(query: URLSearchParams): string {
  const copy = new URLSearchParams(query);
  if (copy.has("token")) copy.set("token", "[REDACTED]");
  return copy.toString();
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(reply.json);
  res.writeHead(reply.status ?? 200, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...reply.headers,
  });
  res.end(body);
}

/** Reads and parses a body (JSON or form), refusing more than `limit` bytes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (error) => {
      if (!failed) reject(error);
      failed = true;
    });
    req.on("end", () => {
      if (failed) return;
      const text = Buffer.concat(chunks).toString("utf8");
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (text.length === 0) return resolve(undefined);
      if (type === "application/x-www-form-urlencoded") return resolve(new URLSearchParams(text));
      if (type === "application/json" || type.endsWith("+json")) {
        try {
          return resolve(JSON.parse(text));
        } catch (error) {
          return reject(
            new EmulatorError(400, `Invalid JSON in request body: ${(error as Error).message}`, "protocol"),
          );
        }
      }
      // Like IAP's body parser, a body of any other type is not read.
      resolve(undefined);
    });
  });
}

function tooLarge(limit: number): EmulatorError {
  return new EmulatorError(413, `Request body larger than ${limit} bytes`, "protocol", { connection: "close" });
}

/** The HTTPS server options and what clients need, from `tls` (a certificate is made unless given). */
function tlsSetup(option: true | EmulatorTlsOptions): { server: https.ServerOptions; tls: EmulatorTls } {
  const given = option === true ? {} : option;
  if ((given.cert === undefined) !== (given.key === undefined)) {
    throw new Error("tls: cert and key go together (PEM text of the certificate and of its key)");
  }
  // Made even with your own certificate: it issues the client certificate for mutual TLS.
  const generated = generateTls();
  const own = given.cert !== undefined && given.key !== undefined;
  const requireClientCert = given.requireClientCert === true || given.clientCa !== undefined;
  return {
    server: {
      cert: own ? given.cert : generated.serverCert,
      key: own ? given.key : generated.serverKey,
      ...(requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: given.clientCa ?? generated.ca } : {}),
    },
    tls: {
      ca: own ? undefined : generated.ca,
      requireClientCert,
      clientCert: requireClientCert && given.clientCa === undefined ? generated.clientCert : undefined,
      clientKey: requireClientCert && given.clientCa === undefined ? generated.clientKey : undefined,
    },
  };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const setup = options.tls ? tlsSetup(options.tls) : undefined;
  const emulator = new EmulatorServer(options);
  const listener: http.RequestListener = (req, res) => {
    emulator.handle(req, res).catch((error) => {
      // The pipeline answers every error itself; this is the last line of defence for the process.
      process.stderr.write(`itential-emulator: ${String(error)}\n`);
      if (!res.headersSent) send(res, { status: 500, json: envelope("Internal emulator error", null) });
    });
  };
  const server = setup ? https.createServer(setup.server, listener) : http.createServer(listener);
  server.on("clientError", (_error, socket) => {
    // Bytes that are not HTTP (a body sent without framing, a broken header): the envelope like
    // every other error, then the connection closes, since where the next request starts is lost.
    const body = JSON.stringify(envelope("Bad request: the request is not valid HTTP", null));
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `${setup ? "https" : "http"}://${host}:${address.port}`,
    tls: setup?.tls,
    port: address.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    requests: () => emulator.requests(),
    clearRequests: () => emulator.clearRequests(),
    faults: emulator.faults,
    settings: () => emulator.settings(),
    updateSettings: (patch) => emulator.updateSettings(patch),
    reset: (seed) => emulator.reset(seed),
    state: emulator.state,
  };
}
