// Values of every shape a Pulumi program (or a bad copy-paste) can hand the resources and the
// provider configuration: ids that are almost UUIDs, URLs of every scheme and with credentials,
// numbers as strings, huge strings, unicode, and the engine's "unknown during preview" placeholder.
import fc from "fast-check";
import { UNKNOWN } from "../../provider/lifecycle/inputs";

/** Strings long enough to show a message is shortened rather than echoed, made once (not per run). */
const HUGE = ["a".repeat(100_000), "😀".repeat(50_000), "0".repeat(65_536), `${"6f1c2d3e-".repeat(10_000)}`];

export const huge = fc.constantFrom(...HUGE);

export const unicode = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("ａｌｉｃｅ", "alice\u200b", "al\u0000ice", "\u202eecila", "Zoë", "管理者", "\ud800", "😀"),
);

export const numbersAsStrings = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.constantFrom(
    "1e3",
    "0x10",
    "0o7",
    "Infinity",
    "-Infinity",
    "NaN",
    "-0",
    " 5",
    "5 ",
    "５",
    "1_000",
    "1,000",
    "3.0",
  ),
  fc.constantFrom("99999999999999999999", "2147483648", "4294967296", "9007199254740993", "-1", "+1"),
);

const uuid = fc.uuid().map(String);

/** Task ids: the real shape in every case, and everything people paste instead. */
export const taskIdShapes = fc.oneof(
  uuid,
  uuid.map((u) => u.toUpperCase()),
  uuid.map((u) => `{${u}}`),
  uuid.map((u) => `urn:uuid:${u}`),
  uuid.map((u) => u.replace(/-/g, "")),
  fc
    .tuple(uuid, fc.constantFrom(" ", "\n", "\t", "\u200b", "\u00a0", "/", "/../claim", "?x=1", "#", "%2F", "/claim"))
    .chain(([u, extra]) => fc.constantFrom(`${u}${extra}`, `${extra}${u}`)),
  uuid.map((u) => u.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)))), // fullwidth digits
  fc.stringMatching(/^[0-9a-f]{24}$/), // a job or user id, not a task id
  fc.stringMatching(/^[0-9a-f]{1,4}$/), // a job-local task key
  fc.constant(UNKNOWN),
);

export const objectIdShapes = fc.oneof(
  fc.stringMatching(/^[0-9a-fA-F]{24}$/),
  fc.stringMatching(/^[0-9a-f]{23}$/),
  fc.stringMatching(/^[0-9a-f]{25}$/),
  fc.stringMatching(/^[0-9a-f]{24}$/).map((id) => `ObjectId("${id}")`),
  uuid,
  fc.constant(UNKNOWN),
);

export const urlShapes = fc.oneof(
  fc.webUrl(),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.webUrl().map((u) => u.replace("://", "://svc-pipeline:url-password@")),
  fc.webUrl().map((u) => u.replace("://", "://svc-pipeline@")),
  fc.constantFrom(
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://iap.example.com",
    "ws://iap.example.com",
    "iap.example.com:3443",
    "//iap.example.com",
    "http://",
    "https://",
    "http://[::1]:3000",
    "https://iap.例え.jp",
    "https://iap.example.com/?token=abc",
    "https://iap.example.com#x",
    " https://iap.example.com",
    "https://iap.example.com:99999",
    "https://iap example.com",
    "HTTPS://IAP.EXAMPLE.COM",
    "http://127.0.0.1:3000/operations-manager",
    UNKNOWN,
  ),
);

export const usernames = fc.oneof(
  fc.constantFrom("alice", "admin@pronghorn", "svc-pipeline", "o'brien", "Zoë", " alice", "alice "),
  fc.stringMatching(/^[a-z][a-z0-9@._-]{0,20}$/),
);

/** Anything at all, with every shape above among it. */
export const anything = fc.oneof(
  fc.string(),
  unicode,
  huge,
  numbersAsStrings,
  taskIdShapes,
  urlShapes,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(UNKNOWN),
  fc.constantFrom("true", "false", "TRUE", "1", "0", "yes", ""),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

/** Inputs of either resource: each key unset, of its own likely shapes, or anything. */
export const resourceInputs = fc.record(
  {
    taskId: fc.oneof(taskIdShapes, anything),
    takeOver: anything,
    releaseOnDestroy: anything,
    adopt: anything,
    onDrift: fc.oneof(fc.constantFrom("reclaim", "ignore", "fail", "Reclaim", " fail"), anything),
    baseUrl: fc.oneof(urlShapes, anything),
    user: fc.oneof(usernames, anything),
    userId: fc.oneof(objectIdShapes, anything),
  },
  { requiredKeys: [] },
);
