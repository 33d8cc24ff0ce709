// The platform URL, given in config, on an explicit provider, or (as a check) per resource.
// Credentials never belong in it: they would be stored in state and printed in logs, so a URL
// carrying them is refused (without echoing it).

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

/**
 * The platform a URL names, in one spelling: scheme and host lower-cased, the default port
 * dropped (WHATWG URL parsing does all three), and the path (a platform behind a reverse proxy
 * may live under one) without trailing slashes. `HTTP://IAP:443/` over https and `https://iap` are
 * one platform: equivalent spellings are no change, and credentials configured for one platform go
 * to that platform only. A value that is not a URL is returned as it is (check refuses it).
 */
export function platformOf(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.replace(/\/+$/, "");
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}

/** Whether two URLs name the same platform. */
export function samePlatform(a: string, b: string): boolean {
  return platformOf(a) === platformOf(b);
}
