// The native plugin's figures: how fast pulumi-resource-itential starts; one TaskClaim's `up` from
// a Pulumi YAML program, from a TypeScript program with the native classes, and from one with the
// dynamic TaskClaim; and `up` + `destroy` of N native TaskClaims against N resources of a native
// plugin that does nothing (noop-native/), both from generated YAML programs. Through the real CLI
// in one PulumiSandbox, with the packed library installed as users get it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C } from "../emulator";
import { consumerDir } from "../test/e2e/consumer";
import type { PulumiSandbox } from "../test/e2e/harness";
import type { EmulatorProcess } from "../test/support/emulator-process";
import { gateTaskIds } from "./sdk-vs-raw";
import { gatesSeed } from "./seeds";
import { alternate, pairedRatios, type Spread, spread, timed } from "./stats";

export const NOOP_NATIVE_PACKAGE = "bench-noop-native";

/** Copies the no-op native plugin into the consumer project's node_modules. */
export function installNoopNative(consumer: string): void {
  const target = path.join(consumer, "node_modules", NOOP_NATIVE_PACKAGE);
  fs.cpSync(path.join(__dirname, "noop-native"), target, { recursive: true });
  fs.chmodSync(path.join(target, "pulumi-resource-benchnoop"), 0o755);
}

export interface NativeOptions {
  n: number;
  rounds: number;
  /** The directory holding pulumi-language-yaml. */
  yamlDir: string;
}

export interface NativeResults {
  /** From spawning the launcher to its port on stdout (what the engine waits for). */
  pluginStartMs: Spread;
  /** `up --skip-preview` of one TaskClaim into an empty stack. */
  oneClaimUpMs: { yaml: Spread; typescriptNative: Spread; typescriptDynamic: Spread };
  n: number;
  /** up + destroy of N native TaskClaims over N no-op native resources, per round (YAML programs). */
  nativeOverheadRatio: Spread;
  taskClaim: { upPlusDestroyMs: Spread };
  noop: { upPlusDestroyMs: Spread };
}

const PLUGINS = `plugins:
  providers:
    - name: itential
      path: node_modules/pulumi-itential
    - name: benchnoop
      path: node_modules/${NOOP_NATIVE_PACKAGE}
`;

const TSCONFIG = {
  compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", skipLibCheck: true },
  files: ["index.ts"],
};

function project(sandbox: PulumiSandbox, name: string, files: Record<string, string>): string {
  const dir = path.join(sandbox.root, "native-bench", name);
  sandbox.linkConsumerDir(dir);
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function yamlProject(sandbox: PulumiSandbox, name: string, resources: string[]): string {
  return project(sandbox, name, {
    "Pulumi.yaml": `name: ${name}\nruntime: yaml\n${PLUGINS}resources:\n${resources.join("")}`,
  });
}

function tsProject(sandbox: PulumiSandbox, name: string, program: string): string {
  return project(sandbox, name, {
    "Pulumi.yaml": `name: ${name}\nruntime: nodejs\n${PLUGINS}`,
    "package.json": JSON.stringify({ name, private: true, main: "index.ts" }),
    "tsconfig.json": JSON.stringify(TSCONFIG),
    "index.ts": program,
  });
}

/** Milliseconds from spawning the launcher to the port it prints. */
function pluginStart(launcher: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(launcher, [], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.once("data", () => {
      const ms = performance.now() - started;
      child.kill();
      resolve(ms);
    });
    child.once("error", reject);
  });
}

