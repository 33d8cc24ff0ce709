// Secrets end to end (issue 9, item 4). With the password, the OAuth client secret and a token each
// set by `pulumi config set --secret` (one stack each), a project goes through `up` (one claim
// taken, one refused because a person holds the task, a lookup in the program) and a `destroy`
// while the platform is down, with ITENTIAL_DEBUG=1 and `-v=9 --logtostderr`. Then every place a
// secret could end up is scanned for it: the files on disk (state, backups, history, stack config,
// the CLI's logs), what the CLI printed, the raw stderr of every Node process the runs started
// (the program and the dynamic provider, before the engine masks anything), the messages of the
// failed operations, and what the client sent as the emulator recorded it. Tokens the platform
// issued during the runs cannot be known here; for them the scan looks for credential shapes
// (`token=…`, `Bearer …`) that are not redacted.
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C, defaultSeed, type EmulatorSeed } from "../../emulator";
import { useEmulatorProcess } from "../support/emulator-process";
import { type CliResult, withSandbox } from "./harness";

jest.setTimeout(300_000);

const emulator = useEmulatorProcess();
const PROJECT = path.join(__dirname, "fixtures", "claim-project");
const CAPTURE = path.join(__dirname, "fixtures", "capture-stderr.js");

/** Long and unlike anything else, so a match is a leak and never a coincidence. */
const unique = (what: string) => `${what}-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

interface Credential {
  /** Stack name and what it authenticates with. */
  stack: string;
  /** `pulumi config set` arguments: the secret one, and the plain ones. */
  secret: [string, string];
  plain: [string, string][];
  /** Every value that must not appear anywhere. */
  secrets: string[];
}

/**
 * The demo seed, with the pipeline account's password and OAuth secret replaced by fresh ones, and
 * one change-approval job per stack, so the stacks run side by side on tasks of their own.
 */
function seedWith(password: string, clientSecret: string, jobs: number): EmulatorSeed {
  const seed = defaultSeed();
  for (const user of seed.users ?? []) if (user.username === C.pipeline.username) user.password = password;
  for (const client of seed.oauthClients ?? []) client.clientSecret = clientSecret;
  const job = seed.jobs?.[0];
  if (job) seed.jobs = Array.from({ length: jobs }, (_, i) => ({ ...job, description: `${job.description} #${i}` }));
  return seed;
}

async function login(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: { username, password } }),
  });
  return (await response.json()) as string;
}

/**
 * Every regular file under `dir`. Symlinks (node_modules) are not followed, and the language host's
 * named pipes are left alone: reading a FIFO nobody writes to waits forever.
 */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** What must not be there: each secret as is, URL-encoded, base64 of user:secret (Basic). */
function forms(secret: string): string[] {
  const basic = Buffer.from(`${C.pipeline.username}:${secret}`).toString("base64");
  return [...new Set([secret, encodeURIComponent(secret), basic])];
}

/** Credential-shaped text whose value is not redacted: a token the platform issued, say. */
const UNREDACTED = [
  /[?&]token=(?!%5BREDACTED%5D|\[REDACTED\]|\[secret\])[^&\s"'\\]{8,}/,
  /\bBearer (?!\[REDACTED\])[A-Za-z0-9._~+/-]{16,}/,
  /"(?:access_token|token)"\s*:\s*"(?!\[REDACTED\])[^"]{8,}"/,
];

/** Where a secret (in any of its forms) or an unredacted credential shape appears in `places`. */
function leaks(places: [string, string][], secrets: string[]): string[] {
  const found: string[] = [];
  for (const [where, text] of places) {
    for (const secret of secrets.flatMap(forms)) if (text.includes(secret)) found.push(`${where}: a secret`);
    for (const shape of UNREDACTED) {
      const match = text.match(shape);
      if (match) found.push(`${where}: ${match[0].slice(0, 20)}…`);
    }
  }
  return found;
}

