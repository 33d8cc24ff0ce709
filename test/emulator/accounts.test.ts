// GET /authorization/accounts: IAP's `{ results, total }` answer, filters, paging, one account.
import { AS, call, useEmulatorProcess } from "../support/emulator-process";

const emulator = useEmulatorProcess();

test("multiEquals finds an account by exact username, answered as { results, total }", async () => {
  const res = await call(emulator().url, "GET", "/authorization/accounts?multiEquals[username]=alice", {
    auth: AS.pipeline,
  });
  expect(res.status).toBe(200);
  expect(res.json.total).toBe(1);
  expect(res.json.results[0]).toMatchObject({ username: "alice", firstname: "Alice", inactive: false });
  expect(res.json.results[0]._id).toMatch(/^[0-9a-f]{24}$/);
  expect(res.json.results[0].password).toBeUndefined();
  expect(res.json.message).toBeUndefined(); // not the Operations Manager envelope
});

test("repeated values, contains, starts-with, paging and an account by id", async () => {
  const both = await call(
    emulator().url,
    "GET",
    "/authorization/accounts?multiEquals[username]=alice&multiEquals[username]=bob",
    { auth: AS.pipeline },
  );
  expect(both.json.results.map((u: { username: string }) => u.username)).toEqual(["alice", "bob"]);
  const contains = await call(emulator().url, "GET", "/authorization/accounts?multiContains[username]=pipe", {
    auth: AS.pipeline,
  });
  expect(contains.json.results.map((u: { username: string }) => u.username)).toEqual(["svc-pipeline"]);
  const page = await call(emulator().url, "GET", "/authorization/accounts?limit=2&skip=1", { auth: AS.pipeline });
  expect(page.json.total).toBe(5);
  expect(page.json.results).toHaveLength(2);
  const id = both.json.results[0]._id;
  const one = await call(emulator().url, "GET", `/authorization/accounts/${id}`, { auth: AS.pipeline });
  expect(one.json).toMatchObject({ _id: id, username: "alice" });
});

test("errors: unknown and malformed ids, bad paging, no credentials", async () => {
  const url = emulator().url;
  expect(
    (await call(url, "GET", "/authorization/accounts/65a0000000000000000000ff", { auth: AS.pipeline })).status,
  ).toBe(404);
  expect((await call(url, "GET", "/authorization/accounts/alice", { auth: AS.pipeline })).status).toBe(400);
  expect((await call(url, "GET", "/authorization/accounts?limit=0", { auth: AS.pipeline })).status).toBe(400);
  expect((await call(url, "GET", "/authorization/accounts")).status).toBe(401);
});