export async function measureNative(
  sandbox: PulumiSandbox,
  emulator: EmulatorProcess,
  options: NativeOptions,
): Promise<NativeResults> {
  const env = { PATH: `${options.yamlDir}${path.delimiter}${sandbox.env.PATH}` };
  const cli = async (args: string[], cwd: string) => {
    const result = await sandbox.cli(args, cwd, env);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} in ${cwd}\n${result.stdout}\n${result.stderr}`);
    return result;
  };
  const launcher = path.join(consumerDir(), "node_modules", "pulumi-itential", "pulumi-resource-itential");
  const starts: number[] = [];
  for (let i = 0; i < options.rounds * 2; i++) starts.push(await pluginStart(launcher));

  await emulator.reset(gatesSeed(Math.max(1, Math.ceil(options.n / 100)), Math.min(100, Math.max(options.n, 1))));
  const ids = await gateTaskIds(emulator);
  if (ids.length < options.n) throw new Error(`the bench seed has ${ids.length} tasks, fewer than N = ${options.n}`);
  const first = ids[0] as string;

  const stackConfig = async (dir: string) => {
    await cli(["stack", "init", "bench"], dir);
    await cli(
      [
        "config",
        "set-all",
        "--plaintext",
        `itential:baseUrl=${emulator.url}`,
        "--plaintext",
        `itential:username=${C.pipeline.username}`,
        "--secret",
        `itential:password=${C.pipeline.password}`,
        "--plaintext",
        `taskId=${first}`,
      ],
      dir,
    );
    return dir;
  };
  const claim = (name: string, id: string, type = "itential:index:TaskClaim") =>
    `  ${name}:\n    type: ${type}\n    properties:\n      taskId: "${id}"\n`;

  const yaml = await stackConfig(yamlProject(sandbox, "one-yaml", [claim("approval", first)]));
  const tsNative = await stackConfig(
    tsProject(
      sandbox,
      "one-ts-native",
      `import * as pulumi from "@pulumi/pulumi";\nimport { TaskClaim } from "pulumi-itential/native";\n` +
        `export const owner = new TaskClaim("approval", { taskId: new pulumi.Config().require("taskId") }).owner;\n`,
    ),
  );
  const tsDynamic = await stackConfig(
    tsProject(
      sandbox,
      "one-ts-dynamic",
      `import * as pulumi from "@pulumi/pulumi";\nimport { TaskClaim } from "pulumi-itential";\n` +
        `export const owner = new TaskClaim("approval", { taskId: new pulumi.Config().require("taskId") }).owner;\n`,
    ),
  );
  const oneUp = (dir: string) => async () => {
    const ms = await timed(() => cli(["up", "--yes", "--skip-preview"], dir));
    await cli(["destroy", "--yes", "--skip-preview"], dir);
    return ms;
  };
  const one = await alternate(options.rounds, {
    yaml: oneUp(yaml),
    typescriptNative: oneUp(tsNative),
    typescriptDynamic: oneUp(tsDynamic),
  });

  const many = ids.slice(0, options.n);
  const claims = await stackConfig(
    yamlProject(
      sandbox,
      "n-claims",
      many.map((id, i) => claim(`claim${i}`, id)),
    ),
  );
  const noops = await stackConfig(
    yamlProject(
      sandbox,
      "n-noops",
      many.map((id, i) => claim(`noop${i}`, id, "benchnoop:index:Noop")),
    ),
  );
  const upAndDestroy = (dir: string) => () =>
    timed(async () => {
      await cli(["up", "--yes", "--skip-preview"], dir);
      await cli(["destroy", "--yes", "--skip-preview"], dir);
    });
  const n = await alternate(options.rounds, { taskClaim: upAndDestroy(claims), noop: upAndDestroy(noops) });

  return {
    pluginStartMs: spread(starts),
    oneClaimUpMs: {
      yaml: spread(one.yaml),
      typescriptNative: spread(one.typescriptNative),
      typescriptDynamic: spread(one.typescriptDynamic),
    },
    n: options.n,
    nativeOverheadRatio: spread(pairedRatios(n.taskClaim, n.noop)),
    taskClaim: { upPlusDestroyMs: spread(n.taskClaim) },
    noop: { upPlusDestroyMs: spread(n.noop) },
  };
}

/** The native figures as table lines. */
export function nativeTable(results: NativeResults): string {
  const ms = (s: Spread) => `${Math.round(s.median)} ms (${Math.round(s.min)}-${Math.round(s.max)})`;
  return [
    `native plugin start                       ${ms(results.pluginStartMs)}`,
    `one-claim up, Pulumi YAML (native)        ${ms(results.oneClaimUpMs.yaml)}`,
    `one-claim up, TypeScript (native classes) ${ms(results.oneClaimUpMs.typescriptNative)}`,
    `one-claim up, TypeScript (dynamic)        ${ms(results.oneClaimUpMs.typescriptDynamic)}`,
    `N=${results.n} up+destroy, native TaskClaim     ${ms(results.taskClaim.upPlusDestroyMs)}`,
    `N=${results.n} up+destroy, no-op native         ${ms(results.noop.upPlusDestroyMs)}`,
    `nativeOverheadRatio (N=${results.n})            ${results.nativeOverheadRatio.median.toFixed(3)} (${results.nativeOverheadRatio.min.toFixed(3)}-${results.nativeOverheadRatio.max.toFixed(3)})`,
  ].join("\n");
}
