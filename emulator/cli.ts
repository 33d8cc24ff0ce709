#!/usr/bin/env node
// `itential-emulator`: runs the emulator until SIGINT or SIGTERM.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { EmulatorSeed } from "./seed";
import { type EmulatorTlsOptions, type RunningEmulator, startEmulator } from "./server";

const USAGE = `Usage: itential-emulator [--port 3000] [--host 127.0.0.1] [--seed seed.json] [--state-file state.json]
                         [--control] [--errors-as-500] [--quiet]
                         [--tls [--tls-cert cert.pem --tls-key key.pem] [--mtls | --tls-client-ca ca.pem] [--tls-dir dir]]

  --port           port to listen on (0 picks a free one; default 3000)
  --host           interface to listen on (default 127.0.0.1)
  --seed           JSON seed (users, groups, oauthClients, workflows, jobs) instead of the demo seed
                   (not with a --state-file that exists: the state comes from that file)
  --state-file     keep state in this file across restarts (loaded when it exists)
  --control        serve the /_emulator control API (reset, request log, faults, act-as)
  --errors-as-500  answer every business error with 500, the only error status IAP documents
  --quiet          do not log requests
  --tls            serve HTTPS with a certificate generated at start: a CA made for this run signs a
                   certificate for localhost, 127.0.0.1 and ::1; its PEM is written to <tls-dir>/ca.pem
                   for clients to trust (ITENTIAL_CA_FILE, itential:caCert)
  --tls-cert, --tls-key
                   serve HTTPS with this certificate and key (PEM files) instead of a generated one
  --mtls           require a client certificate (mutual TLS) from the generated CA, which issues one:
                   <tls-dir>/client.pem and <tls-dir>/client-key.pem
  --tls-client-ca  require a client certificate signed by the CA in this PEM file (mutual TLS)
  --tls-dir        where to write ca.pem, client.pem and client-key.pem (default: a new temporary
                   directory, printed at start)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3000" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string" },
      "state-file": { type: "string" },
      control: { type: "boolean", default: false },
      "errors-as-500": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      tls: { type: "boolean", default: false },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      mtls: { type: "boolean", default: false },
      "tls-client-ca": { type: "string" },
      "tls-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const stateFile = values["state-file"];
  if (values.seed && stateFile && fs.existsSync(stateFile)) {
    throw new Error(
      `--seed ${values.seed} cannot be used with --state-file ${stateFile}, which exists: the state would come from the file and the seed would be ignored. Delete the state file to start from the seed, or leave out --seed to resume.`,
    );
  }
  const seed = values.seed ? readSeed(values.seed) : undefined;
  const tls = tlsOptions(values);

  const emulator = await startEmulator({
    port,
    host: values.host,
    seed,
    stateFile,
    control: values.control,
    settings: { businessErrorsAs500: values["errors-as-500"] },
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
    ...(tls ? { tls } : {}),
  });

  // Files first (what clients need to trust it), so they exist once the URL is out.
  const tlsLines = emulator.tls ? tlsBanner(emulator, values["tls-dir"]) : "";
  // The first line is the URL alone, so scripts and tests can read it.
  process.stdout.write(`${emulator.url}\n`);
  process.stdout.write(`IAP Operations Manager emulator listening on ${emulator.url}\n`);
  process.stdout.write(credentials(emulator));
  if (values.control) process.stdout.write(`Control API: ${emulator.url}/_emulator\n`);
  process.stdout.write(tlsLines);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

interface TlsFlags {
  tls?: boolean;
  "tls-cert"?: string;
  "tls-key"?: string;
  mtls?: boolean;
  "tls-client-ca"?: string;
}

/** The TLS options the flags ask for (any TLS flag implies --tls), or undefined for plain HTTP. */
function tlsOptions(values: TlsFlags): EmulatorTlsOptions | undefined {
  const cert = values["tls-cert"];
  const key = values["tls-key"];
  const clientCa = values["tls-client-ca"];
  if (!values.tls && !cert && !key && !values.mtls && !clientCa) return undefined;
  if ((cert === undefined) !== (key === undefined)) throw new Error("--tls-cert and --tls-key go together");
  if (values.mtls && clientCa) {
    throw new Error(
      "--mtls (client certificates from the generated CA) and --tls-client-ca (from yours) exclude each other",
    );
  }
  return {
    ...(cert && key ? { cert: readFile(cert, "--tls-cert"), key: readFile(key, "--tls-key") } : {}),
    ...(clientCa ? { clientCa: readFile(clientCa, "--tls-client-ca") } : {}),
    requireClientCert: values.mtls === true || clientCa !== undefined,
  };
}

function readFile(file: string, option: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`${option} ${file} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Writes what clients need (the CA to trust; the client certificate for --mtls) and says how to
 * use it. Only public material and the client's own key are written: the server's key stays in
 * memory, and the CA's key was dropped once it had signed.
 */
