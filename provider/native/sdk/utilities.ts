// What every class of the native SDK shares, as Pulumi's generated SDKs have it: the package
// version that resource options pin (so the engine asks for the plugin this package ships).
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

let version: string | undefined;

/** The npm package's version, the plugin's and the schema's. */
export function getVersion(): string {
  if (version === undefined) {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const file = path.join(dir, "package.json");
      if (fs.existsSync(file)) {
        version = (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
        break;
      }
      if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
    }
  }
  return version;
}

export function resourceOptsDefaults(): pulumi.ResourceOptions & pulumi.InvokeOptions {
  return { version: getVersion() };
}
