// Search queries, typed and encoded exactly as IAP expects (`equals[job._id]=…`). IAP silently
// ignores a filter it cannot read and returns everything, so every field path and value is checked
// here, before anything is sent: a mistake is a ValidationError, never a search that matches all.
import { ValidationError } from "./errors";

export type FilterValue = string | number | boolean;

export interface SearchFilters {
  /** Field equals value: `{ "job._id": id, status: "running" }`. */
  equals?: Record<string, FilterValue>;
  contains?: Record<string, string>;
  startsWith?: Record<string, string>;
  endsWith?: Record<string, string>;
  /** Field is one of the values (sent comma-separated, so values cannot contain commas). */
  in?: Record<string, readonly FilterValue[]>;
  /** Field is greater than the value (numbers, or ISO timestamps compared as text). */
  gt?: Record<string, FilterValue>;
}

export interface SearchQuery {
  filters?: SearchFilters;
  /** Page size (IAP's default is 25). */
  limit?: number;
  skip?: number;
  /** Field path to sort by. */
  sort?: string;
  order?: "asc" | "desc";
  /** Only these fields (and `_id`). Not together with `exclude` (IAP refuses the combination). */
  include?: readonly string[];
  /** Every field but these; `_id` cannot be left out (the client identifies documents by it). */
  exclude?: readonly string[];
  /** Fields IAP should expand in every result, e.g. `["metrics.owner"]`. */
  dereference?: readonly string[];
}

const OPERATORS: [keyof SearchFilters, string][] = [
  ["equals", "equals"],
  ["contains", "contains"],
  ["startsWith", "starts-with"],
  ["endsWith", "ends-with"],
  ["in", "in"],
  ["gt", "gt"],
];

/**
 * A dotted path of plain segments: what IAP reads inside `op[…]`. No `$` anywhere: IAP hands these
 * paths to MongoDB, where a name starting with `$` is an operator (`$where`, `$gt`), and no field
 * of a task, job or account has one; a path that comes from configuration must not become one.
 */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export function checkFieldPath(path: string, where: string): string {
  if (typeof path !== "string" || !FIELD_PATH.test(path)) {
    const shown =
      typeof path === "string" ? JSON.stringify(path.length > 60 ? `${path.slice(0, 60)}…` : path) : typeof path;
    throw new ValidationError(`${where}: ${shown} is not a field path (letters, digits, _, - and dots between names)`);
  }
  return path;
}

function checkValue(value: unknown, where: string): string {
  if (typeof value === "number" && !Number.isFinite(value))
    throw new ValidationError(`${where}: ${value} is not a finite number`);
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new ValidationError(`${where}: filter values are strings, numbers or booleans`);
  }
  return String(value);
}

function checkCount(value: number | undefined, name: string, min: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min)) {
    throw new ValidationError(`${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** Encodes a query as IAP's query parameters. */
export function encodeSearch(query: SearchQuery = {}): URLSearchParams {
  const params = new URLSearchParams();
  const filters = query.filters ?? {};
  for (const key of Object.keys(filters)) {
    if (!OPERATORS.some(([name]) => name === key)) {
      throw new ValidationError(`unknown filter operator "${key}" (use ${OPERATORS.map(([n]) => n).join(", ")})`);
    }
  }
  for (const [name, wire] of OPERATORS) {
    const entries = filters[name];
    if (entries === undefined) continue;
    for (const [field, value] of Object.entries(entries)) {
      const where = `filters.${name}["${field}"]`;
      checkFieldPath(field, where);
      if (name === "in") {
        if (!Array.isArray(value) || value.length === 0)
          throw new ValidationError(`${where} must be a non-empty array`);
        const values = value.map((v) => checkValue(v, where));
        if (values.some((v) => v.includes(","))) {
          throw new ValidationError(
            `${where}: values of an "in" filter cannot contain commas (they are sent comma-separated)`,
          );
        }
        params.append(`${wire}[${field}]`, values.join(","));
      } else {
        params.append(`${wire}[${field}]`, checkValue(value, where));
      }
    }
  }
  checkCount(query.limit, "limit", 1);
  checkCount(query.skip, "skip", 0);
  if (query.limit !== undefined) params.set("limit", String(query.limit));
  if (query.skip !== undefined) params.set("skip", String(query.skip));
  if (query.sort !== undefined) params.set("sort", checkFieldPath(query.sort, "sort"));
  if (query.order !== undefined) {
    if (query.order !== "asc" && query.order !== "desc") throw new ValidationError('order must be "asc" or "desc"');
    params.set("order", query.order === "asc" ? "1" : "-1");
  }
  appendProjection(params, query.include, query.exclude);
  if (query.dereference !== undefined) {
    params.set("dereference", query.dereference.map((field) => checkFieldPath(field, "dereference")).join(","));
  }
  return params;
}

/**
 * Adds `include` or `exclude`. IAP accepts them together only as `exclude=_id` beside an
 * `include`, and a document without `_id` cannot be parsed into a Task or Job, so the client
 * refuses both together and any `exclude` of `_id`: a ValidationError before anything is sent.
 */
export function appendProjection(
  params: URLSearchParams,
  include: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
): void {
  if (include !== undefined && exclude !== undefined) {
    throw new ValidationError(
      "include and exclude cannot be combined (IAP allows it only as exclude=_id, and results need their _id)",
    );
  }
  if (exclude?.includes("_id")) {
    throw new ValidationError("exclude cannot name _id: the client identifies tasks and jobs by it");
  }
  appendFields(params, "include", include);
  appendFields(params, "exclude", exclude);
}

export function appendFields(
  params: URLSearchParams,
  name: "include" | "exclude",
  fields: readonly string[] | undefined,
) {
  if (fields === undefined) return;
  if (fields.length === 0) throw new ValidationError(`${name} must name at least one field`);
  params.set(name, fields.map((f) => checkFieldPath(f, name)).join(","));
}
