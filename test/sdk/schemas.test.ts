// Parsing: the documented example, every documented variation (property-based, fast-check), and
// junk, which must raise the client's own error and never a TypeError.
import fc from "fast-check";
import { ItentialError, ResponseFormatError, sameUser } from "../../sdk";
import {
  envelope,
  isEnvelope,
  isTaskDocument,
  loginResponse,
  normaliseTime,
  type Origin,
  oauthTokenResponse,
  parseAccount,
  parseAccountSearch,
  parseJob,
  parsePage,
  parseTask,
  parseWhoAmI,
  parseWith,
  taskDocument as taskDocumentSchema,
  taskFrom,
} from "../../sdk/schemas";
import documented from "../fixtures/claim-task-response.documented.json";
import { fuzzRuns } from "../support/fuzz";

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

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** A credential as the client sends it: visible ASCII, no spaces, of a sane length. */
const TOKEN = /^[\x21-\x7e]{1,4096}$/;
const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/**
 * Each parser, with what must hold whenever it accepts a value: junk it lets through must still
 * come out as a well-formed result, never as `undefined` ids or half-normalised times.
 */
const PARSERS: Record<
  string,
  { parse: (data: unknown, meta: unknown) => unknown; check(data: unknown, meta: unknown, result: unknown): void }
> = {
  task: {
    parse: (data) => parseTask(data, origin),
    check(data, _meta, result) {
      const task = result as ReturnType<typeof parseTask>;
      expect(isObject(data) && nonEmptyString(data._id)).toBe(true);
      expect(task.id).toBe((data as { _id: string })._id);
      expect(task.raw).toBe(data);
      for (const user of [task.owner, task.user]) if (user !== undefined) expect(nonEmptyString(user.id)).toBe(true);
      for (const time of [task.claimTime, task.lastUpdated]) if (time !== undefined) expect(time).toMatch(ISO_MS);
    },
  },
  job: {
    parse: (data) => parseJob(data, origin),
    check(data, _meta, result) {
      const job = result as ReturnType<typeof parseJob>;
      expect(isObject(data) && nonEmptyString(data._id)).toBe(true);
      expect(job.id).toBe((data as { _id: string })._id);
      if (job.tasks !== undefined) expect(isObject(job.tasks)).toBe(true);
    },
  },
  whoami: {
    parse: (data) => parseWhoAmI(data, origin),
    check(data, _meta, result) {
      const me = result as ReturnType<typeof parseWhoAmI>;
      expect(isObject(data)).toBe(true);
      expect(nonEmptyString(me.id)).toBe(true);
      expect(me.id).toBe((data as { id?: string; _id?: string }).id ?? (data as { _id?: string })._id);
      expect(me.username).toBe((data as { username: unknown }).username);
      expect(nonEmptyString(me.username)).toBe(true);
      expect(Array.isArray(me.groups)).toBe(true);
    },
  },
  envelope: {
    parse: (data) => parseWith(envelope, data, origin, "the envelope"),
    check(data) {
      expect(isObject(data)).toBe(true);
      const message = (data as { message?: unknown }).message;
      expect(message === undefined || message === null || typeof message === "string").toBe(true);
    },
  },
  account: {
    parse: (data) => parseAccount(data, origin),
    check(data, _meta, result) {
      const account = result as ReturnType<typeof parseAccount>;
      expect(isObject(data)).toBe(true);
      expect(nonEmptyString(account.id) && nonEmptyString(account.username)).toBe(true);
      if (account.inactive !== undefined) expect(typeof account.inactive).toBe("boolean");
    },
  },
  accounts: {
    parse: (data) => parseAccountSearch(data, origin),
    check(data, _meta, result) {
      const page = result as ReturnType<typeof parseAccountSearch>;
      expect(page.items).toHaveLength((data as { results: unknown[] }).results.length);
      expect(Number.isInteger(page.total) && page.total >= 0).toBe(true);
    },
  },
  login: {
    parse: (data) => parseWith(loginResponse, data, origin, "the login answer"),
    check(_data, _meta, result) {
      // What goes into every later request's query: a token, not a sentence or a page.
      const token = typeof result === "string" ? result : (result as { token: string }).token;
      expect(token).toMatch(TOKEN);
    },
  },
  oauth: {
    parse: (data) => parseWith(oauthTokenResponse, data, origin, "the OAuth token answer"),
    check(_data, _meta, result) {
      const answer = result as { access_token: string; token_type?: string; expires_in?: number | string };
      expect(answer.access_token).toMatch(/^[A-Za-z0-9._~+/-]{1,4096}=*$/);
      if (answer.token_type !== undefined) expect(answer.token_type.toLowerCase()).toBe("bearer");
      if (answer.expires_in !== undefined) expect(Number(answer.expires_in)).toBeGreaterThanOrEqual(0);
    },
  },
  page: {
    parse: (data, meta) => parsePage(data, meta, origin, parseTask),
    check(data, meta, result) {
      const page = result as ReturnType<typeof parsePage>;
      expect(Array.isArray(data)).toBe(true);
      expect(page.items).toHaveLength((data as unknown[]).length);
      expect(page.total).toBe((meta as { total: number }).total);
      expect(Number.isInteger(page.total) && page.total >= 0).toBe(true);
    },
  },
};

