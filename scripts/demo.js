#!/usr/bin/env node
// `npm run demo`: the whole story against the embedded emulator, with the real Pulumi CLI running
// the root Pulumi.yaml (the approval-gate example) through its language host. Each step says what
// it does, summarises what the CLI reported, and checks the outcome against the emulator; the demo
// exits non-zero when a step does not do what it says. Temp directories are removed and the
// emulator stopped on every exit, Ctrl-C included.
//
// Plain CommonJS over the built package (npm runs `build` first), so it needs no TypeScript runner.

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const REPO = path.resolve(__dirname, "..");
const { startEmulator, DEFAULT_CREDENTIALS: C, DEFAULT_WORKFLOW } = require(path.join(REPO, "dist", "emulator"));
const { OperationsManagerClient } = require(path.join(REPO, "dist", "sdk"));
const { ensurePulumi } = require("./pulumi-toolchain");

const TASK_TYPE = "pulumi-nodejs:dynamic/itential:TaskClaim";
const started = Date.now();
const cleanups = [];
let running; // the pulumi child in flight, ended on Ctrl-C

class StepFailed extends Error {}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (line = "") => process.stdout.write(`${line}\n`);
function check(condition, message) {
  if (!condition) throw new StepFailed(message);
}

/** Runs `pulumi args…` in the repository with the demo's environment; resolves with its output. */
function pulumi(env, args, { json = false, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(env.binDir, "pulumi"), [...args, "--non-interactive"], {
      cwd: env.cwd,
      env: { ...process.env, ...env.vars },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running = child;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      running = undefined;
      if (code !== 0 && !allowFailure) {
        // Never echo a secret: `config set --secret` carries one among its arguments.
        const shown = args.includes("--secret") ? [...args.slice(0, 3), "[secret]"] : args;
        reject(new StepFailed(`pulumi ${shown.join(" ")} exited ${code}:\n${stdout}${stderr}`));
        return;
      }
      if (!json) return resolve({ code, stdout, stderr });
      try {
        // preview --json prints one document; up, refresh and destroy print one event per line.
        const parsed = args[0] === "preview" || args[0] === "stack" ? JSON.parse(stdout) : fromEvents(stdout);
        resolve({ code, json: parsed, stderr });
      } catch {
        reject(new StepFailed(`pulumi ${args.join(" ")} did not print JSON:\n${stdout}${stderr}`));
      }
    });
  });
}

/** The engine's event stream (`up --json`) as `{ changeSummary }`, like preview's document. */
function fromEvents(stdout) {
  const events = stdout
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => JSON.parse(line));
  const summary = events.find((e) => e.summaryEvent)?.summaryEvent;
  if (!summary) throw new Error("no summary event");
  return { changeSummary: summary.resourceChanges ?? {}, result: summary.result };
}

async function stackOutputs(env) {
  return (await pulumi(env, ["stack", "output", "--json", "--stack", "demo"], { json: true })).json;
}

/** The TaskClaim's outputs in the stack's state, or undefined when state holds none. */
async function claimState(env) {
  const exported = await pulumi(env, ["stack", "export", "--stack", "demo"], { json: true });
  const resource = (exported.json.deployment.resources ?? []).find((r) => r.type === TASK_TYPE);
  return resource?.outputs;
}

function summariseSteps(json) {
  const counts = Object.entries(json.changeSummary ?? {})
    .map(([op, n]) => `${n} ${op}`)
    .join(", ");
  return counts || "no changes";
}

