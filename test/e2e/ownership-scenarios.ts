// The ownership model through the real Pulumi CLI, on the packed library, against emulator
// processes, as a demanding user works: renames with and without aliases, two resources on one
// task, a sibling stack on the same account, a person taking the task, drift handled each way, URL
// spellings, unknown task ids, resource options, and a second platform with its own credentials.
// The deletion rules run under a plain operator account and under an administrator, whom IAP (and
// the emulator) lets release anyone's task: only our own checks keep an admin from releasing a
// claim that is not the resource's.
//
// Split in two test files (ownership.test.ts: the operator's half and the platform tests;
// ownership-admin.test.ts: the administrator's half), so the two halves run on both of jest's
// workers instead of one file holding a worker for ten minutes.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Stack } from "@pulumi/pulumi/automation";
import { DEFAULT_CREDENTIALS as C, DEFAULT_WORKFLOW } from "../../emulator";
import { OperationsManagerClient } from "../../sdk";
import { EmulatorProcess, useEmulatorProcess } from "../support/emulator-process";
import { installedLibrary } from "./consumer";
import { type PulumiSandbox, withSandbox } from "./harness";

let emulator: () => EmulatorProcess;

const adminClient = (url = emulator().url) =>
  new OperationsManagerClient({
    baseUrl: url,
    auth: { type: "basic", username: C.admin.username, password: C.admin.password },
  });

/** A new change job's approval task (each test that needs two tasks starts another job). */
async function newApprovalTask(url = emulator().url): Promise<string> {
  const client = adminClient(url);
  const job = await client.startJob(DEFAULT_WORKFLOW);
  const page = await client.listTasks({ filters: { equals: { "job._id": job.id, name: "Approve change" } } });
  return page.items[0]?.id as string;
}

async function holder(taskId: string, url = emulator().url) {
  const task = await adminClient(url).getTask(taskId, { dereference: ["metrics.owner"] });
  return { owner: task.owner?.username, claimTime: task.claimTime };
}

/** The writes IAP saw since the log was last cleared (logins aside), as "POST path". */
async function writes(e: EmulatorProcess = emulator()): Promise<string[]> {
  return (await e.requests())
    .filter((r) => r.method !== "GET" && r.path !== "/login" && r.path !== "/oauth/token")
    .map((r) => `${r.method} ${r.path}`);
}

const clearLog = (e: EmulatorProcess = emulator()) => e.control("DELETE", "/requests");

interface Declared {
  name: string;
  kind?: "claim" | "assignment";
  args: Record<string, unknown>;
  opts?: Record<string, unknown>;
}

/**
 * A stack whose program declares `declared()` (read on every run, so a test edits the program
 * between runs as a user edits theirs), configured for `account`.
 */
async function stackOf(
  sandbox: PulumiSandbox,
  declared: () => Declared[],
  account: { username: string; password: string },
  stackName = "test",
): Promise<Stack> {
  return sandbox.inlineStack(
    async () => {
      const lib = installedLibrary();
      const outputs: Record<string, unknown> = {};
      const made: Record<string, unknown> = {};
      for (const d of declared()) {
        // `deletedWith` names an earlier resource of the program.
        const opts = d.opts?.deletedWith ? { ...d.opts, deletedWith: made[d.opts.deletedWith as string] } : d.opts;
        const resource =
          d.kind === "assignment"
            ? new lib.TaskAssignment(d.name, d.args as never, opts as never)
            : new lib.TaskClaim(d.name, d.args as never, opts as never);
        made[d.name] = resource;
        outputs[d.name] = resource.owner;
      }
      return outputs;
    },
    {
      stackName,
      config: {
        "itential:baseUrl": { value: emulator().url },
        "itential:username": { value: account.username },
        "itential:password": { value: account.password, secret: true },
      },
    },
  );
}

/** What a failed Automation API call said (its stderr and stdout), for matching messages. */
async function failure(run: Promise<unknown>): Promise<string> {
  const result = await run.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (result === undefined) throw new Error("expected the command to fail");
  return String(result instanceof Error ? result.message : result);
}

