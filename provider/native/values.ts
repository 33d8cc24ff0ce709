// Property values between the engine's wire shapes and the plain values the lifecycle takes.
// With `acceptSecrets` the engine sends a secret as an object tagged with SIG; the lifecycle takes
// plain values, so secrets are unwrapped on the way in and the properties that were secret are
// wrapped again on the way out (state keeps them encrypted). Unknown values (preview) stay the
// UNKNOWN string the lifecycle's checks already let through.
import { UNKNOWN } from "../lifecycle/inputs";

/** The key that marks a special value, and its values for secrets. */
export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export { UNKNOWN };

export type Plain = Record<string, unknown>;

function isSecret(value: unknown): value is { value?: unknown } {
  return typeof value === "object" && value !== null && (value as Plain)[SIG] === SECRET_SIG;
}

/** A value with every secret unwrapped; `found` is told when there was one. */
function reveal(value: unknown, found: () => void): unknown {
  if (isSecret(value)) {
    found();
    return reveal(value.value, found);
  }
  if (Array.isArray(value)) return value.map((v) => reveal(v, found));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, found)]));
  }
  return value;
}

/** Plain properties, and the names of those that held a secret (anywhere inside). */
export function unwrap(properties: Plain | undefined): { values: Plain; secrets: Set<string> } {
  const values: Plain = {};
  const secrets = new Set<string>();
  for (const [key, value] of Object.entries(properties ?? {})) {
    values[key] = reveal(value, () => secrets.add(key));
  }
  return { values, secrets };
}

export function secret(value: unknown): Plain {
  return { [SIG]: SECRET_SIG, value };
}

/** `values` with the properties named in `secrets` wrapped as secrets. */
export function wrap(values: Plain, secrets: ReadonlySet<string>): Plain {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, secrets.has(k) && v !== undefined ? secret(v) : v]),
  );
}

/** Whether any property (at any depth) is unknown. */
export function hasUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(hasUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(hasUnknown);
  return false;
}