function tlsBanner(emulator: RunningEmulator, dir: string | undefined): string {
  const tls = emulator.tls;
  if (!tls) return "";
  const lines: string[] = [];
  const out = () => {
    const target = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "itential-emulator-tls-"));
    fs.mkdirSync(target, { recursive: true });
    return target;
  };
  const target = tls.ca !== undefined || tls.clientCert !== undefined ? out() : undefined;
  if (tls.ca !== undefined && target) {
    const caFile = path.join(target, "ca.pem");
    fs.writeFileSync(caFile, tls.ca);
    lines.push(
      "TLS: a certificate for localhost, 127.0.0.1 and ::1, signed by a CA made for this run. Trust that CA:",
      `  export ITENTIAL_CA_FILE=${caFile}`,
      `  or: pulumi config set itential:caCert ${caFile}`,
      `  or: curl --cacert ${caFile} …`,
    );
  } else {
    lines.push("TLS: serving the certificate given with --tls-cert.");
  }
  if (tls.clientCert !== undefined && tls.clientKey !== undefined && target) {
    const certFile = path.join(target, "client.pem");
    const keyFile = path.join(target, "client-key.pem");
    fs.writeFileSync(certFile, tls.clientCert);
    fs.writeFileSync(keyFile, tls.clientKey, { mode: 0o600 });
    lines.push(
      "Mutual TLS: connections need a client certificate. One from this run's CA:",
      `  export ITENTIAL_CLIENT_CERT_FILE=${certFile} ITENTIAL_CLIENT_KEY_FILE=${keyFile}`,
      `  or: pulumi config set itential:clientCert ${certFile} && pulumi config set itential:clientKey ${keyFile}`,
    );
  } else if (tls.requireClientCert) {
    lines.push("Mutual TLS: connections need a client certificate signed by the CA given with --tls-client-ca.");
  }
  return `${lines.join("\n")}\n`;
}

function readSeed(file: string): EmulatorSeed {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`--seed ${file} cannot be read: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as EmulatorSeed;
  } catch (error) {
    throw new Error(`--seed ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const MAX_USERS_SHOWN = 20;
const ROLE_LABEL = { admin: "admin", operator: "operator", viewer: "read-only" } as const;

/** The users and OAuth clients the running state has (demo seed, --seed or state file alike). */
function credentials(emulator: RunningEmulator): string {
  const users = [...emulator.state.users.values()].filter((user) => !user.inactive);
  const lines = ["Credentials (username / password):"];
  for (const user of users.slice(0, MAX_USERS_SHOWN)) {
    const role = user.roles.includes("admin") ? "admin" : user.roles.includes("operator") ? "operator" : "viewer";
    lines.push(`  ${ROLE_LABEL[role].padEnd(10)} ${user.username} / ${user.password}`);
  }
  if (users.length > MAX_USERS_SHOWN) lines.push(`  … and ${users.length - MAX_USERS_SHOWN} more`);
  if (users.length === 0) lines.push("  (no active users)");
  for (const client of emulator.state.oauthClients.values()) {
    const acts = emulator.state.users.get(client.userId)?.username ?? client.userId;
    lines.push(`  OAuth      client_id=${client.clientId} client_secret=${client.clientSecret} (acts as ${acts})`);
  }
  return `${lines.join("\n")}\n`;
}

main().catch((error) => {
  process.stderr.write(`itential-emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
});
