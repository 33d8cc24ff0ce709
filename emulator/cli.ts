#!/usr/bin/env node
// `itential-emulator`: runs the emulator until SIGINT or SIGTERM.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import type { EmulatorSeed } from "./seed";
import { type RunningEmulator, startEmulator } from "./server";

const USAGE = `Usage: itential-emulator [--port 3000] [--host 127.0.0.1] [--seed seed.json] [--state-file state.json]
                         [--control] [--errors-as-500] [--quiet]

  --port           port to listen on (0 picks a free one; default 3000)
  --host           interface to listen on (default 127.0.0.1)
  --seed           JSON seed (users, groups, oauthClients, workflows, jobs) instead of the demo seed
                   (not with a --state-file that exists: the state comes from that file)
  --state-file     keep state in this file across restarts (loaded when it exists)
  --control        serve the /_emulator control API (reset, request log, faults, act-as)
  --errors-as-500  answer every business error with 500, the only error status IAP documents
  --quiet          do not log requests`;

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

  const emulator = await startEmulator({
    port,
    host: values.host,
    seed,
    stateFile,
    control: values.control,
    settings: { businessErrorsAs500: values["errors-as-500"] },
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });

  // The first line is the URL alone, so scripts and tests can read it.
  process.stdout.write(`${emulator.url}\n`);
  process.stdout.write(`IAP Operations Manager emulator listening on ${emulator.url}\n`);
  process.stdout.write(credentials(emulator));
  if (values.control) process.stdout.write(`Control API: ${emulator.url}/_emulator\n`);

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
