// The emulator's claim response has the structure of IAP's documented claim example
// (test/fixtures/claim-task-response.documented.json): the same keys at every level, and the same
// types wherever the example is not a placeholder. Every difference is listed here with its reason.

import documented from "../fixtures/claim-task-response.documented.json";
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

/** Keys the emulator serves that the example lacks: fields IAP's task document reference lists. */
const DOCUMENTED_EXTRAS = new Set(["data.summary", "data.description", "data.variables.error"]);
/** Keys of the example the emulator leaves out. */
const OMITTED = new Map([["data.mockId", "workflow-test mocks are not emulated"]]);
/** Non-placeholder example values whose type legitimately differs in a freshly claimed task. */
const STATE_DEPENDENT = new Map([
  ["data.metrics.end_time", "null until the task finishes (the example shows a finished task's epoch ms)"],
  ["data.metrics.run_time", "null until the task finishes"],
]);
/** Arrays whose elements cannot be compared because the emulator does not model their content. */
const EMPTY_BY_DESIGN = new Map([["data.groups[].memberOf[]", "nested groups are not modelled"]]);

type Kind = "string" | "number" | "boolean" | "null" | "array" | "object";
const kind = (value: unknown): Kind =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : (typeof value as "string" | "number" | "boolean" | "object");
/** The example's "string" values and nulls are placeholders: they say nothing about the real type. */
const isPlaceholder = (value: unknown) => value === null || value === "string";

interface Difference {
  path: string;
  problem: string;
}

function compare(example: unknown, actual: unknown, path: string, out: Difference[]): void {
  const want = kind(example);
  const got = kind(actual);
  if (want === "object" && got === "object") {
    const e = example as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    // An empty example object is a free-form map (variables.incoming, metadata): no keys to check.
    if (Object.keys(e).length === 0) return;
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push({ path: `${path}.${key}`, problem: "missing" });
      else compare(e[key], a[key], `${path}.${key}`, out);
    }
    for (const key of Object.keys(a)) if (!(key in e)) out.push({ path: `${path}.${key}`, problem: "extra" });
    return;
  }
  if (want === "array" && got === "array") {
    const e = example as unknown[];
    const a = actual as unknown[];
    if (e.length > 0 && a.length === 0) out.push({ path: `${path}[]`, problem: "empty" });
    else if (e.length > 0) compare(e[0], a[0], `${path}[]`, out);
    return;
  }
  if (!isPlaceholder(example) && want !== got) out.push({ path, problem: `type ${got}, example ${want}` });
}

const emulator = useEmulatorProcess({ resetEachTest: false });

test("the claim response has the documented example's structure, differences listed and explained", async () => {
  const auth = AS.admin;
  const list = await call(emulator().url, "GET", "/operations-manager/tasks?equals[name]=Approve%20change", { auth });
  const res = await call(emulator().url, "POST", `/operations-manager/tasks/${list.json.data[0]._id}/claim`, { auth });
  expect(res.status).toBe(200);

  const differences: Difference[] = [];
  compare(documented, res.json, "", differences);
  const found = differences.map((d) => `${d.path.slice(1)}: ${d.problem}`).sort();
  const expected = [
    ...[...DOCUMENTED_EXTRAS].map((p) => `${p}: extra`),
    ...[...OMITTED.keys()].map((p) => `${p}: missing`),
    ...[...STATE_DEPENDENT.keys()].map((p) => `${p}: type null, example number`),
    ...[...EMPTY_BY_DESIGN.keys()].map((p) => `${p}: empty`),
  ].sort();
  expect(found).toEqual(expected);
});

test("the comparison catches a real difference (it is not hollow)", () => {
  const differences: Difference[] = [];
  compare(
    { data: { a: 1, b: { c: "string" }, d: [{ e: true }] } },
    { data: { a: "1", b: {}, d: [{ e: true, f: 1 }], g: 1 } },
    "",
    differences,
  );
  expect(differences.map((d) => `${d.path}: ${d.problem}`).sort()).toEqual([
    ".data.a: type string, example number",
    ".data.b.c: missing",
    ".data.d[].f: extra",
    ".data.g: extra",
  ]);
});
