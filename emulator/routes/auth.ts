// POST /login, POST /oauth/token, GET /whoami.
import type { Authenticator } from "../auth";
import { badRequest } from "../errors";
import type { Router } from "../router";
import type { EmulatorState } from "../state";

export function registerAuthRoutes(router: Router, state: EmulatorState, auth: Authenticator): void {
  router.add("POST", "/login", (ctx) => {
    const { token } = auth.login(ctx.body);
    // IAP answers the token as a bare JSON string; some versions also set a `token` cookie.
    return { json: token, headers: { "set-cookie": `token=${token}; Path=/; HttpOnly; SameSite=Strict` } };
  });

  router.add("POST", "/oauth/token", (ctx) => {
    if (!(ctx.body instanceof URLSearchParams)) {
      throw badRequest("The token request must be form-encoded (application/x-www-form-urlencoded)");
    }
    const result = auth.clientCredentials(ctx.body);
    return result.ok
      ? { json: result.body, headers: { "cache-control": "no-store" } }
      : { status: result.status, json: result.body };
  });

  // Answered as a bare object (note `id`, not `_id`), not in the envelope: that is how IAP serves it.
  router.add("GET", "/whoami", (ctx) => {
    const user = ctx.user();
    const groups = user.memberOf.flatMap(({ groupId }) => {
      const group = state.groups.get(groupId);
      return group ? [{ id: group._id, provenance: group.provenance, name: group.name }] : [];
    });
    return {
      json: {
        id: user._id,
        provenance: user.provenance,
        username: user.username,
        firstname: user.firstname,
        groups,
        roles: user.roles.map((role) => `OperationsManager.${role}`),
        roleNames: [...user.roles],
        routes: [],
        methods: [],
      },
    };
  });
}
