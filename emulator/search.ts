// IAP's search query language for GET /operations-manager/tasks and /jobs: bracket filters on
// dotted paths, sort, order, skip, limit. Like IAP, a filter parameter it does not recognise (wrong
// operator, missing brackets, nested brackets) is ignored and the search returns everything: the
// emulator reproduces that on purpose, so a client that builds filters wrongly is caught by tests.

import { getPathValues } from "./documents";
import { badRequest } from "./errors";

export type FilterOperator = "equals" | "contains" | "starts-with" | "ends-with" | "in" | "gt";

export interface Filter {
  operator: FilterOperator;
  path: string;
  value: string;
}

export interface SearchQuery {
  filters: Filter[];
  limit: number;
  skip: number;
  sort: string;
  order: 1 | -1;
}

export const DEFAULT_LIMIT = 25;
const FILTER = /^(equals|contains|starts-with|ends-with|in|gt)\[([^[\]]+)\]$/;

/** A paging parameter: absent means `fallback`; anything but a whole number >= `min` is a 400. */
export function integer(params: URLSearchParams, name: string, fallback: number, min: number): number {
  const raw = params.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw badRequest(`Query parameter ${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

export function parseSearch(params: URLSearchParams): SearchQuery {
  const filters: Filter[] = [];
  for (const [key, value] of params) {
    const match = FILTER.exec(key);
    if (match) filters.push({ operator: match[1] as FilterOperator, path: match[2] as string, value });
  }
  const orderRaw = params.get("order");
  if (orderRaw !== null && orderRaw !== "1" && orderRaw !== "-1") {
    throw badRequest(`Query parameter order must be 1 or -1, got "${orderRaw}"`);
  }
  return {
    filters,
    limit: integer(params, "limit", DEFAULT_LIMIT, 1),
    skip: integer(params, "skip", 0, 0),
    sort: params.get("sort") || "_id",
    order: orderRaw === "-1" ? -1 : 1,
  };
}

function asComparable(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function matchesOne(value: unknown, filter: Filter): boolean {
  if (value === undefined || value === null || typeof value === "object") return false;
  const text = asComparable(value);
  switch (filter.operator) {
    case "equals":
      return text === filter.value;
    case "contains":
      return text.includes(filter.value);
    case "starts-with":
      return text.startsWith(filter.value);
    case "ends-with":
      return text.endsWith(filter.value);
    case "in":
      return filter.value.split(",").includes(text);
    case "gt": {
      const a = Number(value);
      const b = Number(filter.value);
      // Numbers compare as numbers; anything else (ISO timestamps included) as text.
      if (typeof value === "number" && Number.isFinite(b)) return a > b;
      return text > filter.value;
    }
  }
}

export function matches(doc: unknown, filters: readonly Filter[]): boolean {
  return matchesSplit(
    doc,
    filters.map((filter) => ({ filter, parts: filter.path.split(".") })),
  );
}

/** `matches`, with each filter's path split once per search rather than once per document. */
function matchesSplit(doc: unknown, filters: readonly { filter: Filter; parts: readonly string[] }[]): boolean {
  return filters.every(({ filter, parts }) => getPathValues(doc, parts).some((value) => matchesOne(value, filter)));
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return asComparable(a) < asComparable(b) ? -1 : 1;
}

/**
 * Filters, sorts (ties broken by `_id`, so pages never overlap) and pages `items`; filters and sort
 * read `view(item)`, the document as served (the item itself by default).
 */
export function search<T extends { _id: string }>(
  items: Iterable<T>,
  query: SearchQuery,
  view: (item: T) => unknown = (item) => item,
): { page: T[]; total: number } {
  // Each item's view and sort key are computed once, not once per comparison.
  const filters = query.filters.map((filter) => ({ filter, parts: filter.path.split(".") }));
  const sort = query.sort.split(".");
  const found: { item: T; key: unknown }[] = [];
  for (const item of items) {
    const doc = view(item);
    if (matchesSplit(doc, filters)) found.push({ item, key: getPathValues(doc, sort)[0] });
  }
  found.sort((x, y) => {
    const primary = compare(x.key, y.key) * query.order;
    return primary !== 0 ? primary : compare(x.item._id, y.item._id);
  });
  return {
    page: found.slice(query.skip, query.skip + query.limit).map(({ item }) => item),
    total: found.length,
  };
}
