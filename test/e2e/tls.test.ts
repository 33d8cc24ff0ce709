// TLS through the real CLI (issue 9, item 5), against an emulator serving HTTPS with a certificate
// it generated: `pulumi up` is refused with the setting that fixes it, and with itential:insecure it
// goes through, with the warning printed where a person running `pulumi up` sees it.
import * as path from "node:path";
import { DEFAULT_CREDENTIALS as C } from "../../emulator";
import { useEmulatorProcess } from "../support/emulator-process";
import { withSandbox } from "./harness";

jest.setTimeout(300_000);

const emulator = useEmulatorProcess({ tls: true });
const WARNING = "warning: itential:insecure is true: the platform's TLS certificate is not verified";

/** The lines of the "Diagnostics:" block under one resource's heading (indented below it). */
function diagnosticsOf(stdout: string, heading: RegExp): string[] {
  const lines = stdout.slice(stdout.indexOf("\nDiagnostics:")).split("\n");
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^ {4}/.test(line) && line.trim() !== "") break;
    block.push(line.trim());
  }
  return block;
}

test("refused by default naming itential:caCert; with itential:insecure it works, and the warning is shown", async () => {
  const state = await emulator().control<{ tasks: { _id: string; name: string }[] }>("GET", "/state");
  const taskId = state.tasks.find((t) => t.name === "Approve change")?._id as string;
  await withSandbox(async (sandbox) => {
    const project = sandbox.copyProject(path.join(__dirname, "fixtures", "claim-project"));
    await sandbox.cliOk(["stack", "init", "tls"], project);
    await sandbox.cliOk(
      [
        "config",
        "set-all",
        "--plaintext",
        `itential:baseUrl=${emulator().url}`,
        "--plaintext",
        `itential:username=${C.pipeline.username}`,
        "--secret",
        `itential:password=${C.pipeline.password}`,
        "--plaintext",
        `taskId=${taskId}`,
      ],
      project,
    );

    const refused = await sandbox.cli(["up", "--yes", "--skip-preview"], project);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toContain(
      "The platform's certificate is not trusted: set itential:caCert (or ITENTIAL_CA_FILE) to the CA that signed it",
    );
    expect(refused.stdout).not.toContain(WARNING);

    await sandbox.cliOk(["config", "set", "itential:insecure", "true"], project);
    const up = await sandbox.cliOk(["up", "--yes", "--skip-preview"], project);
    expect(up.stdout).toMatch(/approval +created/);
    // Both processes warn, each once, under the stack's diagnostics: the dynamic provider through
    // its stderr (which the engine prints), the program's lookup as a Pulumi warning.
    const stack = diagnosticsOf(up.stdout, /^ {2}pulumi:pulumi:Stack \(e2e-claims-tls\):$/);
    expect(stack.filter((line) => line.startsWith(WARNING))).toHaveLength(2);

    // destroy runs only the provider: its warning alone.
    const destroy = await sandbox.cliOk(["destroy", "--yes", "--skip-preview"], project);
    expect(destroy.stdout).toMatch(/approval +deleted/);
    const provider = diagnosticsOf(destroy.stdout, /^ {2}pulumi:pulumi:Stack \(e2e-claims-tls\):$/);
    expect(provider.filter((line) => line.startsWith(WARNING))).toHaveLength(1);
  });
});
