// The stale-build check the unit and e2e set-ups run, against a throwaway directory laid out like
// the repository (real files and real modification times).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { staleReason } from "../support/fresh-build";

let root: string;
const write = (file: string, when: number) => {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, "");
  fs.utimesSync(full, when / 1000, when / 1000);
};
const T0 = Date.parse("2024-01-01T00:00:00Z");

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "fresh-build-"));
  write("tsconfig.json", T0);
  write("tsconfig.build.json", T0);
  for (const file of ["index", "sdk/client", "emulator/routes/control"]) {
    write(`${file}.ts`, T0 + 1000);
    write(`dist/${file}.js`, T0 + 2000);
  }
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

test("a build newer than every source is fresh", () => {
  expect(staleReason(root)).toBeUndefined();
});

test("a source edited after the build makes it stale, naming the source", () => {
  write("emulator/routes/control.ts", T0 + 3000);
  expect(staleReason(root)).toBe(`${path.join("emulator", "routes", "control.ts")} is newer than its build`);
});

test("a new source without output (provider/ included) makes it stale", () => {
  write("provider/task-claim.ts", T0 + 1000);
  expect(staleReason(root)).toBe(`${path.join("dist", "provider", "task-claim.js")} is missing`);
});

test("a tsconfig edited after the build makes it stale; declaration files are not sources", () => {
  write("sdk/types.d.ts", T0 + 5000);
  expect(staleReason(root)).toBeUndefined();
  write("tsconfig.build.json", T0 + 3000);
  expect(staleReason(root)).toBe("a tsconfig is newer than the build");
});
