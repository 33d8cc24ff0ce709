// The work item gone check: after a read fails with 404/500, only a listing known to be complete
// may say "gone" (which drops the claim from state). A scripted server stands in for IAP so the
// listing can be capped, short, repeated or broken as real servers and proxies may answer it.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { contextFor, readWorkItem } from "../../provider/lifecycle/task-facts";
import { OperationsManagerClient, ServerError } from "../../sdk";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const HELD = uuid(40); // beyond the first page of 25
const ROOT = "0123456789abcdef01234567";

type Listing = (skip: number, limit: number) => { status?: number; json: unknown };

/** GET one answers 500 (a transient failure); search and history answer as `listing` says. */
function server(listing: Listing, history: (root: string) => unknown = () => ({ items: [] })) {
  const calls: string[] = [];
  const s = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      calls.push(`${req.method} ${req.url}`);
      res.setHeader("content-type", "application/json");
      const url = new URL(req.url ?? "/", "http://x");
      if (req.method === "POST" && url.pathname.endsWith("/search")) {
        const { skip = 0, limit = 25 } = JSON.parse(body || "{}") as { skip?: number; limit?: number };
        const { status = 200, json } = listing(skip, limit);
        res.statusCode = status;
        res.end(JSON.stringify(json));
        return;
      }
      if (req.method === "GET" && url.searchParams.has("rootExecutionId")) {
        res.end(JSON.stringify(history(url.searchParams.get("rootExecutionId") as string)));
        return;
      }
      res.statusCode = 500;
      res.end(JSON.stringify({ message: "transient", data: null, metadata: {} }));
    });
  });
  return { s, calls };
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((x) => new Promise((r) => x.close(r))));
});

async function ctxFor(s: http.Server) {
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const client = new OperationsManagerClient({
    baseUrl: url,
    auth: { type: "basic", username: "u", password: "p" },
  });
  return contextFor(client, url);
}

/** 60 items, pages capped at 25. */
const cappedAt25 =
  (count: number, withTotal: boolean): Listing =>
  (skip, limit) => {
    const n = Math.min(limit, 25, Math.max(0, count - skip));
    const data = Array.from({ length: n }, (_, i) => ({ id: uuid(skip + i) }));
    return { json: withTotal ? { data, total: count } : { data } };
  };

test("a held item beyond page one survives a transient 500 on read (pages capped at 25, total 60)", async () => {
  const ctx = await ctxFor(server(cappedAt25(60, true)).s);
  await expect(readWorkItem(ctx, HELD)).rejects.toBeInstanceOf(ServerError);
});

test("the same without `total`: short pages are not taken as the end", async () => {
  const ctx = await ctxFor(server(cappedAt25(60, false)).s);
  await expect(readWorkItem(ctx, HELD)).rejects.toBeInstanceOf(ServerError);
});

test("an item missing from a complete listing is gone", async () => {
  const ctx = await ctxFor(server(cappedAt25(30, true)).s);
  expect(await readWorkItem(ctx, HELD)).toBeUndefined();
});

test.each<[string, Listing]>([
  [
    "pages end before the announced total",
    (skip) => ({ json: { data: skip === 0 ? [{ id: uuid(0) }] : [], total: 60 } }),
  ],
  ["a page fails to parse", (skip) => ({ json: skip === 0 ? { data: [{ id: uuid(0) }], total: 60 } : { nope: 1 } })],
  [
    "a page fails",
    (skip) => (skip === 0 ? { json: { data: [{ id: uuid(0) }], total: 60 } } : { status: 500, json: {} }),
  ],
  ["the same page over and over", () => ({ json: { data: [{ id: uuid(0) }] } })],
])("an ambiguous listing (%s) answers 'not gone': the read errors", async (_, listing) => {
  const ctx = await ctxFor(server(listing).s);
  await expect(readWorkItem(ctx, HELD)).rejects.toBeInstanceOf(ServerError);
});

test("with the root execution known, its history decides, not the full search", async () => {
  const held = server(cappedAt25(0, true), (root) => ({ items: root === ROOT ? [{ id: HELD }] : [] }));
  const ctx = await ctxFor(held.s);
  await expect(readWorkItem(ctx, HELD, { rootExecutionId: ROOT })).rejects.toBeInstanceOf(ServerError);
  expect(held.calls.some((c) => c.includes("/search"))).toBe(false);
  expect(held.calls).toContain(`GET /work-center-service/work-items?rootExecutionId=${ROOT}`);
  // And an item absent from its execution's history is gone.
  expect(await readWorkItem(ctx, uuid(1), { rootExecutionId: ROOT })).toBeUndefined();
});
