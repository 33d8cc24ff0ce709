// Parsing: the documented example, every documented variation (property-based, fast-check), and
// junk, which must raise the client's own error and never a TypeError.
import fc from "fast-check";
import { ItentialError, ResponseFormatError } from "../../sdk";
import {
  envelope,
  normaliseTime,
  type Origin,
  parseJob,
  parsePage,
  parseTask,
  parseWhoAmI,
  parseWith,
} from "../../sdk/schemas";
import documented from "../fixtures/claim-task-response.documented.json";

const origin: Origin = { method: "POST", path: "/operations-manager/tasks/x/claim", status: 200 };

test("the documented claim example parses: owner admin@pronghorn, claim time normalised to UTC ms", () => {
  const body = parseWith(envelope, documented, origin, "the envelope");
  const task = parseTask(body.data, origin);
  expect(task.owner).toEqual({ id: "string", username: "admin@pronghorn" });
  expect(task.user?.username).toBe("admin@pronghorn");
  expect(task.claimTime).toBe("2024-01-15T09:30:00.000Z");
  expect(task).toMatchObject({ id: "string", name: "ViewData", status: "incomplete", job: { taskKey: "e28f" } });
  expect(task.type).toBeUndefined(); // the example's type is null
  expect(task.raw).toBe(body.data);
});

const iso = fc.date({
  min: new Date("2000-01-01T00:00:00Z"),
  max: new Date("2100-01-01T00:00:00Z"),
  noInvalidDate: true,
});
const objectId = fc.stringMatching(/^[0-9a-f]{24}$/);
const username = fc.stringMatching(/^[a-z][a-z0-9@._-]{0,15}$/);

/** Every form IAP is known to send a user reference in. */
const userRef = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(""),
  objectId,
  fc.record({ _id: objectId, username, provenance: fc.constant("Local AAA"), firstname: fc.string() }),
  fc.record({ id: objectId, username }),
);
/** Every form of claim time: ISO with or without ms or offset, epoch ms as number or digits, empty. */
const claimTime = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(""),
  iso.map((d) => d.toISOString()),
  iso.map((d) =>
    d
      .toISOString()
      .replace(".000Z", "Z")
      .replace(/\.\d{3}Z$/, "Z"),
  ),
  iso.map((d) => d.toISOString().replace("Z", "+00:00")),
  iso.map((d) => d.getTime()),
  iso.map((d) => String(d.getTime())),
);

const taskDocument = fc.record(
  {
    _id: fc.uuid(),
    name: fc.string(),
    type: fc.oneof(fc.constantFrom("manual", "automatic", "operation"), fc.constant(null)),
    status: fc.constantFrom("incomplete", "scheduled", "running", "complete", "canceled", "error", "failure", "paused"),
    view: fc.oneof(fc.string(), fc.constant(null)),
    job: fc.record({
      _id: objectId,
      task: fc.stringMatching(/^[0-9a-f]{1,4}$/),
      name: fc.string(),
      ancestors: fc.oneof(fc.array(objectId), fc.constant(null)),
    }),
    groups: fc.oneof(fc.array(objectId), fc.array(fc.record({ _id: objectId, name: fc.string() })), fc.constant(null)),
    metrics: fc.record(
      {
        owner: userRef,
        user: userRef,
        claim_time: claimTime,
        start_time: fc.oneof(
          fc.array(iso.map((d) => d.toISOString())),
          iso.map((d) => d.toISOString()),
          fc.constant(null),
        ),
        end_time: fc.oneof(
          iso.map((d) => d.getTime()),
          fc.constant(null),
        ),
        unknownMetric: fc.anything(),
      },
      { requiredKeys: [] },
    ),
    someFutureField: fc.anything(),
  },
  { requiredKeys: ["_id"] },
);

