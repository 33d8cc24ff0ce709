// `check`: failures name the property, unknown values pass, and no input makes it throw.
import fc from "fast-check";
import { checkTaskAssignmentInputs, checkTaskClaimInputs, UNKNOWN } from "../../provider/lifecycle/inputs";
import { resourceInputs } from "./input-shapes";

const TASK = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const USER = "65a000000000000000000001";

test("valid TaskClaim inputs get their defaults", () => {
  expect(checkTaskClaimInputs({ taskId: TASK })).toEqual({
    inputs: { taskId: TASK, takeOver: false, releaseOnDestroy: true, adopt: false, onDrift: "reclaim" },
    failures: [],
  });
  expect(
    checkTaskClaimInputs({
      taskId: TASK,
      takeOver: true,
      releaseOnDestroy: false,
      adopt: true,
      onDrift: "fail",
      baseUrl: "https://iap:3443/",
    }),
  ).toEqual({
    inputs: {
      taskId: TASK,
      takeOver: true,
      releaseOnDestroy: false,
      adopt: true,
      onDrift: "fail",
      baseUrl: "https://iap:3443",
    },
    failures: [],
  });
});

test("baseUrl is recorded in one spelling: scheme and host lower-cased, default port and trailing slashes dropped", () => {
  const spelled = (baseUrl: string) => checkTaskClaimInputs({ taskId: TASK, baseUrl }).inputs.baseUrl;
  expect(spelled("HTTP://127.0.0.1:4123/")).toBe("http://127.0.0.1:4123");
  expect(spelled("HTTPS://IAP.Example.com:443//")).toBe("https://iap.example.com");
  expect(spelled("http://iap.example.com:80")).toBe("http://iap.example.com");
  // Another port, or a path (a platform behind a proxy), is kept: it names another platform.
  expect(spelled("https://iap.example.com:3443")).toBe("https://iap.example.com:3443");
  expect(spelled("https://proxy.example.com/iap/")).toBe("https://proxy.example.com/iap");
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "a", baseUrl: "HTTP://X:80/" }).inputs.baseUrl).toBe(
    "http://x",
  );
});

test("adopt and onDrift: a flag, and one of reclaim, ignore or fail", () => {
  expect(checkTaskClaimInputs({ taskId: TASK, adopt: "yes", onDrift: "retake" }).failures).toEqual([
    { property: "adopt", reason: 'must be true or false, got the string "yes"' },
    { property: "onDrift", reason: 'must be "reclaim", "ignore" or "fail", got the string "retake"' },
  ]);
  expect(
    checkTaskAssignmentInputs({ taskId: TASK, user: "alice", adopt: 1, onDrift: "IGNORE" }).failures.map(
      (f) => f.property,
    ),
  ).toEqual(["adopt", "onDrift"]);
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "alice", onDrift: "ignore" }).inputs).toMatchObject({
    adopt: false,
    onDrift: "ignore",
    releaseOnDestroy: true,
  });
});

test("each invalid TaskClaim input is named with what it must be", () => {
  const { failures } = checkTaskClaimInputs({
    taskId: "approval",
    takeOver: "true",
    releaseOnDestroy: 1,
    baseUrl: "https://svc:secret@iap.example.com",
  });
  expect(failures).toEqual([
    { property: "taskId", reason: expect.stringMatching(/^must be a task id: a UUID .*got the string "approval"$/) },
    { property: "takeOver", reason: 'must be true or false, got the string "true"' },
    { property: "releaseOnDestroy", reason: "must be true or false, got number 1" },
    { property: "baseUrl", reason: expect.stringMatching(/^must not contain credentials/) },
  ]);
  expect(JSON.stringify(failures)).not.toContain("secret@");
  expect(checkTaskClaimInputs({}).failures).toEqual([
    { property: "taskId", reason: expect.stringMatching(/^is required/) },
  ]);
  expect(checkTaskClaimInputs({ taskId: TASK, baseUrl: "iap.example.com" }).failures).toEqual([
    { property: "baseUrl", reason: "must be an http:// or https:// URL" },
  ]);
});

test("values unknown during preview pass, and stay unknown", () => {
  expect(checkTaskClaimInputs({ taskId: UNKNOWN, baseUrl: UNKNOWN, takeOver: UNKNOWN })).toEqual({
    inputs: {
      taskId: UNKNOWN,
      baseUrl: UNKNOWN,
      takeOver: UNKNOWN,
      releaseOnDestroy: true,
      adopt: false,
      onDrift: "reclaim",
    },
    failures: [],
  });
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: UNKNOWN }).failures).toEqual([]);
  // Unknown could still turn out unset: with the other one given, that is no error yet.
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: UNKNOWN, userId: USER }).failures).toEqual([]);
});