// Small junk (two levels, four keys): the runs go to many shapes, not to a few huge ones.
const junk = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  withNullPrototype: true,
  withObjectString: true,
  withBoxedValues: true,
});
/** Junk that looks like a document: the fields the parsers read, each holding anything. */
const nearDocument = fc.record(
  {
    _id: fc.oneof(fc.string(), junk),
    id: fc.oneof(fc.string(), junk),
    username: fc.oneof(fc.string(), junk),
    message: fc.oneof(fc.string(), junk),
    data: junk,
    metadata: fc.oneof(fc.record({ total: fc.integer() }), junk),
    total: fc.oneof(fc.integer(), junk),
    tasks: fc.oneof(fc.dictionary(fc.string(), fc.object()), junk),
    groups: fc.oneof(fc.array(fc.object()), junk),
    last_updated: fc.oneof(fc.integer(), fc.string(), junk),
    metrics: fc.oneof(fc.record({ owner: junk, user: junk, claim_time: fc.oneof(fc.integer(), junk) }), junk),
  },
  { requiredKeys: [] },
);
/** IAP's own answers, for every parser: so each one is seen accepting something, not only refusing. */
const validAnswer = fc.oneof(
  fc.constant(documented.data),
  fc.record({ id: objectId, username, groups: fc.constant([]) }),
  fc.record({ _id: objectId, username, inactive: fc.boolean() }),
  fc.record({ results: fc.array(fc.record({ _id: objectId, username }), { maxLength: 2 }), total: fc.nat(9) }),
  fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/),
  fc.record({
    access_token: fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/),
    token_type: fc.constant("bearer"),
    expires_in: fc.nat(7200),
  }),
  fc.record({ message: fc.string(), data: fc.constant(null), metadata: fc.constant({}) }),
  fc.array(fc.record({ _id: fc.uuid() }), { maxLength: 2 }),
  fc.record({ total: fc.nat(9) }),
);
const anyValue = fc.oneof(junk, nearDocument, fc.array(nearDocument, { maxLength: 3 }), validAnswer);

