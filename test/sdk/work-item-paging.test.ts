// The Work Center search as servers may really answer it: pages capped below the asked `limit`
// (with or without `total`), and entries that are only summaries or have odd fields. A scripted
// HTTP server stands in for IAP, since the emulator honours every `limit` up to 100.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { OperationsManagerClient, ResponseFormatError } from "../../sdk";
import { parseWorkItem, parseWorkItemSummary } from "../../sdk/work-items";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** A server holding `count` items whose search pages hold at most `cap` entries. */
function capped(count: number, cap: number, opts: { total: boolean; entry?: (n: number) => unknown }) {
  const entry = opts.entry ?? ((n: number) => ({ id: uuid(n), name: `item ${n}` }));
  const seen: Array<{ skip: number; limit: number }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const { skip = 0, limit = 25 } = JSON.parse(body || "{}") as { skip?: number; limit?: number };
      seen.push({ skip, limit });
      const n = Math.min(limit, cap, Math.max(0, count - skip));
      const data = Array.from({ length: n }, (_, i) => entry(skip + i));
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(opts.total ? { data, total: count } : { data }));
    });
  });
  return { server, seen };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function clientFor(server: http.Server) {
  servers.push(server);
  return new OperationsManagerClient({
    baseUrl: await listen(server),
    auth: { type: "basic", username: "u", password: "p" },
  });
}

test("iterateWorkItems pages until `total` when the server caps pages below the asked limit", async () => {
  const { server, seen } = capped(60, 25, { total: true });
  const client = await clientFor(server);
  const ids: string[] = [];
  for await (const item of client.iterateWorkItems()) ids.push(item.id);
  expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => uuid(i)));
  expect(seen.map((s) => s.skip)).toEqual([0, 25, 50]);
});

test("without `total`, a page shorter than the limit is the last", async () => {
  const { server, seen } = capped(60, 100, { total: false });
  const client = await clientFor(server);
  let n = 0;
  for await (const _ of client.iterateWorkItems({ limit: 50 })) n++;
  expect(n).toBe(60);
  expect(seen.map((s) => s.skip)).toEqual([0, 50]);
});

test("a search entry with odd fields does not fail its page; only `id` is required", async () => {
  const odd = (n: number) =>
    n === 1
      ? { id: uuid(1), execution: { type: "agent" }, groups: { read: ["x"] }, createdAt: "not a time", metrics: 7 }
      : n === 2
        ? { id: uuid(2), rootExecution: null, groups: "all", name: 42 }
        : { id: uuid(n), execution: { id: "job", type: "workflow" }, groups: { read: ["a"], write: ["b"] } };
  const { server } = capped(3, 100, { total: true, entry: odd });
  const client = await clientFor(server);
  const { items } = await client.searchWorkItems();
  expect(items.map((i) => i.id)).toEqual([uuid(0), uuid(1), uuid(2)]);
  expect(items[0]).toMatchObject({ execution: { id: "job" }, groups: { read: ["a"], write: ["b"] } });
  expect(items[1]?.execution).toBeUndefined();
  expect(items[1]?.groups).toEqual({ read: ["x"], write: [] });
  expect(items[1]?.createdAt).toBeUndefined();
  expect(items[2]?.name).toBeUndefined();
});

test("a search entry without an id still fails the page, naming the endpoint", async () => {
  const { server } = capped(2, 100, { total: true, entry: (n) => (n === 1 ? { name: "no id" } : { id: uuid(n) }) });
  const client = await clientFor(server);
  await expect(client.searchWorkItems()).rejects.toThrow(/search/);
});

test("GET one and the writes stay strict where search entries are lenient", () => {
  const origin = { method: "GET", path: "/work-center-service/work-items/x", status: 200 };
  const odd = { id: uuid(9), execution: { type: "agent" }, groups: { read: ["a"] } };
  expect(() => parseWorkItem(odd, origin)).toThrow(ResponseFormatError);
  expect(() => parseWorkItem({ id: uuid(9), createdAt: "not a time" }, origin)).toThrow(ResponseFormatError);
  expect(parseWorkItemSummary(odd, origin)).toMatchObject({ id: uuid(9), groups: { read: ["a"], write: [] } });
  expect(() => parseWorkItemSummary({ name: "no id" }, origin)).toThrow(ResponseFormatError);
});
