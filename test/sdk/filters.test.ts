// Search encoding: exactly IAP's bracket syntax, and nothing IAP would silently ignore.
import { ValidationError } from "../../sdk";
import { encodeSearch } from "../../sdk/filters";

const decoded = (params: URLSearchParams) => decodeURIComponent(params.toString());

test("every operator, in IAP's spelling", () => {
  const params = encodeSearch({
    filters: {
      equals: { "job._id": "0123456789abcdef01234567", "metrics.finish_state": "success" },
      contains: { name: "Approve" },
      startsWith: { name: "App" },
      endsWith: { name: "change" },
      in: { status: ["running", "incomplete"] },
      gt: { "metrics.end_time": 1700000000000 },
    },
    limit: 10,
    skip: 20,
    sort: "last_updated",
    order: "desc",
    include: ["name", "metrics.owner"],
  });
  expect(decoded(params)).toBe(
    "equals[job._id]=0123456789abcdef01234567&equals[metrics.finish_state]=success&contains[name]=Approve" +
      "&starts-with[name]=App&ends-with[name]=change&in[status]=running,incomplete&gt[metrics.end_time]=1700000000000" +
      "&limit=10&skip=20&sort=last_updated&order=-1&include=name,metrics.owner",
  );
  expect(params.toString()).toContain("equals%5Bjob._id%5D=");
  expect(decoded(encodeSearch({ exclude: ["variables", "metrics.owner"] }))).toBe("exclude=variables,metrics.owner");
});

test("values are encoded, so one cannot smuggle another parameter in", () => {
  const params = encodeSearch({ filters: { equals: { name: "a&limit=100000&equals[x]=y" } } });
  expect([...params.keys()]).toEqual(["equals[name]"]);
  expect(params.get("equals[name]")).toBe("a&limit=100000&equals[x]=y");
});

test("booleans and numbers are sent as text", () => {
  expect(decoded(encodeSearch({ filters: { equals: { inactive: false, encodingVersion: 1 } } }))).toBe(
    "equals[inactive]=false&equals[encodingVersion]=1",
  );
});

test.each([
  [{ filters: { equals: { "job][_id": "x" } } }, /is not a field path/],
  [{ filters: { equals: { "": "x" } } }, /is not a field path/],
  [{ filters: { equals: { "job..id": "x" } } }, /is not a field path/],
  [{ filters: { equals: { "job._id ": "x" } } }, /is not a field path/],
  // Field names starting with $ are MongoDB operators: a path from config must never become one.
  [{ filters: { equals: { $where: "sleep(10000)" } } }, /is not a field path/],
  [{ filters: { gt: { "metrics.$gt": "" } } }, /is not a field path/],
  [{ sort: "$natural" }, /sort/],
  [{ include: ["name", "$where"] }, /include/],
  [{ dereference: ["$lookup"] }, /dereference/],
  [{ filters: { equal: { name: "x" } } as never }, /unknown filter operator "equal"/],
  [{ filters: { in: { status: [] } } }, /non-empty array/],
  [{ filters: { in: { name: ["a,b"] } } }, /cannot contain commas/],
  [{ filters: { equals: { name: { $ne: 1 } as never } } }, /strings, numbers or booleans/],
  [{ filters: { gt: { n: Number.NaN } } }, /finite number/],
  [{ limit: 0 }, /limit must be an integer >= 1/],
  [{ skip: -1 }, /skip must be an integer >= 0/],
  [{ limit: 2.5 }, /limit/],
  [{ order: "up" as never }, /order must be/],
  [{ sort: "a b" }, /sort/],
  [{ include: [] }, /include must name at least one field/],
  [{ include: ["name"], exclude: ["variables"] }, /include and exclude cannot be combined/],
  [{ include: ["name"], exclude: ["_id"] }, /include and exclude cannot be combined/],
  [{ exclude: ["variables", "_id"] }, /exclude cannot name _id/],
])("%j is refused before sending", (query, message) => {
  expect(() => encodeSearch(query)).toThrow(ValidationError);
  expect(() => encodeSearch(query)).toThrow(message);
});
