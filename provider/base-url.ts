// The platform URL, given in config or per resource. Credentials never belong in it: they would be
// stored in state and printed in logs, so a URL carrying them is refused (without echoing it).

/** Why `value` is not a usable platform URL, or undefined when it is. */
export function checkBaseUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an http:// or https:// URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// URL";
  if (url.username !== "" || url.password !== "") {
    return "must not contain credentials (user:password@): set itential:username and itential:password instead";
  }
  if (url.search !== "" || url.hash !== "") return "must not have a query string or fragment";
  return undefined;
}

/** The form compared and stored: no trailing slash, so `https://iap/` and `https://iap` are one platform. */
export function normaliseBaseUrl(value: string): string {
  return value.replace(/\/+$/, "");
}
