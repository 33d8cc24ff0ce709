// Searching tasks and jobs: bracket filters on dotted paths, paging, sorting, projections, and IAP's
// habit of ignoring a filter it cannot read.
import { DEFAULT_CREDENTIALS as C, type EmulatorSeed } from "../../emulator";
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess({ resetEachTest: false });
const JOBS = 7; // 7 jobs × 3 tasks = 21 tasks: more than one page at limit 5

const seed: EmulatorSeed = {
  users: [{ username: C.admin.username, password: C.admin.password, roles: ["admin"] }],
  workflows: [
    {
      name: "Three step",
      tasks: [
        { key: "1", name: "Build", type: "automatic" },
        { key: "2", name: "Approve", after: ["1"] },
        { key: "3", name: "Deploy", after: ["2"] },
      ],
    },
  ],
  jobs: Array.from({ length: JOBS }, (_, i) => ({
    workflow: "Three step",
    description: `Change ${i}`,
    variables: { devices: [{ name: `edge-${i}a` }, { name: `edge-${i}b` }] },
  })),
};

let jobIds: string[];

beforeAll(async () => {
  jobIds = (await emulator().reset(seed)).jobs;
});

const search = async (query: string) => {
  const res = await call(emulator().url, "GET", `/operations-manager/tasks?${query}`, { auth: AS.admin });
  expect(res.status).toBe(200);
  return res.json as {
    data: Record<string, unknown>[];
    metadata: Record<"skip" | "limit" | "total" | "currentPageSize", number> &
      Record<"nextPageSkip" | "previousPageSkip", number | null>;
  };
};

/** IAP's search metadata for a page; null where there is no next or previous page. */
const metadata = (skip: number, limit: number, total: number, size: number) => ({
  skip,
  limit,
  total,
  nextPageSkip: skip + limit < total ? skip + limit : null,
  previousPageSkip: skip > 0 ? Math.max(0, skip - limit) : null,
  currentPageSize: size,
});

test("without filters answers the first 25 with IAP's paging metadata", async () => {
  const res = await search("");
  expect(res.metadata).toEqual({
    skip: 0,
    limit: 25,
    total: JOBS * 3,
    nextPageSkip: null,
    previousPageSkip: null,
    currentPageSize: JOBS * 3,
  });
  expect(res.data).toHaveLength(JOBS * 3);
});

test("paging metadata: the next and previous skips, null at the ends, and the page's size", async () => {
  expect((await search("limit=5")).metadata).toEqual({
    skip: 0,
    limit: 5,
    total: 21,
    nextPageSkip: 5,
    previousPageSkip: null,
    currentPageSize: 5,
  });
  expect((await search("limit=5&skip=7")).metadata).toMatchObject({ nextPageSkip: 12, previousPageSkip: 2 });
  expect((await search("limit=5&skip=20")).metadata).toEqual({
    skip: 20,
    limit: 5,
    total: 21,
    nextPageSkip: null,
    previousPageSkip: 15,
    currentPageSize: 1,
  });
  expect((await search("limit=5&skip=16")).metadata).toMatchObject({ nextPageSkip: null, currentPageSize: 5 });
  expect((await search("skip=100")).metadata).toMatchObject({ nextPageSkip: null, currentPageSize: 0 });
});

test("equals on a dotted path finds the tasks of one job", async () => {
  const res = await search(`equals[job._id]=${jobIds[2]}`);
  expect(res.metadata.total).toBe(3);
  expect(res.data.map((t) => t.name).sort()).toEqual(["Approve", "Build", "Deploy"]);
});

test("filters combine (all must match)", async () => {
  const res = await search(`equals[job._id]=${jobIds[2]}&equals[type]=manual&equals[status]=running`);
  expect(res.data.map((t) => t.name)).toEqual(["Approve"]);
});

test.each([
  ["contains[name]=ppro", ["Approve"]],
  ["starts-with[name]=De", ["Deploy"]],
  ["ends-with[name]=ild", ["Build"]],
  ["in[name]=Build,Deploy", ["Build", "Deploy"]],
  ["equals[status]=complete", ["Build"]],
])("%s", async (filter, names) => {
  const res = await search(`${filter}&limit=100`);
  expect([...new Set(res.data.map((t) => t.name))].sort()).toEqual(names);
  expect(res.metadata.total).toBe(JOBS * names.length);
});

test("gt compares numbers as numbers and timestamps as text", async () => {
  const all = await search("limit=100");
  const numeric = await search("gt[metrics.end_time]=0&limit=100");
  expect(numeric.metadata.total).toBe(JOBS); // only the finished Build tasks have an end time
  const oldest = all.data.map((t) => t.last_updated as string).sort()[0] as string;
  const later = await search(`gt[last_updated]=${encodeURIComponent(oldest)}&limit=100`);
  expect(later.metadata.total).toBeLessThan(all.metadata.total);
});

