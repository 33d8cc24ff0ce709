// What every class of the native SDK shares, as Pulumi's generated SDKs have it: the package
// version that resource options pin (so the engine asks for the plugin this package ships).
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

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

/**
 * The inputs a resource of this SDK registers: its args under `inputs` (the id `required`), and
 * its `outputs` as undefined so the engine fills them; everything undefined when reading one by
 * id (`get`).
 */
export function heldResourceInputs<Args extends object>(
  args: Args | undefined,
  opts: pulumi.CustomResourceOptions | undefined,
  required: keyof Args & string,
  inputs: readonly (keyof Args & string)[],
  outputs: readonly string[],
): pulumi.Inputs {
  const resourceInputs: pulumi.Inputs = {};
  if (!opts?.id) {
    if (args?.[required] === undefined && !opts?.urn) throw new Error(`Missing required property '${required}'`);
    for (const key of inputs) resourceInputs[key] = args?.[key];
    for (const key of outputs) resourceInputs[key] = undefined;
  } else {
    for (const key of [...inputs, ...outputs]) resourceInputs[key] = undefined;
  }
  return resourceInputs;
}

/**
 * The options of every resource here: the package version, and deleteBeforeReplace by default. A
 * replace the engine decides itself (`up --replace`, replaceOnChanges) never asks the provider's
 * diff, whose deleteBeforeReplace it would then miss: the new claim would be made first, find the
 * old one's claim and refuse it. Released first, then claimed again.
 */
export function heldResourceOptions(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  return pulumi.mergeOptions({ ...resourceOptsDefaults(), deleteBeforeReplace: true }, opts ?? {});
}