test("junk raises ResponseFormatError, never a TypeError; junk accepted still parses into a well-formed result", () => {
  const seen = Object.fromEntries(Object.keys(PARSERS).map((name) => [name, { accepted: 0, refused: 0 }]));
  fc.assert(
    fc.property(anyValue, anyValue, (data, meta) => {
      for (const [name, parser] of Object.entries(PARSERS)) {
        let result: unknown;
        try {
          result = parser.parse(data, meta);
        } catch (error) {
          expect(error).toBeInstanceOf(ResponseFormatError);
          expect(error).toBeInstanceOf(ItentialError);
          (seen[name] as { refused: number }).refused++;
          continue;
        }
        parser.check(data, meta, result);
        (seen[name] as { accepted: number }).accepted++;
      }
    }),
    { numRuns: fuzzRuns(1500) },
  );
  // Both branches ran for every parser, so neither half of this test is vacuous.
  for (const [name, counts] of Object.entries(seen)) {
    expect({ name, accepted: counts.accepted > 0, refused: counts.refused > 0 }).toEqual({
      name,
      accepted: true,
      refused: true,
    });
  }
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

test("a user reference sent as a string: a 24-hex id, or else a username (older IAP versions)", () => {
  const withOwner = (owner: unknown) => parseTask({ _id: "t", metrics: { owner } }, origin).owner;
  expect(withOwner("0123456789abcdef01234567")).toEqual({ id: "0123456789abcdef01234567" });
  expect(withOwner("Pronghorn")).toEqual({ id: "Pronghorn", username: "Pronghorn" });
  expect(withOwner("admin@pronghorn")).toEqual({ id: "admin@pronghorn", username: "admin@pronghorn" });
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

test("times outside years 0000-9999 are refused, not written in the expanded '+010000-…' form", () => {
  for (const value of [253402300800000, "253402300800000", -62167219200001, "+010000-01-01T00:00:00Z"]) {
    expect(() => parseTask({ _id: "t", last_updated: value }, origin)).toThrow(ResponseFormatError);
  }
  expect(parseTask({ _id: "t", last_updated: 253402300799999 }, origin).lastUpdated).toBe("9999-12-31T23:59:59.999Z");
});

test("sameUser compares users by whatever both references have", () => {
  const svc = { id: "65a000000000000000000001", username: "svc-pipeline" };
  expect(sameUser(svc, { id: "65a000000000000000000001" })).toBe(true); // an id alone
  expect(sameUser(svc, { id: "svc-pipeline", username: "svc-pipeline" })).toBe(true); // older IAP: a username
  expect(sameUser({ id: "svc-pipeline", username: "svc-pipeline" }, svc)).toBe(true);
  expect(sameUser(svc, { id: "65a000000000000000000002", username: "alice" })).toBe(false);
  expect(sameUser(svc, { id: "alice", username: "alice" })).toBe(false);
  expect(sameUser(svc, undefined)).toBe(false);
  expect(sameUser({ id: "" }, { id: "" })).toBe(false);
});

describe("IAP's answers with one field broken", () => {
  const DELETE = Symbol("delete the field");
  const notString = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}));
  const notStringOrNull = notString;
  const notTime = fc.oneof(
    fc.boolean(),
    fc.constant([]),
    fc.constant({ $date: 1 }),
    fc.constantFrom("yesterday", "2024-13-45T99:00:00Z", "soon", "+010000-01-01T00:00:00Z"),
    fc.constantFrom(1e20, -1e20, Number.MAX_SAFE_INTEGER),
  );
  const notUser = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({ _id: 5 }));
  const notToken = fc.oneof(
    notString,
    fc.constantFrom("", " ", "two words", "line\nbreak", "tab\there", "x".repeat(5000), "😀"),
  );
  /** Fine in a query string, but not in `Authorization: Bearer …` (RFC 6750's b64token). */
  const notBearer = fc.constantFrom("<html>", "a:b", "a,b", '"quoted"', "=abc");
  /** A pool of valid documents of each kind, made once: a case then costs a clone and a parse. */
  const pool = <T>(arb: fc.Arbitrary<T>) => fc.constantFrom(...fc.sample(arb, 40));

  interface Kind {
    parse(value: unknown): unknown;
    valid: fc.Arbitrary<unknown>;
    /** A path (empty: the whole answer), what may not be there, and what the error must name. */
    broken: [string[], fc.Arbitrary<unknown>, string][];
  }
  const search = (value: unknown) => {
    const { data, metadata } = value as { data: unknown; metadata: unknown };
    return parsePage(data, metadata, origin, parseTask);
  };
  const KINDS: Record<string, Kind> = {
    task: {
      parse: (v) => parseTask(v, origin),
      valid: pool(taskDocument),
      broken: [
        [["_id"], fc.oneof(notString, fc.constant(""), fc.constant(DELETE), fc.constant(null)), "_id"],
        [["name"], fc.oneof(notString, fc.constant(null)), "name"],
        [["status"], fc.oneof(notString, fc.constant(null)), "status"],
        [["type"], notStringOrNull, "type"],
        [["view"], notStringOrNull, "view"],
        [["summary"], notStringOrNull, "summary"],
        [["job"], fc.oneof(fc.integer(), fc.boolean(), fc.constant([])), "job"],
        [["job", "_id"], notString, "job"],
        [["job", "task"], notString, "job"],
        [["groups"], fc.oneof(fc.integer(), fc.string(), fc.constant({})), "groups"],
        [["groups"], fc.constant([1, 2]), "groups"],
        [["metrics"], fc.oneof(fc.integer(), fc.string(), fc.constant([])), "metrics"],
        [["metrics", "owner"], notUser, "metrics"],
        [["metrics", "user"], notUser, "metrics"],
        [["metrics", "claim_time"], notTime, "claim_time"],
        // Read for its type only (the client does not use it): a wrong type is refused.
        [["metrics", "end_time"], fc.oneof(fc.boolean(), fc.constant([]), fc.constant({ $date: 1 })), "end_time"],
        [["last_updated"], notTime, "last_updated"],
        [[], fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([])), "(root)"],
      ],
    },
    job: {
      parse: (v) => parseJob(v, origin),
      valid: pool(fc.record({ _id: objectId, name: fc.string(), status: fc.constantFrom("running", "complete") })),
      broken: [
        [["_id"], fc.oneof(notString, fc.constant(""), fc.constant(DELETE)), "_id"],
        [["name"], notString, "name"],
        [["tasks"], fc.oneof(fc.integer(), fc.string(), fc.constant([])), "tasks"],
        [["tasks"], fc.constant({ b2: 7 }), "tasks"],
      ],
    },
    whoami: {
      parse: (v) => parseWhoAmI(v, origin),
      valid: pool(
        fc.record({ id: objectId, username, groups: fc.array(fc.record({ id: objectId, name: fc.string() })) }),
      ),
      broken: [
        [["username"], fc.oneof(notString, fc.constant(""), fc.constant(DELETE)), "username"],
        [["id"], fc.oneof(notString, fc.constant("")), "id"],
        [["id"], fc.constant(DELETE), "no id"],
        [["groups"], fc.oneof(fc.integer(), fc.string(), fc.constant({}), fc.constant(["admins"])), "groups"],
      ],
    },
    account: {
      parse: (v) => parseAccount(v, origin),
      valid: pool(fc.record({ _id: objectId, username, firstname: fc.string(), inactive: fc.boolean() })),
      broken: [
        [["username"], fc.oneof(notString, fc.constant(""), fc.constant(DELETE)), "username"],
        [["_id"], fc.oneof(notString, fc.constant("")), "_id"],
        [["_id"], fc.constant(DELETE), "no _id"],
        [["inactive"], fc.oneof(fc.constantFrom("yes", "true", 1, 0), fc.constant([])), "inactive"],
      ],
    },
    accounts: {
      parse: (v) => parseAccountSearch(v, origin),
      valid: pool(
        fc.record({ results: fc.array(fc.record({ _id: objectId, username }), { maxLength: 3 }), total: fc.nat(5) }),
      ),
      broken: [
        [["results"], fc.oneof(fc.constant(DELETE), fc.integer(), fc.constant({})), "results"],
        [["total"], fc.oneof(fc.constant(DELETE), fc.constantFrom(-1, 1.5, "3", null)), "total"],
        [["results"], fc.constant([{ _id: "65a000000000000000000001" }]), "username"],
      ],
    },
    envelope: {
      parse: (v) => parseWith(envelope, v, origin, "the envelope"),
      valid: pool(fc.record({ message: fc.string(), data: fc.constant(null), metadata: fc.constant({}) })),
      broken: [
        [["message"], fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({})), "message"],
        [["metadata"], fc.oneof(fc.integer(), fc.string(), fc.constant([])), "metadata"],
        [[], fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant([])), "(root)"],
      ],
    },
    search: {
      parse: search,
      valid: pool(
        fc.record({
          data: fc.array(
            taskDocument.map((t) => ({ _id: t._id })),
            { maxLength: 3 },
          ),
          metadata: fc.record({ total: fc.nat(9), skip: fc.nat(9), limit: fc.nat(9) }),
        }),
      ),
      broken: [
        [["data"], fc.oneof(fc.constant(DELETE), fc.integer(), fc.constant({})), "not an array"],
        [["metadata", "total"], fc.oneof(fc.constant(DELETE), fc.constantFrom(-1, 2.5, "7", null)), "total"],
        [["metadata", "skip"], fc.constantFrom(-1, 0.5, "0"), "skip"],
        [["metadata"], fc.oneof(fc.constant(DELETE), fc.string()), "metadata"],
        [["data"], fc.constant([{ name: "no id" }]), "_id"],
      ],
    },
    login: {
      parse: (v) => parseWith(loginResponse, v, origin, "the login answer"),
      valid: pool(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/),
          fc.record({ token: fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/) }),
        ),
      ),
      broken: [
        [
          [],
          fc.oneof(notToken, fc.constant(null), fc.constant({ token: 5 }), fc.constant({ token: "a b" })),
          "login answer",
        ],
      ],
    },
    oauth: {
      parse: (v) => parseWith(oauthTokenResponse, v, origin, "the OAuth token answer"),
      valid: pool(
        fc.record({
          access_token: fc.stringMatching(/^[A-Za-z0-9_.-]{16,40}$/),
          token_type: fc.constantFrom("bearer", "Bearer"),
          expires_in: fc.nat(86400),
        }),
      ),
      broken: [
        [["access_token"], fc.oneof(notToken, notBearer, fc.constant(DELETE)), "access_token"],
        [["token_type"], fc.oneof(fc.constantFrom("mac", "basic", ""), fc.integer()), "token_type"],
        [["expires_in"], fc.constantFrom(-1, "soon", true, "-5", Number.NaN, "1e3"), "expires_in"],
      ],
    },
  };

  function broken(value: unknown, path: string[], replacement: unknown): unknown {
    if (path.length === 0) return replacement;
    const copy = structuredClone(value) as Record<string, unknown>;
    let target = copy;
    for (const key of path.slice(0, -1)) {
      if (target[key] === null || typeof target[key] !== "object") target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = path.at(-1) as string;
    if (replacement === DELETE) delete target[last];
    else target[last] = replacement;
    return copy;
  }

  const cases = fc.constantFrom(...Object.keys(KINDS)).chain((name) => {
    const kind = KINDS[name] as Kind;
    return fc.tuple(
      fc.constant(name),
      kind.valid,
      fc
        .constantFrom(...kind.broken)
        .chain(([path, wrong, names]) => fc.tuple(fc.constant(path), wrong, fc.constant(names))),
    );
  });

  test("are refused with ResponseFormatError naming the field, never accepted and never a TypeError", () => {
    const refused = new Map<string, number>();
    fc.assert(
      fc.property(cases, ([name, valid, [path, wrong, names]]) => {
        const kind = KINDS[name] as Kind;
        expect(() => kind.parse(valid)).not.toThrow(); // the document was fine before the break
        let error: unknown;
        try {
          kind.parse(broken(valid, path, wrong));
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(ResponseFormatError);
        expect((error as Error).message).toContain(names);
        refused.set(name, (refused.get(name) ?? 0) + 1);
      }),
      { numRuns: fuzzRuns(6500) },
    );
    expect([...refused.keys()].sort()).toEqual(Object.keys(KINDS).sort());
  });
});

