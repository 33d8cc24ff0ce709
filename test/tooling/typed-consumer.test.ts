// The published types as users meet them: the packed tarball installed into a consumer project,
// and a strict program (test/fixtures/typed-consumer/program.ts) plus every TypeScript sample of
// the README compiled by the consumer's `tsc` under each module resolution TypeScript offers
// (node10, node16, nodenext, bundler), each with and without esModuleInterop and skipLibCheck.
// The program's `@ts-expect-error` lines fail the compile if a type it relies on is `any`, which
// the last test proves by compiling it against an `any`-typed stand-in of the package.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { npm } from "../support/npm";

const execFileAsync = promisify(execFile);
const REPO = path.resolve(__dirname, "..", "..");
const PROGRAM = path.join(REPO, "test", "fixtures", "typed-consumer", "program.ts");
const TSC = path.join(REPO, "node_modules", "typescript", "bin", "tsc");
/** What a consumer project has besides this package: the peer SDK and a TypeScript toolchain. */
const LINKED = ["@pulumi", "typescript", "@types"];

jest.setTimeout(120_000);

let root = "";
let consumer = "";
let readmeSamples: string[] = [];

/** The README's ```ts blocks, each written as a module of the consumer project. */
function writeReadmeSamples(dir: string): string[] {
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
  return blocks.map((code, i) => {
    const file = `readme-${i + 1}.ts`;
    fs.writeFileSync(path.join(dir, file), code);
    return file;
  });
}

async function tsc(dir: string, options: Record<string, unknown>, files: string[]) {
  const name = `tsconfig.${Object.values(options).join("-")}.json`;
  const compilerOptions = { strict: true, target: "ES2022", types: ["node"], noEmit: true, ...options };
  fs.writeFileSync(path.join(dir, name), JSON.stringify({ compilerOptions, files }, null, 2));
  try {
    await execFileAsync(process.execPath, [TSC, "-p", name], { cwd: dir, encoding: "utf8" });
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || String(error);
  }
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-itential-typed-consumer-"));
  // dist/ is fresh (the unit set-up checked): pack it as it is, without `prepack` rebuilding it
  // under the other suites' feet.
  npm(["pack", "--ignore-scripts", "--pack-destination", root], REPO);
  const tarball = fs.readdirSync(root).find((f) => f.endsWith(".tgz")) as string;
  consumer = path.join(root, "consumer");
  fs.mkdirSync(consumer);
  fs.writeFileSync(path.join(consumer, "package.json"), '{ "name": "typed-consumer", "private": true }\n');
  npm(
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--legacy-peer-deps",
      path.join(root, tarball),
    ],
    consumer,
  );
  for (const name of LINKED) {
    fs.symlinkSync(path.join(REPO, "node_modules", name), path.join(consumer, "node_modules", name), "dir");
  }
  fs.copyFileSync(PROGRAM, path.join(consumer, "program.ts"));
  readmeSamples = writeReadmeSamples(consumer);
}, 180_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test("the README has TypeScript samples to compile (a program and the SDK client)", () => {
  expect(readmeSamples.length).toBeGreaterThanOrEqual(2);
});

test("no published declaration mentions zod: the public types are plain TypeScript", () => {
  const declarations = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return declarations(file);
      return entry.name.endsWith(".d.ts") ? [file] : [];
    });
  const files = declarations(path.join(consumer, "node_modules", "pulumi-itential", "dist"));
  expect(files.length).toBeGreaterThan(10);
  expect(files.filter((file) => /\bzod\b/.test(fs.readFileSync(file, "utf8")))).toEqual([]);
});

const RESOLUTIONS = [
  { module: "commonjs", moduleResolution: "node10" },
  { module: "node16", moduleResolution: "node16" },
  { module: "nodenext", moduleResolution: "nodenext" },
  { module: "esnext", moduleResolution: "bundler" },
];
const LIBRARY_CHECKS = [
  { esModuleInterop: false, skipLibCheck: false },
  { esModuleInterop: true, skipLibCheck: true },
];

describe.each(RESOLUTIONS)("module $module, moduleResolution $moduleResolution", (resolution) => {
  test.each(LIBRARY_CHECKS)(
    "esModuleInterop $esModuleInterop, skipLibCheck $skipLibCheck: the program and the README compile",
    async (checks) => {
      expect(await tsc(consumer, { ...resolution, ...checks }, ["program.ts", ...readmeSamples])).toBe("");
    },
  );
});

/** A class whose instances have `any` for every property: what a declaration degraded to `any` gives. */
const anyClass = (name: string) => `export declare class ${name} { [key: string]: any; constructor(...args: any[]); }`;

test("against an `any`-typed stand-in of the package, every @ts-expect-error of the program is reported unused", async () => {
  // The same program, where `pulumi-itential` and `pulumi-itential/sdk` export the same names, all `any`.
  const anyConsumer = path.join(root, "any-consumer");
  const standIn = path.join(anyConsumer, "node_modules", "pulumi-itential");
  fs.mkdirSync(standIn, { recursive: true });
  for (const name of LINKED) {
    fs.symlinkSync(path.join(REPO, "node_modules", name), path.join(anyConsumer, "node_modules", name), "dir");
  }
  fs.writeFileSync(path.join(standIn, "package.json"), '{ "name": "pulumi-itential", "types": "index.d.ts" }\n');
  fs.writeFileSync(
    path.join(standIn, "index.d.ts"),
    [
      "export type FindTaskArgs = any;",
      "export type TaskInfo = any;",
      "export type TaskAssignmentArgs = any;",
      "export declare const findTaskOutput: any;",
      "export declare const getTask: any;",
      anyClass("TaskClaim"),
      anyClass("TaskAssignment"),
    ].join("\n"),
  );
  fs.writeFileSync(
    path.join(standIn, "sdk.d.ts"),
    [
      "export type ClientOptions = any;",
      "export type Task = any;",
      "export type TaskStateReason = any;",
      ...["ApiError", "ItentialError", "OperationsManagerClient", "TaskStateError"].map(anyClass),
    ].join("\n"),
  );
  fs.copyFileSync(PROGRAM, path.join(anyConsumer, "program.ts"));
  const output = await tsc(anyConsumer, { module: "commonjs", moduleResolution: "node10", skipLibCheck: true }, [
    "program.ts",
  ]);
  const directives = fs.readFileSync(PROGRAM, "utf8").match(/^\s*\/\/ @ts-expect-error/gm)?.length ?? 0;
  expect(directives).toBeGreaterThanOrEqual(8);
  expect(output.match(/error TS2578: Unused '@ts-expect-error' directive/g)?.length).toBe(directives);
});
