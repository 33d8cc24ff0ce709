// Reading the engine's output: what the provider said about a TaskClaim (or WorkItemClaim) when a run failed.

/**
 * The provider's own message for a TaskClaim in the engine's output (its diagnostics block, where
 * the engine repeats it once per resource), or the engine's last error line when there is none.
 */
export function providerError(text: string): string {
  const lines = text.split("\n");
  const messages = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s+pulumi-nodejs:dynamic\/itential:(TaskClaim|WorkItemClaim) \(/.test(lines[i] as string)) continue;
    for (let j = i + 1; j < lines.length && /^\s{4}/.test(lines[j] as string); j++) {
      const line = (lines[j] as string).trim();
      // A resource recorded with init errors reads "error: 1 error occurred:", then "* <reason>" lines.
      if (line.startsWith("* ")) messages.add(line.slice(2));
      else if (line.startsWith("error: ") && !/^error: \d+ errors? occurred:$/.test(line)) {
        messages.add(line.slice("error: ".length));
      }
    }
  }
  if (messages.size > 0) return [...messages].join(" | ");
  const last = lines.map((line) => line.trim()).filter((line) => line.startsWith("error: "));
  return last.at(-1)?.slice("error: ".length) ?? text.split("\n")[0] ?? "";
}
