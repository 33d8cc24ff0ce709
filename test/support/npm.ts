// npm as the tests run it: quiet, no update notice, output returned (and in the error on failure).
import { execFileSync } from "node:child_process";

export function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" },
  });
}