test("a filter IAP cannot read is ignored and everything comes back", async () => {
  for (const malformed of ["equals=Approve", "equals[job][_id]=x", "equal[name]=Approve", "equals[name=Approve"]) {
    const res = await search(malformed);
    expect(res.metadata.total).toBe(JOBS * 3);
  }
});

test("skip and limit page through without overlap or gaps", async () => {
  const seen: string[] = [];
  for (let skip = 0; skip < JOBS * 3; skip += 5) {
    const page = await search(`limit=5&skip=${skip}`);
    expect(page.metadata).toEqual(metadata(skip, 5, JOBS * 3, page.data.length));
    seen.push(...page.data.map((t) => t._id as string));
  }
  expect(seen).toHaveLength(JOBS * 3);
  expect(new Set(seen).size).toBe(JOBS * 3);
  const beyond = await search("skip=100");
  expect(beyond.data).toEqual([]);
  expect(beyond.metadata.total).toBe(JOBS * 3);
});

test("sort and order", async () => {
  const ascending = await search("sort=name&order=1&limit=100&include=name");
  const names = ascending.data.map((t) => t.name as string);
  expect(names).toEqual([...names].sort());
  const descending = await search("sort=name&order=-1&limit=100&include=name");
  expect(descending.data.map((t) => t.name)).toEqual([...names].reverse());
});

test("include and exclude project every item", async () => {
  const res = await search("limit=2&include=name,status");
  for (const item of res.data) expect(Object.keys(item).sort()).toEqual(["_id", "name", "status"]);
  const excluded = await search("limit=2&exclude=variables");
  for (const item of excluded.data) expect(item.variables).toBeUndefined();
  // Projections apply to what is sent, never to what is stored.
  const again = await search("limit=2");
  for (const item of again.data) expect(item.variables).toBeDefined();
});

test("a filter matches when any element of an array on its path does, in the middle or at the end", async () => {
  const throughArray = await search(`equals[variables.incoming.devices.name]=edge-3b&include=job`);
  expect(throughArray.metadata.total).toBe(3);
  for (const item of throughArray.data) expect((item.job as { _id: string })._id).toBe(jobIds[3]);
  const atTheEnd = await search(`equals[job.ancestors]=${jobIds[5]}&include=_id`);
  expect(atTheEnd.metadata.total).toBe(3);
  const missing = await search("equals[variables.incoming.devices.name.first]=edge-3b");
  expect(missing.metadata.total).toBe(0);
});

test("include with exclude only as exclude=_id, as IAP allows; any other combination is a 400", async () => {
  const withoutId = await search("limit=2&include=name&exclude=_id");
  expect(withoutId.data).toEqual([{ name: expect.any(String) }, { name: expect.any(String) }]);
  for (const route of ["tasks", "jobs"]) {
    const res = await call(emulator().url, "GET", `/operations-manager/${route}?include=name&exclude=variables`, {
      auth: AS.admin,
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      message: "include and exclude cannot be combined, except exclude=_id beside an include (got exclude=variables)",
      data: null,
      metadata: {},
    });
  }
  const one = await call(
    emulator().url,
    "GET",
    `/operations-manager/jobs/${jobIds[0]}?include=name&exclude=_id,status`,
    {
      auth: AS.admin,
    },
  );
  expect(one.status).toBe(400);
  const onlyExclude = await search("limit=1&exclude=_id");
  expect(onlyExclude.data[0]?._id).toBeUndefined();
  expect(onlyExclude.data[0]?.name).toEqual(expect.any(String));
});

test("projections cannot reach prototype machinery", async () => {
  const res = await search("limit=1&include=__proto__.polluted,constructor.prototype");
  expect(Object.keys(res.data[0] as object)).toEqual(["_id"]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

test.each(["limit=0", "limit=abc", "skip=-1", "order=2"])("a bad paging parameter (%s) is a 400", async (query) => {
  const res = await call(emulator().url, "GET", `/operations-manager/tasks?${query}`, { auth: AS.admin });
  expect(res.status).toBe(400);
  expect(res.json.data).toBeNull();
});

test("jobs search with the same operators", async () => {
  const res = await call(
    emulator().url,
    "GET",
    `/operations-manager/jobs?equals[description]=${encodeURIComponent("Change 3")}&include=description,status`,
    { auth: AS.admin },
  );
  expect(res.json.metadata.total).toBe(1);
  expect(res.json.data).toEqual([{ _id: jobIds[3], description: "Change 3", status: "running" }]);
  const paged = await call(emulator().url, "GET", "/operations-manager/jobs?limit=3&skip=6", { auth: AS.admin });
  expect(paged.json.metadata).toEqual({
    skip: 6,
    limit: 3,
    total: JOBS,
    nextPageSkip: null,
    previousPageSkip: 3,
    currentPageSize: 1,
  });
  expect(paged.json.data).toHaveLength(1);
});
