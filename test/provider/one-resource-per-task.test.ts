// One resource per task, across a replace: the engine checks a replacement a second time (empty
// olds, same inputs), which must not read as a second resource on the task, while a genuine
// second resource stays refused, before and after a replace.
import { OneResourcePerTask } from "../../provider/lifecycle/ownership";
import { ProviderSession } from "../../provider/provider-session";

const PLATFORM = "http://iap.example:3000";
const A = "6f1c2a3b4c5d6e7f8091a2b3";
const B = "7a2b3c4d5e6f708192a3b4c5";

describe("OneResourcePerTask", () => {
  test("the same URN noted again is one resource; another URN is a second one", () => {
    const register = new OneResourcePerTask();
    expect(register.note(PLATFORM, A, "TaskClaim", "urn:a")).toBeUndefined();
    expect(register.note(PLATFORM, A.toUpperCase(), "TaskClaim", "urn:a")).toBeUndefined();
    expect(register.note(PLATFORM, A, "TaskAssignment", "urn:b")).toMatch(
      /another TaskClaim of this stack already holds/,
    );
    // Without a URN (the dynamic path) and no replace decided: a second resource.
    expect(register.note(PLATFORM, A, "TaskClaim")).toMatch(/already holds/);
  });

  test("a replace without a URN allows the task once more, and only once", () => {
    const register = new OneResourcePerTask();
    expect(register.note(PLATFORM, B, "TaskClaim")).toBeUndefined();
    register.replacing(PLATFORM, B);
    expect(register.note(PLATFORM, B, "TaskClaim")).toBeUndefined();
    expect(register.note(PLATFORM, B, "TaskClaim")).toMatch(/already holds/);
  });

  test("a replace with a URN leaves no allowance: a URN-less note is still refused", () => {
    const register = new OneResourcePerTask();
    expect(register.note(PLATFORM, B, "TaskClaim", "urn:a")).toBeUndefined();
    register.replacing(PLATFORM, B, "urn:a");
    expect(register.note(PLATFORM, B, "TaskClaim")).toMatch(/already holds/);
    expect(register.note(PLATFORM, B, "TaskClaim", "urn:b")).toMatch(/already holds/);
  });

  test("the existing three-argument note keeps its meaning", () => {
    const register = new OneResourcePerTask();
    expect(register.note(PLATFORM, A, "TaskClaim")).toBeUndefined();
    expect(register.note(PLATFORM, A, "TaskClaim")).toMatch(/names task .* which another TaskClaim/);
  });
});

describe("ProviderSession across a replace (the engine's check, diff, check of the replacement)", () => {
  const configured = () => {
    const session = new ProviderSession(() => undefined);
    const values: Record<string, string> = { "itential:baseUrl": PLATFORM, "itential:token": "t" };
    session.configure((key) => values[key]);
    return session;
  };
  const checked = (taskId: string) => ({ inputs: { taskId }, failures: [] });

  test("dynamic (no URN): taskId A → B passes; a genuine second resource on B is still refused", () => {
    const session = configured();
    expect(session.check("TaskClaim", checked(B)).failures).toEqual([]); // check of the update
    session.diffed({ taskId: B }, ["taskId"]); // diff: replace onto B
    expect(session.check("TaskClaim", checked(B)).failures).toEqual([]); // check of the replacement
    expect(session.check("TaskAssignment", checked(B)).failures).toEqual([
      { property: "taskId", reason: expect.stringContaining("another TaskClaim of this stack already holds") },
    ]);
  });

  test("a diff without a replace allows nothing", () => {
    const session = configured();
    expect(session.check("TaskClaim", checked(A)).failures).toEqual([]);
    session.diffed({ taskId: A }, []);
    expect(session.check("TaskClaim", checked(A)).failures.map((f) => f.property)).toEqual(["taskId"]);
  });

  test("native (URN): the replacement's check under the same URN passes, no allowance lingers", () => {
    const session = configured();
    expect(session.check("TaskClaim", checked(B), "urn:one").failures).toEqual([]);
    session.diffed({ taskId: B }, ["taskId"], "urn:one");
    expect(session.check("TaskClaim", checked(B), "urn:one").failures).toEqual([]);
    expect(session.check("TaskClaim", checked(B), "urn:two").failures.map((f) => f.property)).toEqual(["taskId"]);
    expect(session.check("TaskClaim", checked(B)).failures.map((f) => f.property)).toEqual(["taskId"]);
  });
});
