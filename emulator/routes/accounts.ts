// IAP's accounts API, as far as task owners need it: find a user's id by username (to assign a
// task to a named person) and read one account. Answers are bare `{ results, total }` / account
// objects, not the Operations Manager envelope, as IAP's authorization routes answer.
import { publicUser } from "../documents";
import { badRequest, notFound } from "../errors";
import { OBJECT_ID } from "../ids";
import type { UserRecord } from "../model";
import type { Router } from "../router";
import { integer } from "../search";
import type { EmulatorState } from "../state";

const DEFAULT_LIMIT = 25;
/** `multiEquals[username]=a&multiEquals[username]=b`: any of the values (repeat the parameter). */
const OPERATORS: Record<string, (value: string, wanted: string) => boolean> = {
  multiEquals: (value, wanted) => value === wanted,
  multiContains: (value, wanted) => value.includes(wanted),
  multiStartsWith: (value, wanted) => value.startsWith(wanted),
};
const FIELDS = new Set(["username", "firstname", "email", "_id"]);

export function registerAccountRoutes(router: Router, state: EmulatorState): void {
  router.add("GET", "/authorization/accounts", (ctx) => {
    ctx.user();
    const tests: ((user: UserRecord) => boolean)[] = [];
    for (const [operator, match] of Object.entries(OPERATORS)) {
      for (const field of FIELDS) {
        const wanted = ctx.query.getAll(`${operator}[${field}]`);
        if (wanted.length === 0) continue;
        tests.push((user) => {
          const value = String((user as unknown as Record<string, unknown>)[field] ?? "");
          return wanted.some((w) => match(value, w));
        });
      }
    }
    const found = [...state.users.values()]
      .filter((user) => tests.every((test) => test(user)))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
    const skip = integer(ctx.query, "skip", 0, 0);
    const limit = integer(ctx.query, "limit", DEFAULT_LIMIT, 1);
    return { json: { results: found.slice(skip, skip + limit).map(publicUser), total: found.length } };
  });

  router.add("GET", "/authorization/accounts/:accountId", (ctx) => {
    ctx.user();
    const id = ctx.params.accountId as string;
    if (!OBJECT_ID.test(id)) throw badRequest(`Invalid account id "${id}": an account id is 24 hexadecimal characters`);
    const user = state.users.get(id);
    if (!user) throw notFound(`Account ${id} not found`);
    return { json: publicUser(user) };
  });
}