test("no secret is stored, printed, logged, put in an error, or sent where it can be read", async () => {
  const password = unique("pw");
  const clientSecret = unique("client-secret");
  await emulator().reset(seedWith(password, clientSecret, 3));
  const token = await login(emulator().url, C.pipeline.username, password);
  const state = await emulator().control<{ tasks: { _id: string; name: string; job: { _id: string } }[] }>(
    "GET",
    "/state",
  );
  const jobs = [...new Set(state.tasks.map((t) => t.job._id))];
  const taskOf = (job: number, name: string) =>
    state.tasks.find((t) => t.job._id === jobs[job] && t.name === name)?._id as string;
  const config = (job: number): [string, string][] => [
    ["itential:baseUrl", emulator().url],
    ["itential:maxRetries", "0"],
    ["taskId", taskOf(job, "Approve change")],
    ["heldTaskId", taskOf(job, "Security review")],
  ];
  const credentials: Credential[] = [
    {
      stack: "password",
      secret: ["itential:password", password],
      plain: [...config(0), ["itential:username", C.pipeline.username]],
      secrets: [password],
    },
    {
      stack: "oauth",
      secret: ["itential:clientSecret", clientSecret],
      plain: [...config(1), ["itential:clientId", C.pipelineClient.clientId]],
      secrets: [clientSecret],
    },
    { stack: "token", secret: ["itential:token", token], plain: config(2), secrets: [token] },
  ];
  // A person holds each "Security review": the stacks' claims of them are refused, naming her.
  for (const [job] of credentials.entries()) {
    await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskOf(job, "Security review")}/claim`);
  }

  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(PROJECT);
    const captured = path.join(sandbox.root, "stderr");
    fs.mkdirSync(captured);
    // Glog files of `-v=9` go to the temporary directory: inside the sandbox, so they are scanned too.
    const tmp = path.join(sandbox.root, "tmp");
    fs.mkdirSync(tmp);
    const env = {
      ITENTIAL_DEBUG: "1",
      NODE_OPTIONS: `--require ${CAPTURE}`,
      CAPTURE_STDERR_DIR: captured,
      TMPDIR: tmp,
    };
    const outputs: CliResult[] = [];
    const messages: string[] = [];

    // The three stacks side by side, each on its own job's tasks.
    await Promise.all(
      credentials.map(async (credential, job) => {
        const s = ["--stack", credential.stack];
        await sandbox.cliOk(["stack", "init", credential.stack], project);
        await sandbox.cliOk(
          [
            "config",
            "set-all",
            ...s,
            ...credential.plain.flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]),
            "--secret",
            credential.secret.join("="),
          ],
          project,
        );

        // With the engine's own log on stderr, at its most verbose.
        const up = await sandbox.cli(["up", ...s, "--yes", "--skip-preview", "-v=9", "--logtostderr"], project, env);
        outputs.push(up);
        // One claim taken, one refused because alice holds the task: the refusal is in the output.
        expect(up.code).not.toBe(0);
        expect(up.stdout).toContain("is claimed by alice since");
        messages.push(...up.stdout.split("\n").filter((line) => line.includes("claimed by alice")));
        expect(up.stderr).toContain("[pulumi-itential]"); // debug records in the engine's log too

        // The platform goes down for this stack's task (every answer a 503): destroy fails, and says
        // so. A plain run, as a user types it: ITENTIAL_DEBUG=1 alone shows the records among the
        // stack's diagnostics.
        const approval = taskOf(job, "Approve change");
        await emulator().addFault({ kind: "status", status: 503, path: `/operations-manager/tasks/${approval}/**` });
        const destroy = await sandbox.cli(["destroy", ...s, "--yes", "--skip-preview"], project, env);
        outputs.push(destroy);
        expect(destroy.code).not.toBe(0);
        expect(destroy.stdout).toContain("failed with HTTP 503");
        messages.push(...destroy.stdout.split("\n").filter((line) => line.includes("503")));
        expect(destroy.stdout).toMatch(/^ {4}\[pulumi-itential\] \{"event":"request","method":"(GET|POST)"/m);
      }),
    );

    const requestLog = JSON.stringify(await emulator().requests());
    const places: [string, string][] = [
      ...filesUnder(sandbox.root).map((f) => [f, fs.readFileSync(f, "latin1")] as [string, string]),
      ...outputs.map((o, i) => [`CLI run ${i} stdout`, o.stdout] as [string, string]),
      ...outputs.map((o, i) => [`CLI run ${i} stderr`, o.stderr] as [string, string]),
      ["messages of failed operations", messages.join("\n")],
      ["emulator request log", requestLog],
    ];
    const found = leaks(
      places,
      credentials.flatMap((c) => c.secrets),
    );
    expect(found).toEqual([]);

    // The scan sees what it claims to: the stack files hold the secrets as ciphertext, the stderr
    // copies hold the debug records of programs and providers, and the same scan finds the secrets
    // where they are meant to be (the emulator's own state, with its users' passwords).
    for (const { stack, secret } of credentials) {
      const stackFile = fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), "utf8");
      expect(stackFile).toMatch(new RegExp(`${secret[0]}:\\s+secure: v1:`));
    }
    const copies = fs.readdirSync(captured).map((f) => fs.readFileSync(path.join(captured, f), "utf8"));
    expect(copies.filter((text) => text.includes("[pulumi-itential] {")).length).toBeGreaterThanOrEqual(6);
    const truth = JSON.stringify(await emulator().control("GET", "/state"));
    expect(leaks([["emulator state", truth]], [password, clientSecret])).toEqual([
      "emulator state: a secret",
      "emulator state: a secret",
    ]);
  });
});
