// startEmulator() in-process: what a user's own test suite or the demo uses.
import { type RunningEmulator, startEmulator } from "../../emulator";
import { AS, call } from "../support/emulator-process";

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.stop();
});

test("listens on a free port and serves the default seed", async () => {
  expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(emulator.port).toBeGreaterThan(0);
  const res = await call(emulator.url, "GET", "/operations-manager/tasks?equals[type]=manual", { auth: AS.pipeline });
  expect(res.json.data.map((t: { name: string }) => t.name).sort()).toEqual([
    "Approve change",
    "Confirm maintenance window",
    "Security review",
  ]);
});

test("exposes the request log, faults, settings and reset without the HTTP control API", async () => {
  emulator.clearRequests();
  emulator.faults.add({ kind: "status", status: 503, times: 1, path: "/whoami" });
  expect((await call(emulator.url, "GET", "/whoami", { auth: AS.pipeline })).status).toBe(503);
  expect((await call(emulator.url, "GET", "/whoami", { auth: AS.pipeline })).status).toBe(200);
  expect(emulator.requests().map((r) => r.status)).toEqual([503, 200]);

  const tasks = () => [...emulator.state.tasks.values()];
  const id = tasks().find((t) => t.name === "Approve change")?._id;
  const automatic = tasks().find((t) => t.name === "Prepare change")?._id;
  const claimAutomatic = () =>
    call(emulator.url, "POST", `/operations-manager/tasks/${automatic}/claim`, { auth: AS.pipeline });
  expect((await claimAutomatic()).status).toBe(400);
  emulator.updateSettings({ businessErrorsAs500: true });
  expect(emulator.settings().businessErrorsAs500).toBe(true);
  const refused = await claimAutomatic();
  expect(refused.status).toBe(500);
  expect(refused.json.message).toMatch(/is an automatic task: only manual tasks can be claimed/);
  await call(emulator.url, "POST", `/operations-manager/tasks/${id}/claim`, { auth: AS.pipeline });
  expect(emulator.state.tasks.get(id as string)?.metrics.owner).toBeDefined();

  emulator.reset();
  expect(emulator.settings().businessErrorsAs500).toBe(false);
  expect(emulator.requests()).toEqual([]);
  expect(tasks().some((t) => t._id === id)).toBe(false); // a fresh job
  const fresh = tasks().find((t) => t.name === "Prepare change")?._id;
  const afterReset = await call(emulator.url, "POST", `/operations-manager/tasks/${fresh}/claim`, {
    auth: AS.pipeline,
  });
  expect(afterReset.status).toBe(400); // the start-up setting again
  // The control API stays off unless asked for.
  expect((await call(emulator.url, "GET", "/_emulator/health")).status).toBe(404);
});