const ACCOUNTS = [
  ["an operator (svc-pipeline)", C.pipeline],
  ["an administrator", C.admin],
] as const;

/** Declares the suite's tests for one account (and, with the operator, the platform tests). */
export function ownershipSuite(part: "operator" | "administrator"): void {
  jest.setTimeout(900_000);
  emulator = useEmulatorProcess();

  describe.each(ACCOUNTS.filter(([label]) => label.includes(part)))("as %s", (_label, account) => {
    test("rename: without an alias up fails before any write; with an alias nothing is sent; two on one task are refused at preview", async () => {
      const taskId = await newApprovalTask();
      await withSandbox(async (sandbox) => {
        let declared: Declared[] = [{ name: "approval", args: { taskId } }];
        const stack = await stackOf(sandbox, () => declared, account);
        await stack.up();
        const claimed = await holder(taskId);
        expect(claimed.owner).toBe(account.username);

        // Renamed without an alias: the new name must not adopt what the old name made.
        declared = [{ name: "approval-gate", args: { taskId } }];
        await clearLog();
        const refused = await failure(stack.up());
        expect(refused).toContain("already held by");
        expect(refused).toContain("aliases");
        expect(refused).toContain("adopt: true");
        expect(await writes()).toEqual([]);
        expect(await holder(taskId)).toEqual(claimed);
        // State still holds the old name's claim, and IAP agrees.
        const state = await stack.exportStack();
        const names = state.deployment.resources
          .filter((r: { type: string }) => r.type.endsWith("itential:TaskClaim"))
          .map((r: { urn: string }) => r.urn.split("::").pop());
        expect(names).toEqual(["approval"]);

        // With the alias, Pulumi knows it is the same claim: nothing at all is sent to IAP.
        declared = [{ name: "approval-gate", args: { taskId }, opts: { aliases: [{ name: "approval" }] } }];
        await clearLog();
        const aliased = await stack.up();
        expect(aliased.summary.resourceChanges).toEqual({ same: 2 });
        expect(await emulator().requests()).toEqual([]);
        expect(await holder(taskId)).toEqual(claimed);

        // A replace Pulumi decides itself (`up --replace`): the claim is released first, then made
        // again by the same resource, never refused as someone else's nor left released.
        await clearLog();
        const replaced = await stack.up({
          replace: ["urn:pulumi:test::e2e::pulumi-nodejs:dynamic/itential:TaskClaim::approval-gate"],
        });
        expect(replaced.summary.resourceChanges).toMatchObject({ replace: 1 });
        expect(await writes()).toEqual([
          `POST /operations-manager/tasks/${taskId}/release`,
          `POST /operations-manager/tasks/${taskId}/claim`,
        ]);
        expect((await holder(taskId)).owner).toBe(account.username);

        // A second resource (a TaskAssignment here) on the same task: refused at preview, nothing sent.
        declared = [
          { name: "approval-gate", args: { taskId } },
          { name: "approver", kind: "assignment", args: { taskId, user: "bob" } },
        ];
        await clearLog();
        const twice = await failure(stack.preview());
        expect(twice).toMatch(/names task .* which another Task(Claim|Assignment) of this stack already holds/);
        expect(await writes()).toEqual([]);

        // Destroy releases the claim the (renamed) resource made.
        declared = [{ name: "approval-gate", args: { taskId } }];
        await stack.destroy();
        expect((await holder(taskId)).owner).toBeUndefined();
      });
    });

    test("a sibling stack on the same account: refused without adopt; its adopted claim is never released; drift is planned", async () => {
      const taskId = await newApprovalTask();
      await withSandbox(async (sandbox) => {
        const main = await stackOf(sandbox, () => [{ name: "approval", args: { taskId } }], account, "main");
        await main.up();
        const claimed = await holder(taskId);

        let adopt = false;
        const pr = await stackOf(sandbox, () => [{ name: "approval", args: { taskId, adopt } }], account, "pr-7");
        await clearLog();
        expect(await failure(pr.up())).toContain("already held by");
        expect(await writes()).toEqual([]);

        adopt = true;
        const adopted = await pr.up();
        expect(adopted.outputs.approval?.value).toBe(account.username);
        expect(await writes()).toEqual([]);
        const prState = await pr.exportStack();
        const prClaim = prState.deployment.resources.find((r: { type: string }) => r.type.endsWith("TaskClaim"));
        expect(prClaim.outputs.adopted).toBe(true);
        expect(prClaim.outputs.heldSince).toBe(claimed.claimTime);

        // Destroying the per-PR stack leaves main's claim alone.
        await clearLog();
        await pr.destroy();
        expect(await writes()).toEqual([]);
        expect(await holder(taskId)).toEqual(claimed);

        // The maker releases it; a stack that still records it sees the drift and plans a change.
        const pr2 = await stackOf(
          sandbox,
          () => [{ name: "approval", args: { taskId, adopt: true } }],
          account,
          "pr-8",
        );
        await pr2.up();
        await main.destroy();
        expect((await holder(taskId)).owner).toBeUndefined();
        const planned = await pr2.preview({ refresh: true });
        expect(planned.changeSummary).toMatchObject({ update: 1 });
        expect(planned.stdout + planned.stderr).toMatch(
          /refresh found task .* released \(nobody holds it\); up will claim it again/,
        );
        // Its up claims it again, now as its own claim, which its destroy then releases.
        await pr2.up({ refresh: true });
        expect((await holder(taskId)).owner).toBe(account.username);
        await pr2.destroy();
        expect((await holder(taskId)).owner).toBeUndefined();
      });
    });

    test("destroy releases only the claim the resource made: not a person's, not a later claim of the same account", async () => {
      const taskId = await newApprovalTask();
      await withSandbox(async (sandbox) => {
        const stack = await stackOf(sandbox, () => [{ name: "approval", args: { taskId } }], account);
        await stack.up();

        // A person takes it (an admin hands it to alice): destroy sends no release, for any account.
        const alice = await adminClient().findAccount("alice");
        await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/assign`, {
          userId: alice?.id,
        });
        await clearLog();
        await stack.destroy();
        expect(await writes()).toEqual([]);
        expect((await holder(taskId)).owner).toBe("alice");

        // Claimed again, released by a person, then claimed by the same account elsewhere (a new
        // claim time): the old claim is gone and its destroy must not release the new one.
        await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
        const again = await stackOf(sandbox, () => [{ name: "approval", args: { taskId } }], account, "again");
        await again.up();
        await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
        await new Promise((resolve) => setTimeout(resolve, 5)); // a later claim time
        await emulator().actAs(account.username, "POST", `/operations-manager/tasks/${taskId}/claim`);
        const later = await holder(taskId);
        await clearLog();
        await again.destroy();
        expect(await writes()).toEqual([]);
        expect(await holder(taskId)).toEqual(later);
      });
    });

    test("a TaskAssignment renamed without an alias: refused, bob keeps the task; destroy releases the assignment it made, or says why not", async () => {
      const taskId = await newApprovalTask();
      await withSandbox(async (sandbox) => {
        let name = "approver";
        const stack = await stackOf(
          sandbox,
          () => [{ name, kind: "assignment", args: { taskId, user: "bob" } }],
          account,
        );
        await stack.up();
        const assigned = await holder(taskId);
        expect(assigned.owner).toBe("bob");
        name = "named-approver";
        await clearLog();
        expect(await failure(stack.up())).toContain("already held by bob");
        expect(await writes()).toEqual([]);
        expect(await holder(taskId)).toEqual(assigned);
        name = "approver";
        await clearLog();
        if (account === C.admin) {
          // An administrator releases the assignment its resource made.
          await stack.destroy();
          expect((await holder(taskId)).owner).toBeUndefined();
          expect(await writes()).toEqual([`POST /operations-manager/tasks/${taskId}/release`]);
        } else {
          // An operator may assign but not release: destroy fails, naming the ways out, and keeps it.
          const refused = await failure(stack.destroy());
          expect(refused).toContain("still held by bob, and IAP does not let svc-pipeline release it");
          expect(refused).toContain("pulumi destroy --run-program");
          expect(await holder(taskId)).toEqual(assigned);
        }
      });
    });

    test("onDrift: ignore records the person and up --refresh succeeds; fail names them; reclaim claims again", async () => {
      const taskId = await newApprovalTask();
      await withSandbox(async (sandbox) => {
        let onDrift: string | undefined;
        const stack = await stackOf(sandbox, () => [{ name: "approval", args: { taskId, onDrift } }], account);
        await stack.up();
        await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
        await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/claim`);

        // Default ("reclaim"): the plan names the holder and what up will do; up fails naming alice.
        const planned = await stack.preview({ refresh: true });
        expect(planned.changeSummary).toMatchObject({ update: 1 });
        // (Pulumi masks secret values in its output: the admin's password "admin" shows in its name.)
        expect(planned.stdout + planned.stderr).toMatch(
          /held by alice since .*; up will claim it again for \S+ \(onDrift "reclaim"\)/,
        );
        await clearLog();
        expect(await failure(stack.up({ refresh: true }))).toMatch(/is claimed by alice since .* Set takeOver: true/);
        expect(await writes()).toEqual([]);

        onDrift = "fail";
        expect(await failure(stack.up({ refresh: true }))).toMatch(
          /held by alice.*onDrift is "fail", so nothing was sent/,
        );
        expect(await writes()).toEqual([]);

        onDrift = "ignore";
        const ignored = await stack.up({ refresh: true });
        expect(ignored.outputs.approval?.value).toBe("alice");
        expect((await stack.preview({ refresh: true })).changeSummary).toEqual({ same: 2 });
        expect(await writes()).toEqual([]);
        // And destroy leaves alice's claim alone.
        await stack.destroy();
        expect((await holder(taskId)).owner).toBe("alice");
        expect(await writes()).toEqual([]);

        // Released by her: "reclaim" claims it again.
        await emulator().actAs("alice", "POST", `/operations-manager/tasks/${taskId}/release`);
        onDrift = "reclaim";
        await stack.up();
        await emulator().actAs(C.admin.username, "POST", `/operations-manager/tasks/${taskId}/release`);
        const reclaimed = await stack.up({ refresh: true });
        expect(reclaimed.outputs.approval?.value).toBe(account.username);
        await stack.destroy();
      });
    });

    test("resource options: ignoreChanges, protect, retainOnDelete, deletedWith, --target", async () => {
      const [first, second] = [await newApprovalTask(), await newApprovalTask()];
      await withSandbox(async (sandbox) => {
        let declared: Declared[] = [
          { name: "first", args: { taskId: first } },
          { name: "second", args: { taskId: second } },
        ];
        const stack = await stackOf(sandbox, () => declared, account);

        // --target: only the targeted claim is made; the full up then makes the other.
        const urn = (name: string) => `urn:pulumi:test::e2e::pulumi-nodejs:dynamic/itential:TaskClaim::${name}`;
        await stack.up({ target: [urn("first")] });
        expect((await holder(first)).owner).toBe(account.username);
        expect((await holder(second)).owner).toBeUndefined();
        await stack.up();
        expect((await holder(second)).owner).toBe(account.username);

        // ignoreChanges on taskId: a changed task id is ignored, the claim stays where it is.
        const third = await newApprovalTask();
        declared = [
          { name: "first", args: { taskId: third }, opts: { ignoreChanges: ["taskId"] } },
          { name: "second", args: { taskId: second }, opts: { protect: true } },
        ];
        await clearLog();
        const ignored = await stack.up();
        expect(ignored.summary.resourceChanges).toMatchObject({ same: 3 });
        expect(await writes()).toEqual([]);
        expect((await holder(third)).owner).toBeUndefined();

        // protect: destroy refuses, and the protected claim stays held.
        expect(await failure(stack.destroy())).toMatch(/protected/);
        expect((await holder(second)).owner).toBe(account.username);

        // retainOnDelete: removing the resource leaves the task held (Pulumi does not call delete).
        declared = [
          { name: "first", args: { taskId: first }, opts: { retainOnDelete: true } },
          { name: "second", args: { taskId: second } },
        ];
        await stack.up();
        expect((await holder(first)).owner).toBe(account.username);
        declared = [{ name: "second", args: { taskId: second } }];
        await clearLog();
        await stack.up();
        expect(await writes()).toEqual([]);
        expect((await holder(first)).owner).toBe(account.username);

        // deletedWith: deleted along with another resource, Pulumi skips its delete, so its claim stays.
        declared = [
          { name: "second", args: { taskId: second } },
          { name: "third", args: { taskId: third }, opts: { deletedWith: "second" } },
        ];
        await stack.up();
        expect((await holder(third)).owner).toBe(account.username);
        await clearLog();
        await stack.destroy();
        expect(await writes()).toEqual([`POST /operations-manager/tasks/${second}/release`]);
        expect((await holder(third)).owner).toBe(account.username);
        expect((await holder(second)).owner).toBeUndefined();
      });
    });
  });

  if (part !== "operator") return;

  test("URL spellings are no change; an unknown taskId in preview is a possible update, never a certain replace", async () => {
    const taskId = await newApprovalTask();
    await withSandbox(async (sandbox) => {
      const stack = await stackOf(sandbox, () => [{ name: "approval", args: { taskId } }], C.pipeline);
      await stack.up();
      const url = new URL(emulator().url);
      for (const spelling of [`HTTP://${url.host.toUpperCase()}/`, `http://${url.host}//`]) {
        await stack.setConfig("itential:baseUrl", { value: spelling });
        const preview = await stack.preview();
        expect(preview.changeSummary).toEqual({ same: 2 });
      }
      await stack.setConfig("itential:baseUrl", { value: emulator().url });

      // taskId from a resource the engine updates: unknown during preview.
      let round = 1;
      const picker: pulumi.dynamic.ResourceProvider = {
        // `chosen` is an output only: the engine cannot know it while the picker is being updated.
        async create(inputs) {
          return { id: "picker", outs: { ...inputs, chosen: inputs.taskId } };
        },
        async diff(_id, olds, news) {
          return { changes: olds.round !== news.round };
        },
        async update(_id, _olds, news) {
          return { outs: { ...news, chosen: news.taskId } };
        },
      };
      class Picker extends pulumi.dynamic.Resource {
        declare readonly chosen: pulumi.Output<string>;
        constructor(name: string, props: { round: number; taskId: string }) {
          super(picker, name, { ...props, chosen: undefined });
        }
      }
      const withPicker = await sandbox.inlineStack(
        async () => {
          const lib = installedLibrary();
          const picked = new Picker("picker", { round, taskId });
          const claim = new lib.TaskClaim("approval", { taskId: picked.chosen });
          return { owner: claim.owner };
        },
        {
          stackName: "picker",
          config: {
            "itential:baseUrl": { value: emulator().url },
            "itential:username": { value: C.pipeline.username },
            "itential:password": { value: C.pipeline.password, secret: true },
          },
        },
      );
      await stack.destroy();
      await withPicker.up();
      round = 2;
      const preview = await withPicker.preview();
      expect(preview.changeSummary).toMatchObject({ update: 2 });
      expect(preview.changeSummary).not.toHaveProperty("replace");
      expect(preview.stdout + preview.stderr).toMatch(
        /taskId is not known until the resources it comes from are updated/,
      );
      await clearLog();
      const up = await withPicker.up();
      expect(up.summary.resourceChanges).toMatchObject({ update: 1, same: 2 });
      expect(await writes()).toEqual([]);
      await withPicker.destroy();
    });
  });

  /**
   * A TCP pass-through in front of a platform that keeps every byte the client sent (headers and
   * bodies, which the emulator's request log does not show), so a test can prove which credentials
   * reached which platform.
   */
  async function recordingProxy(target: string): Promise<{ url: string; sent: () => string; close: () => void }> {
    const upstream = new URL(target);
    const chunks: Buffer[] = [];
    const server = net.createServer((client) => {
      const forward = net.connect(Number(upstream.port), upstream.hostname);
      client.on("data", (data) => chunks.push(Buffer.from(data)));
      client.pipe(forward).pipe(client);
      const end = () => {
        client.destroy();
        forward.destroy();
      };
      client.on("error", end);
      forward.on("error", end);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
      url: `http://127.0.0.1:${port}`,
      sent: () => Buffer.concat(chunks).toString("latin1"),
      close: () => server.close(),
    };
  }

  test("a second platform with its own credentials: resources and lookups use it; no credential crosses; a baseUrl without credentials is refused at preview", async () => {
    const other = await EmulatorProcess.start();
    const [a, b] = [await recordingProxy(emulator().url), await recordingProxy(other.url)];
    try {
      const taskA = await newApprovalTask();
      const taskB = await newApprovalTask(other.url);
      const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString("base64");
      await withSandbox(async (sandbox) => {
        let mode: "providers" | "baseUrl" = "providers";
        const stack = await sandbox.inlineStack(
          async () => {
            const lib = installedLibrary();
            const config = new pulumi.Config("staging");
            if (mode === "baseUrl") {
              new lib.TaskClaim("on-b", { taskId: taskB, baseUrl: b.url });
              return {};
            }
            const staging = new lib.Provider("staging", {
              baseUrl: b.url,
              username: "alice",
              password: config.requireSecret("password"),
            });
            const onA = new lib.TaskClaim("on-a", { taskId: taskA });
            const onB = new lib.TaskClaim("on-b", { taskId: taskB }, { provider: staging });
            const looked = lib.getTaskOutput({ taskId: taskB }, { provider: staging });
            return { a: onA.owner, b: onB.owner, lookedUp: looked.name };
          },
          {
            stackName: "platforms",
            config: {
              "itential:baseUrl": { value: a.url },
              "itential:username": { value: C.pipeline.username },
              "itential:password": { value: C.pipeline.password, secret: true },
              "staging:password": { value: C.approvers[0].password, secret: true },
            },
          },
        );
        const up = await stack.up({ logToStdErr: true, logVerbosity: 9 } as never);
        expect(up.outputs.a?.value).toBe("svc-pipeline");
        expect(up.outputs.b?.value).toBe("alice");
        expect(up.outputs.lookedUp?.value).toBe("Approve change");
        expect((await holder(taskB, other.url)).owner).toBe("alice");

        // Each platform received its own credentials and never the other's.
        const [sentToA, sentToB] = [a.sent(), b.sent()];
        expect(sentToA).toContain(C.pipeline.password);
        expect(sentToB).toContain(C.approvers[0].password);
        for (const secret of [C.approvers[0].password, basic("alice", C.approvers[0].password)]) {
          expect(sentToA).not.toContain(secret);
        }
        for (const secret of [C.pipeline.password, basic(C.pipeline.username, C.pipeline.password)]) {
          expect(sentToB).not.toContain(secret);
        }
        // The provider's password is a secret: not in the engine's verbose log, nor in the backend's
        // files (exportStack would decrypt it for its caller, so the files themselves are read).
        expect(up.stdout + up.stderr).not.toContain(C.approvers[0].password);
        const stateFiles = fs
          .readdirSync(sandbox.backendDir, { recursive: true, encoding: "utf8" })
          .map((f) => path.join(sandbox.backendDir, f))
          .filter((f) => fs.statSync(f).isFile());
        expect(stateFiles.some((f) => fs.readFileSync(f, "utf8").includes('"itential:providerName"'))).toBe(true);
        for (const file of stateFiles) expect(fs.readFileSync(file, "utf8")).not.toContain(C.approvers[0].password);

        await stack.destroy();
        expect((await holder(taskB, other.url)).owner).toBeUndefined();

        // A resource naming platform B on the stack's provider: refused at preview, B hears nothing.
        mode = "baseUrl";
        const before = b.sent().length;
        const refused = await failure(stack.preview());
        expect(refused).toMatch(/holds credentials for .* never sent to another platform/);
        expect(refused).toContain("new Provider(");
        expect(b.sent().length).toBe(before);
      });
    } finally {
      a.close();
      b.close();
      await other.stop();
    }
  });
}