test("every documented variation of a task document parses and normalises", () => {
  fc.assert(
    fc.property(taskDocument, (doc) => {
      const task = parseTask(doc, origin);
      expect(task.id).toBe(doc._id);
      const owner = doc.metrics?.owner;
      if (owner === undefined || owner === null || owner === "") expect(task.owner).toBeUndefined();
      else if (typeof owner === "string") expect(task.owner).toEqual({ id: owner });
      else expect(task.owner).toEqual({ id: "_id" in owner ? owner._id : owner.id, username: owner.username });
      const time = doc.metrics?.claim_time;
      if (time === undefined || time === null || time === "") expect(task.claimTime).toBeUndefined();
      else
        expect(task.claimTime).toBe(
          new Date(typeof time === "string" && /^\d+$/.test(time) ? Number(time) : time).toISOString(),
        );
      if (task.claimTime) expect(task.claimTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }),
    { numRuns: 300 },
  );
});

/** Parses with every parser, returning what was thrown. */
function thrownBy(value: unknown): unknown[] {
  const errors: unknown[] = [];
  for (const parse of [
    () => parseTask(value, origin),
    () => parseJob(value, origin),
    () => parseWhoAmI(value, origin),
    () => parseWith(envelope, value, origin, "the envelope"),
    () => parsePage(value, value, origin, parseTask),
  ]) {
    try {
      parse();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

test("junk raises ResponseFormatError, never a TypeError", () => {
  fc.assert(
    fc.property(fc.anything({ withNullPrototype: true, withObjectString: true, withBoxedValues: true }), (junk) => {
      for (const error of thrownBy(junk)) {
        expect(error).toBeInstanceOf(ResponseFormatError);
        expect(error).toBeInstanceOf(ItentialError);
      }
    }),
    { numRuns: 500 },
  );
});

test("near-miss documents (a valid task with one field broken) raise ResponseFormatError naming the field", () => {
  const breakers: [string, (doc: Record<string, unknown>) => void][] = [
    [
      "_id",
      (d) => {
        d._id = 42;
      },
    ],
    [
      "_id",
      (d) => {
        delete d._id;
      },
    ],
    [
      "metrics.claim_time",
      (d) => {
        (d.metrics as Record<string, unknown>).claim_time = "yesterday";
      },
    ],
    [
      "metrics.claim_time",
      (d) => {
        (d.metrics as Record<string, unknown>).claim_time = { $date: 1 };
      },
    ],
    [
      "metrics.owner",
      (d) => {
        (d.metrics as Record<string, unknown>).owner = 17;
      },
    ],
    [
      "job",
      (d) => {
        d.job = 5;
      },
    ],
    [
      "status",
      (d) => {
        d.status = ["running"];
      },
    ],
  ];
  fc.assert(
    fc.property(taskDocument, fc.constantFrom(...breakers), (doc, [field, breakIt]) => {
      const copy = structuredClone({ ...doc, metrics: doc.metrics ?? {} }) as Record<string, unknown>;
      breakIt(copy);
      expect(() => parseTask(copy, origin)).toThrow(ResponseFormatError);
      try {
        parseTask(copy, origin);
      } catch (error) {
        expect((error as Error).message).toContain(field.split(".")[0]);
        expect((error as Error).message).toMatch(/^POST \/operations-manager\/tasks\/x\/claim answered HTTP 200/);
      }
    }),
    { numRuns: 100 },
  );
});

test("times: epoch seconds are recognised, nonsense is refused", () => {
  expect(normaliseTime(1705311000, origin, "t")).toBe("2024-01-15T09:30:00.000Z");
  expect(normaliseTime(1705311000000, origin, "t")).toBe("2024-01-15T09:30:00.000Z");
  expect(normaliseTime("2024-01-15T10:30:00+01:00", origin, "t")).toBe("2024-01-15T09:30:00.000Z");
  expect(() => normaliseTime("not a time", origin, "metrics.claim_time")).toThrow(
    /metrics.claim_time "not a time" is not a time/,
  );
  expect(() => normaliseTime(1e20, origin, "t")).toThrow(ResponseFormatError);
});

test("a search answer needs an array and a total", () => {
  expect(() => parsePage({}, { total: 1 }, origin, parseTask)).toThrow(/data is not an array/);
  expect(() => parsePage([], {}, origin, parseTask)).toThrow(/search metadata does not match: total/);
  expect(parsePage([], { total: 0 }, origin, parseTask)).toEqual({ items: [], total: 0, skip: 0, limit: 0 });
});