test("TaskAssignment needs exactly one of user and userId", () => {
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "alice" })).toEqual({
    inputs: { taskId: TASK, user: "alice", releaseOnDestroy: true, adopt: false, onDrift: "reclaim" },
    failures: [],
  });
  expect(checkTaskAssignmentInputs({ taskId: TASK, userId: USER }).failures).toEqual([]);
  expect(checkTaskAssignmentInputs({ taskId: TASK }).failures).toEqual([
    { property: "user", reason: expect.stringContaining('set "user" (a username) or "userId"') },
  ]);
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "alice", userId: USER }).failures).toEqual([
    { property: "user", reason: 'set either "user" or "userId", not both' },
  ]);
  expect(checkTaskAssignmentInputs({ taskId: TASK, userId: "alice" }).failures).toEqual([
    { property: "userId", reason: 'must be a user id (24 hexadecimal characters), got the string "alice"' },
  ]);
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "   " }).failures[0]?.property).toBe("user");
});

/** What the README says each input must be, written out independently of the schemas. */
const SPEC = {
  taskId: (v: unknown) =>
    typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  takeOver: (v: unknown) => typeof v === "boolean",
  releaseOnDestroy: (v: unknown) => typeof v === "boolean",
  adopt: (v: unknown) => typeof v === "boolean",
  onDrift: (v: unknown) => v === "reclaim" || v === "ignore" || v === "fail",
  baseUrl: (v: unknown) => {
    if (typeof v !== "string") return false;
    try {
      const url = new URL(v);
      return ["http:", "https:"].includes(url.protocol) && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  user: (v: unknown) =>
    typeof v === "string" &&
    v.trim() !== "" &&
    v.length <= 256 &&
    !/[\p{Cc}\p{Cs}\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u.test(v),
  userId: (v: unknown) => typeof v === "string" && /^[0-9a-f]{24}$/i.test(v),
} as const;

/** Whether `key` of `news` is fine as given: unset (optional keys), unknown, or per SPEC. */
const fine = (news: Record<string, unknown>, key: keyof typeof SPEC) =>
  news[key] === UNKNOWN || (news[key] === undefined ? key !== "taskId" : SPEC[key](news[key]));

test("any input at all: check never throws, names exactly the properties that are wrong, and echoes nothing huge", () => {
  const reasons = new Set<string>();
  fc.assert(
    fc.property(resourceInputs, (news) => {
      // Plain comparisons collected, then one assertion: expect() per key is most of the cost.
      const wrong: string[] = [];
      const claim = checkTaskClaimInputs(news as Record<string, unknown>);
      const claimFailed = new Set(claim.failures.map((f) => f.property));
      for (const key of ["taskId", "takeOver", "releaseOnDestroy", "adopt", "onDrift", "baseUrl"] as const) {
        if (claimFailed.has(key) === fine(news, key)) wrong.push(`TaskClaim ${key}: failed=${claimFailed.has(key)}`);
      }
      if (claimFailed.size !== claim.failures.length) wrong.push("TaskClaim: two failures for one property");

      const assignment = checkTaskAssignmentInputs(news as Record<string, unknown>);
      const assignmentFailed = new Set(assignment.failures.map((f) => f.property));
      for (const key of ["taskId", "releaseOnDestroy", "adopt", "onDrift", "baseUrl", "userId"] as const) {
        if (assignmentFailed.has(key) === fine(news, key)) {
          wrong.push(`TaskAssignment ${key}: failed=${assignmentFailed.has(key)}`);
        }
      }
      // "user" also carries the one-of-user-and-userId rule.
      const given = (["user", "userId"] as const).filter((k) => news[k] !== undefined && news[k] !== UNKNOWN);
      const unknown = (["user", "userId"] as const).filter((k) => news[k] === UNKNOWN);
      const oneOf = given.length === 1 || (given.length === 0 && unknown.length > 0);
      if (assignmentFailed.has("user") !== (!fine(news, "user") || !oneOf)) wrong.push("TaskAssignment user");

      for (const f of [...claim.failures, ...assignment.failures]) {
        // huge inputs are shortened, not echoed
        if (f.reason.length >= 300) wrong.push(`${f.property}: a ${f.reason.length}-character reason`);
        reasons.add(f.property);
      }
      // What passes is what is sent: defaults applied, nothing else added.
      if (claim.failures.length === 0) {
        const keys = Object.keys(claim.inputs).sort().join();
        const expected = [
          "taskId",
          "takeOver",
          "releaseOnDestroy",
          "adopt",
          "onDrift",
          ...(news.baseUrl !== undefined ? ["baseUrl"] : []),
        ];
        if (keys !== expected.sort().join()) wrong.push(`TaskClaim inputs ${keys}`);
      }
      expect(wrong).toEqual([]);
    }),
    { numRuns: 2000 },
  );
  // Every property was found wrong at least once: the generators reach every rule.
  expect([...reasons].sort()).toEqual([
    "adopt",
    "baseUrl",
    "onDrift",
    "releaseOnDestroy",
    "takeOver",
    "taskId",
    "user",
    "userId",
  ]);
});