describe("the hand checks of the hottest answers agree with their zod schemas", () => {
  // Values of every JSON kind, and the near misses each rule has to tell apart.
  const anyValue = fc.oneof(
    fc.constantFrom(undefined, null, "", "x", "2026-11-29T10:00:00Z", 0, -1, 1.5, true, false),
    fc.constantFrom([], ["a"], [1, null, "b"], [{}], [true], {}, { _id: "a" }, { _id: 1 }, { id: 5 }),
    // JSON.parse gives Infinity for 1e400, which no JSON number rule of zod's accepts.
    fc.constantFrom(JSON.parse("1e400"), JSON.parse("-1e400"), [JSON.parse("1e400")], { _id: "a", id: "b" }),
    fc.constantFrom({ id: "b", username: "u" }, { username: 2 }, { task: "k", name: "n" }, { ancestors: [] }),
    fc.constantFrom({ ancestors: "no" }, { ancestors: null }, { owner: "u" }, { owner: { _id: null } }),
    fc.constantFrom({ start_time: [1, "x", null] }, { start_time: [true] }, { claim_time: {} }, { end_time: 3 }),
  );
  const field = (...names: string[]) =>
    fc.dictionary(fc.constantFrom(...names), anyValue, { maxKeys: names.length }).map((entries) => entries);
  const metrics = fc.oneof(anyValue, field("owner", "user", "claim_time", "start_time", "end_time"));
  const job = fc.oneof(anyValue, field("_id", "task", "name", "ancestors", "other"));
  const objectOf = (v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {});
  const taskLike = fc.oneof(
    anyValue,
    // Documented shapes (valid), then each with one field, or one of its metrics or job, replaced.
    taskDocument,
    fc
      .tuple(taskDocument, fc.constantFrom("_id", "name", "type", "status", "job", "groups", "last_updated"), anyValue)
      .map(([doc, key, value]) => ({ ...doc, [key]: value })),
    fc
      .tuple(taskDocument, fc.constantFrom("owner", "user", "claim_time", "start_time", "end_time"), anyValue)
      .map(([doc, key, value]) => ({ ...doc, metrics: { ...objectOf(doc.metrics), [key]: value } })),
    fc
      .tuple(taskDocument, fc.constantFrom("_id", "task", "name", "ancestors"), anyValue)
      .map(([doc, key, value]) => ({ ...doc, job: { ...objectOf(doc.job), [key]: value } })),
    fc
      .tuple(
        field("_id", "name", "summary", "type", "status", "view", "groups", "last_updated", "extra"),
        fc.option(job, { nil: undefined }),
        fc.option(metrics, { nil: undefined }),
        fc.option(fc.stringMatching(/^[0-9a-f]{0,4}$/), { nil: undefined }),
      )
      .map(([doc, j, m, id]) => ({
        ...doc,
        ...(j !== undefined ? { job: j } : {}),
        ...(m !== undefined ? { metrics: m } : {}),
        ...(id !== undefined ? { _id: id } : {}),
      })),
  );

  test("isTaskDocument says yes exactly when taskDocument does", () => {
    let accepted = 0;
    fc.assert(
      fc.property(taskLike, (value) => {
        const verdict = isTaskDocument(value);
        expect(verdict).toBe(taskDocumentSchema.safeParse(value).success);
        if (verdict) accepted++;
      }),
      { numRuns: fuzzRuns(3000) },
    );
    // Both verdicts were reached often enough to mean something.
    expect(accepted).toBeGreaterThan(fuzzRuns(3000) / 5);
  });

  test("isEnvelope says yes exactly when envelope does", () => {
    const envelopeLike = fc.oneof(
      anyValue,
      field("message", "data", "metadata", "other"),
      fc.record({ message: anyValue, data: anyValue, metadata: fc.oneof(anyValue, field("total", "skip")) }),
    );
    fc.assert(
      fc.property(envelopeLike, (value) => {
        expect(isEnvelope(value)).toBe(envelope.safeParse(value).success);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  test("a task the hand check accepts gives the same Task as zod's copy of it", () => {
    fc.assert(
      fc.property(taskLike, (value) => {
        if (!isTaskDocument(value)) return;
        // The same Task, or the same error (a time that is not one) either way.
        const outcome = (doc: typeof value) => {
          try {
            return { task: taskFrom(doc, value, origin) };
          } catch (error) {
            return { error: String(error) };
          }
        };
        expect(outcome(value)).toEqual(outcome(taskDocumentSchema.parse(value)));
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });
});
