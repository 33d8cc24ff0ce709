// The control API for tests and demos, under /_emulator (a prefix IAP does not use), registered only
// when the emulator is started with control enabled.
import { badRequest, EmulatorError, notFound } from "../errors";
import type { FaultPlan } from "../faults";
import type { UserRecord } from "../model";
import { envelope, type Reply, type RequestContext, type Router } from "../router";
import type { EmulatorSeed } from "../seed";
import { type EmulatorSettings, updateSettings } from "../settings";
import { type EmulatorState, StateFileError } from "../state";

export interface RequestLogEntry {
  method: string;
  path: string;
  /** The query string with any `token` value redacted. */
  query: string;
  /** 0 when the connection was reset without an answer. */
  status: number;
  time: string;
  durationMs: number;
  username?: string;
  fault?: string;
}

export interface ControlDeps {
  state: EmulatorState;
  faults: FaultPlan;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  settings(): EmulatorSettings;
  setSettings(next: EmulatorSettings): void;
  reset(seed?: EmulatorSeed): void;
  expireTokens(): number;
  /** Runs an IAP route as `user`, with no authentication, faults or request log. */
  dispatchAs(user: UserRecord, ctx: RequestContext, path: string): Reply;
}

export function registerControlRoutes(router: Router, deps: ControlDeps): void {
  const base = "/_emulator";
  const ok = (message: string, data: unknown = null) => ({ json: envelope(message, data) });

  router.add("GET", `${base}/health`, () => ok("ok", { status: "running" }));
  router.add("GET", `${base}/state`, () => ok("state", deps.state.snapshot()));

  router.add("POST", `${base}/reset`, (ctx) => {
    const seed = (ctx.body as { seed?: unknown } | undefined)?.seed;
    if (seed !== undefined && (typeof seed !== "object" || seed === null || Array.isArray(seed))) {
      throw badRequest("seed must be an object");
    }
    try {
      deps.reset(seed as EmulatorSeed | undefined);
    } catch (error) {
      // Nothing was reset either way: a seed that does not build is the caller's (400), a state
      // file that cannot be written the emulator's (500).
      if (error instanceof StateFileError) {
        throw new EmulatorError(500, `The reset was not made: the emulator ${error.message}`, "internal");
      }
      throw badRequest(error instanceof Error ? error.message : String(error));
    }
    const snapshot = deps.state.snapshot();
    return ok("reset", { jobs: snapshot.jobs.map((j) => j._id), tasks: snapshot.tasks.length });
  });

  router.add("GET", `${base}/requests`, () => ok("requests", deps.requests()));
  router.add("DELETE", `${base}/requests`, () => {
    deps.clearRequests();
    return ok("cleared");
  });

  router.add("GET", `${base}/faults`, () => ok("faults", deps.faults.list()));
  router.add("POST", `${base}/faults`, (ctx) => ok("fault added", deps.faults.add(ctx.body)));
  router.add("DELETE", `${base}/faults`, () => {
    deps.faults.clear();
    return ok("cleared");
  });
  router.add("DELETE", `${base}/faults/:id`, (ctx) => {
    if (!deps.faults.remove(ctx.params.id as string)) throw notFound(`Fault ${ctx.params.id} not found`);
    return ok("removed");
  });

  router.add("GET", `${base}/settings`, () => ok("settings", deps.settings()));
  router.add("PATCH", `${base}/settings`, (ctx) => {
    const next = updateSettings(deps.settings(), ctx.body);
    if (typeof next === "string") throw badRequest(next);
    deps.setSettings(next);
    return ok("settings", next);
  });

  router.add("POST", `${base}/tokens/expire`, () => ok("expired", { count: deps.expireTokens() }));

  // Act as another user out of band, e.g. a person releasing or re-taking a task, to create the
  // drift that `pulumi refresh` must notice: /_emulator/as/alice/operations-manager/tasks/<id>/claim
  for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
    router.add(method, `${base}/as/:username/**`, (ctx) => {
      const user = deps.state.userByName(ctx.params.username as string);
      if (!user) throw notFound(`User ${ctx.params.username} not found`);
      const path = ctx.params["**"] as string;
      if (path.startsWith(base)) throw badRequest("act-as runs IAP routes, not the control API");
      return deps.dispatchAs(user, ctx, path);
    });
  }
}
