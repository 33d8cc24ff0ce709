#!/usr/bin/env node
// `itential-emulator`: runs the emulator until SIGINT or SIGTERM.
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_CREDENTIALS, type EmulatorSeed } from "./seed";
import { startEmulator } from "./server";

const USAGE = `Usage: itential-emulator [--port 3000] [--host 127.0.0.1] [--seed seed.json] [--state-file state.json]
                         [--control] [--errors-as-500] [--quiet]

  --port           port to listen on (0 picks a free one; default 3000)
  --host           interface to listen on (default 127.0.0.1)
  --seed           JSON seed (users, groups, oauthClients, workflows, jobs) instead of the demo seed
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
  const seed = values.seed ? (JSON.parse(fs.readFileSync(values.seed, "utf8")) as EmulatorSeed) : undefined;

  const emulator = await startEmulator({
    port,
    host: values.host,
    seed,
    stateFile: values["state-file"],
    control: values.control,
    settings: { businessErrorsAs500: values["errors-as-500"] },
    log: values.quiet ? undefined : (line) => process.stderr.write(`${line}\n`),
  });

  // The first line is the URL alone, so scripts and tests can read it.
  process.stdout.write(`${emulator.url}\n`);
  process.stdout.write(`IAP Operations Manager emulator listening on ${emulator.url}\n`);
  if (!seed) {
    const c = DEFAULT_CREDENTIALS;
    process.stdout.write(
      [
        "Demo credentials:",
        `  admin           ${c.admin.username} / ${c.admin.password}`,
        `  pipeline        ${c.pipeline.username} / ${c.pipeline.password}`,
        `  pipeline OAuth  client_id=${c.pipelineClient.clientId} client_secret=${c.pipelineClient.clientSecret}`,
        ...c.approvers.map((a) => `  approver        ${a.username} / ${a.password}`),
        `  read-only       ${c.auditor.username} / ${c.auditor.password}`,
        "",
      ].join("\n"),
    );
  }
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

main().catch((error) => {
  process.stderr.write(`itential-emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
});
