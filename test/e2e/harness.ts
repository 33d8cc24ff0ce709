// End-to-end harness: runs the real Pulumi CLI, through the Automation API or as a command, in an
// isolated sandbox (temp dir with a file backend, its own PULUMI_HOME, no plugin downloads).
//
// Every sandbox has a consumer directory whose node_modules is the consumer project's (the packed
// library installed by npm, see consumer.ts), so a Pulumi program or a dynamic-provider process
// started there resolves `@pulumi/pulumi` and `pulumi-itential` exactly as a user's project would.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, PulumiCommand, type PulumiFn, type Stack } from "@pulumi/pulumi/automation";
import { scaledBudget } from "../support/time-scale";
import { CONSUMER_ENV } from "./consumer";
import { budgetExceeded, cliBudgetMs, withStepBudgets } from "./step-budget";

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Set by global-setup.ts: the directory holding the Pulumi YAML language host. */
export const YAML_DIR_ENV = "PULUMI_ITENTIAL_TEST_YAML_DIR";

/** The YAML language host's directory, from the global set-up (which built it if needed). */
export function yamlHostDir(): string {
  const dir = process.env[YAML_DIR_ENV];
  if (!dir) throw new Error(`${YAML_DIR_ENV} is not set: run the suite through \`npm test\` (jest global set-up).`);
  return dir;
}

/** Set by test/e2e/global-setup.ts, which finds or builds the CLI once per jest run. */
export function pulumiBinDir(): string {
  const dir = process.env.PULUMI_ITENTIAL_TEST_BIN_DIR;
  if (!dir) {
    throw new Error("PULUMI_ITENTIAL_TEST_BIN_DIR is not set: run the suite through `npm test` (jest global set-up).");
  }
  return dir;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InlineStackOptions {
  readonly projectName?: string;
  readonly stackName?: string;
  /** Stack configuration, e.g. `{ "itential:baseUrl": { value: url } }`. */
  readonly config?: Record<string, { value: string; secret?: boolean }>;
}

export class PulumiSandbox {
  /** Environment every Pulumi run in this sandbox gets (merged over the test process's). */
  readonly env: Readonly<Record<string, string>>;
  /** A directory whose node_modules resolves this package: the default place for programs. */
  readonly workDir: string;
  readonly backendDir: string;
  readonly pulumiHome: string;

  private constructor(
    readonly root: string,
    readonly binDir: string,
  ) {
    this.backendDir = path.join(root, "backend");
    this.pulumiHome = path.join(root, "pulumi-home");
    this.workDir = path.join(root, "work");
    for (const dir of [this.backendDir, this.pulumiHome]) fs.mkdirSync(dir);
    this.env = {
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      PULUMI_HOME: this.pulumiHome,
      PULUMI_CONFIG_PASSPHRASE: "pulumi-itential-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      // The engine finds pulumi-language-nodejs and pulumi-resource-pulumi-nodejs on PATH.
      PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    };
    this.linkConsumerDir(this.workDir);
  }

  static create(): PulumiSandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-e2e-"));
    try {
      return new PulumiSandbox(root, pulumiBinDir());
    } catch (error) {
      fs.rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Creates `dir` (if needed) with a node_modules link to the consumer project's, where the packed
   * library is installed (see consumer.ts), or to this repository's outside the e2e set-up.
   */
  linkConsumerDir(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const consumer = process.env[CONSUMER_ENV];
    const modules = consumer ? path.join(consumer, "node_modules") : path.join(REPO_ROOT, "node_modules");
    fs.symlinkSync(modules, path.join(dir, "node_modules"), "dir");
  }

  /** Copies a project directory (e.g. a fixture with Pulumi.yaml) into the sandbox, ready to run. */
  copyProject(sourceDir: string, name = path.basename(sourceDir)): string {
    const target = path.join(this.root, "projects", name);
    fs.cpSync(sourceDir, target, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
    this.linkConsumerDir(target);
    return target;
  }

  async pulumiCommand(): Promise<PulumiCommand> {
    // PulumiCommand.get expects <root>/bin/pulumi; give it that shape whatever the bin dir is called.
    let root = path.dirname(this.binDir);
    if (path.basename(this.binDir) !== "bin") {
      root = path.join(this.root, "cli");
      fs.mkdirSync(root, { recursive: true });
      if (!fs.existsSync(path.join(root, "bin"))) fs.symlinkSync(this.binDir, path.join(root, "bin"), "dir");
    }
    return withStepBudgets(await PulumiCommand.get({ root }));
  }

  /** A stack running `program` in this process (Automation API inline program). */
  async inlineStack(program: PulumiFn, options: InlineStackOptions = {}): Promise<Stack> {
    const projectName = options.projectName ?? "e2e";
    const stack = await LocalWorkspace.createOrSelectStack(
      { projectName, stackName: options.stackName ?? "test", program },
      {
        workDir: this.workDir,
        pulumiHome: this.pulumiHome,
        pulumiCommand: await this.pulumiCommand(),
        envVars: { ...this.env },
        // `main` is where the dynamic-provider process resolves its modules from (pulumi/pulumi#5455).
        projectSettings: { name: projectName, runtime: "nodejs", main: this.workDir },
      },
    );
    if (options.config) await stack.setAllConfig(options.config);
    return stack;
  }

  /**
   * Runs the CLI as a user would; never throws on a non-zero exit (the result carries it). `env`
   * adds to the sandbox's environment for this run only (e.g. ITENTIAL_DEBUG=1).
   */
  async cli(args: readonly string[], cwd: string = this.workDir, env: Record<string, string> = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(path.join(this.binDir, "pulumi"), [...args, "--non-interactive"], {
        cwd,
        env: { ...process.env, ...this.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: scaledBudget(cliBudgetMs(args)),
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
      if (e.killed) throw budgetExceeded(args, `${e.stdout ?? ""}\n${e.stderr ?? ""}`);
      if (typeof e.code !== "number") throw error;
      return { code: e.code, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }

  /** Like `cli`, but a non-zero exit fails with everything the CLI said. */
  async cliOk(args: readonly string[], cwd?: string): Promise<CliResult> {
    const result = await this.cli(args, cwd);
    if (result.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result;
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** Runs `fn` in a fresh sandbox and removes it afterwards, whether `fn` succeeded or not. */
export async function withSandbox<T>(fn: (sandbox: PulumiSandbox) => Promise<T>): Promise<T> {
  const sandbox = PulumiSandbox.create();
  try {
    return await fn(sandbox);
  } finally {
    sandbox.dispose();
  }
}

/** Parses the JSON a `pulumi … --json` command printed, failing with the text when it is not JSON. */
export function parseCliJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON from pulumi, got:\n${result.stdout}\n${result.stderr}`);
  }
}
