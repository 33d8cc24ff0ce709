// `check`: failures name the property, unknown values pass, and no input makes it throw.
import fc from "fast-check";
import { checkTaskAssignmentInputs, checkTaskClaimInputs, UNKNOWN } from "../../provider/lifecycle/inputs";

const TASK = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
const USER = "65a000000000000000000001";

test("valid TaskClaim inputs get their defaults", () => {
  expect(checkTaskClaimInputs({ taskId: TASK })).toEqual({
    inputs: { taskId: TASK, takeOver: false, releaseOnDestroy: true },
    failures: [],
  });
  expect(
    checkTaskClaimInputs({ taskId: TASK, takeOver: true, releaseOnDestroy: false, baseUrl: "https://iap:3443/" }),
  ).toEqual({
    inputs: { taskId: TASK, takeOver: true, releaseOnDestroy: false, baseUrl: "https://iap:3443" },
    failures: [],
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
    inputs: { taskId: UNKNOWN, baseUrl: UNKNOWN, takeOver: UNKNOWN, releaseOnDestroy: true },
    failures: [],
  });
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: UNKNOWN }).failures).toEqual([]);
  // Unknown could still turn out unset: with the other one given, that is no error yet.
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: UNKNOWN, userId: USER }).failures).toEqual([]);
});

test("TaskAssignment needs exactly one of user and userId", () => {
  expect(checkTaskAssignmentInputs({ taskId: TASK, user: "alice" })).toEqual({
    inputs: { taskId: TASK, user: "alice", releaseOnDestroy: true },
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

test("any input at all: check never throws, and every failure names a property of the resource", () => {
  const anything = fc.oneof(
    fc.string(),
    fc.string({ unit: "binary", maxLength: 2000 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(UNKNOWN),
    fc.uuid().map(String),
    fc.webUrl(),
    fc.array(fc.string()),
    fc.object(),
  );
  const record = fc.record(
    {
      taskId: anything,
      takeOver: anything,
      releaseOnDestroy: anything,
      baseUrl: anything,
      user: anything,
      userId: anything,
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(record, (news) => {
      const claim = checkTaskClaimInputs(news as Record<string, unknown>);
      for (const f of claim.failures)
        expect(["taskId", "takeOver", "releaseOnDestroy", "baseUrl"]).toContain(f.property);
      const assignment = checkTaskAssignmentInputs(news as Record<string, unknown>);
      for (const f of assignment.failures) {
        expect(["taskId", "user", "userId", "releaseOnDestroy", "baseUrl"]).toContain(f.property);
      }
      for (const f of [...claim.failures, ...assignment.failures]) {
        expect(f.reason.length).toBeLessThan(300); // huge inputs are shortened, not echoed
      }
    }),
    { numRuns: 2000 },
  );
});