async function main() {
  say("pulumi-itential demo: a pipeline holds the approval task of an IAP job, against a local emulator.\n");

  let t = Date.now();
  const binDir = ensurePulumi();
  say(`  Pulumi CLI: ${path.join(binDir, "pulumi")} (${seconds(Date.now() - t)})`);

  const emulator = await startEmulator({ port: 0, control: true });
  cleanups.push(() => emulator.stop());
  const asPipeline = new OperationsManagerClient({
    baseUrl: emulator.url,
    auth: { type: "basic", username: C.pipeline.username, password: C.pipeline.password },
  });
  const job = await asPipeline.startJob(DEFAULT_WORKFLOW, { description: "Upgrade IOS on edge routers (demo)" });
  const approval = (await asPipeline.listTasks({ filters: { equals: { "job._id": job.id, name: "Approve change" } } }))
    .items[0];
  check(approval?.status === "running", "the new job's approval task is not waiting");
  say(`  IAP emulator: ${emulator.url}; job ${job.id} started, its task "Approve change" waits for a person.`);

  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-demo-"));
  cleanups.push(() => fs.rmSync(root, { recursive: true, force: true }));
  // The root Pulumi.yaml, run from a temp directory: the CLI writes the stack's settings (and its
  // secrets salt) beside Pulumi.yaml, and the demo must leave the checkout as it found it.
  const project = path.join(root, "project");
  fs.mkdirSync(project);
  const main = path.relative(project, path.join(REPO, "examples", "approval-gate"));
  const rootProject = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8");
  check(/^main: examples\/approval-gate\/$/m.test(rootProject), "Pulumi.yaml no longer runs examples/approval-gate");
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), rootProject.replace(/^main: .*$/m, `main: ${main}/`));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"), "dir");
  const env = {
    binDir,
    cwd: project,
    vars: {
      PULUMI_BACKEND_URL: `file://${path.join(root, "backend")}`,
      PULUMI_HOME: path.join(root, "home"),
      PULUMI_CONFIG_PASSPHRASE: "pulumi-itential-demo",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    },
  };
  fs.mkdirSync(path.join(root, "backend"));
  const withConfig = (args) => [...args, "--stack", "demo"];
  await pulumi(env, ["stack", "init", "demo"]);
  for (const [key, value, secret] of [
    ["itential:baseUrl", emulator.url],
    ["itential:username", C.pipeline.username],
    ["itential:password", C.pipeline.password, true],
    ["jobId", job.id],
  ]) {
    await pulumi(env, withConfig(["config", "set", key, value, ...(secret ? ["--secret"] : [])]));
  }
  say(`  Stack "demo" (file backend in ${root}); the password is stored as a secret.\n`);

  const steps = [
    [
      "preview",
      "what would change",
      async () => {
        emulator.clearRequests();
        const { json } = await pulumi(env, withConfig(["preview", "--json"]), { json: true });
        const create = (json.steps ?? []).find((s) => s.op === "create" && s.urn.endsWith("::approval"));
        check(create, "preview does not plan to create the TaskClaim");
        const writes = emulator.requests().filter((r) => r.method === "POST" && r.path !== "/login");
        check(writes.length === 0, `preview sent ${writes.length} writes to IAP`);
        return [
          `pulumi preview: ${summariseSteps(json)}: + TaskClaim "approval" on task ${approval.id}.`,
          "IAP saw only reads (the lookup of the task); the task is still free.",
        ];
      },
    ],
    [
      "up",
      "claim the task",
      async () => {
        emulator.clearRequests();
        const { json } = await pulumi(env, withConfig(["up", "--yes", "--skip-preview", "--json"]), { json: true });
        const outputs = await stackOutputs(env);
        check(outputs.owner === C.pipeline.username, `owner is ${outputs.owner}, not ${C.pipeline.username}`);
        const held = await asPipeline.getTask(approval.id, { dereference: ["metrics.owner"] });
        check(held.owner?.username === C.pipeline.username, "IAP does not show the pipeline holding the task");
        const claims = emulator.requests().filter((r) => r.path.endsWith("/claim"));
        check(claims.length === 1, `up sent ${claims.length} claims`);
        return [
          `pulumi up: ${summariseSteps(json)}.`,
          `owner ${outputs.owner}, claimed at ${outputs.claimTime} (one POST …/claim).`,
        ];
      },
    ],
    [
      "preview",
      "nothing left to do",
      async () => {
        const { json } = await pulumi(env, withConfig(["preview", "--json"]), { json: true });
        const changes = Object.entries(json.changeSummary ?? {}).filter(([op]) => op !== "same");
        check(changes.length === 0, `preview plans changes: ${summariseSteps(json)}`);
        return [`pulumi preview: ${summariseSteps(json)}: state and IAP agree.`];
      },
    ],
    [
      "a person",
      "releases the task in IAP, behind Pulumi's back",
      async () => {
        await fetch(
          `${emulator.url}/_emulator/as/${C.admin.username}/operations-manager/tasks/${approval.id}/release`,
          {
            method: "POST",
          },
        );
        const task = await asPipeline.getTask(approval.id);
        check(task.owner === undefined, "the release did not happen");
        return [`${C.admin.username} released task ${approval.id} in IAP (through the emulator's control API).`];
      },
    ],
    [
      "refresh",
      "notice the drift",
      async () => {
        const before = await claimState(env);
        const { json } = await pulumi(env, withConfig(["refresh", "--yes", "--skip-preview", "--json"]), {
          json: true,
        });
        const after = await claimState(env);
        check(
          before?.owner === C.pipeline.username && after && after.owner === undefined,
          "refresh missed the release",
        );
        return [
          `pulumi refresh: ${summariseSteps(json)}.`,
          `TaskClaim "approval": owner ${before.owner} -> (nobody); the next up will claim it again.`,
        ];
      },
    ],
    [
      "up",
      "claim it again",
      async () => {
        emulator.clearRequests();
        const { json } = await pulumi(env, withConfig(["up", "--yes", "--skip-preview", "--json"]), { json: true });
        const outputs = await stackOutputs(env);
        check(outputs.owner === C.pipeline.username, "up did not claim the task again");
        check(emulator.requests().filter((r) => r.path.endsWith("/claim")).length === 1, "up did not send one claim");
        return [`pulumi up: ${summariseSteps(json)}; owner ${outputs.owner} since ${outputs.claimTime}.`];
      },
    ],
    [
      "approval",
      "the pipeline gives the approval it holds",
      async () => {
        await asPipeline.finishManualTask(job.id, approval.job?.taskKey ?? "b2", { finishState: "success" });
        const task = await asPipeline.getTask(approval.id);
        check(task.status === "complete", `the task is ${task.status}, not complete`);
        return [`POST …/jobs/${job.id}/tasks/${approval.job?.taskKey}/finish: "Approve change" is complete.`];
      },
    ],
    [
      "destroy",
      "give the task back (nothing left to give: it is done)",
      async () => {
        emulator.clearRequests();
        const { json } = await pulumi(env, withConfig(["destroy", "--yes", "--skip-preview", "--json"]), {
          json: true,
        });
        check((await claimState(env)) === undefined, "the TaskClaim is still in state");
        const writes = emulator.requests().filter((r) => r.method === "POST" && r.path !== "/login");
        check(writes.length === 0, "destroy tried to release a finished task");
        const task = await asPipeline.getTask(approval.id);
        check(task.status === "complete", "the task is no longer complete");
        return [
          `pulumi destroy: ${summariseSteps(json)}.`,
          "The approved task counts as released; state is empty and IAP still shows the approval.",
        ];
      },
    ],
  ];

  for (const [index, [name, purpose, run]] of steps.entries()) {
    t = Date.now();
    say(`${index + 1}/${steps.length} ${name}: ${purpose}`);
    for (const line of await run()) say(`    ${line}`);
    say(`    (${seconds(Date.now() - t)})`);
  }
  say(`\nDemo complete: every step did what it says, in ${seconds(Date.now() - started)}.`);
}

async function cleanup() {
  for (const undo of cleanups.reverse()) {
    try {
      await undo();
    } catch {
      // best effort: the rest still gets cleaned up
    }
  }
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the demo and cleaning up\n`);
    // The CLI gets the signal too; wait for it to finish before removing what it works in.
    const child = running;
    const ended = child ? new Promise((resolve) => child.once("close", resolve)) : Promise.resolve();
    child?.kill("SIGINT");
    const patience = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    Promise.race([ended, patience])
      .then(() => {
        if (child && child.exitCode === null) child.kill("SIGKILL");
        return cleanup();
      })
      .finally(() => process.exit(130));
  });
}

main().then(
  () => cleanup().then(() => process.exit(0)),
  (error) => {
    if (interrupted) return;
    process.stderr.write(`\nDemo failed: ${error instanceof StepFailed ? error.message : error?.stack || error}\n`);
    cleanup().then(() => process.exit(1));
  },
);
