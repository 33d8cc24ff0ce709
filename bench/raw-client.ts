// The floor the SDK is compared with: plain node:http over one keep-alive agent, the token in the
// query, the body read and JSON-parsed (any client that uses the answer must parse it) and nothing
// else: no validation, retries, deadlines, redaction or logging.
import * as http from "node:http";

export class RawClient {
  // Idle connections are dropped before the emulator (a Node server, 5 s keep-alive timeout) closes
  // them, so a request never races the server closing its connection between rounds.
  readonly #agent = new http.Agent({ keepAlive: true, timeout: 4000 });
  readonly #host: string;
  readonly #port: number;
  #token = "";

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
  }

  /** Logs in once (`POST /login`), as the SDK's login authentication does. */
  async login(username: string, password: string): Promise<void> {
    this.#token = (await this.request("POST", "/login", { user: { username, password } }, false)) as string;
  }

  /** Sends one request and resolves with the parsed JSON answer; a non-2xx status rejects. */
  request(method: "GET" | "POST", pathAndQuery: string, body?: unknown, authenticate = true): Promise<unknown> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const separator = pathAndQuery.includes("?") ? "&" : "?";
    const path = authenticate ? `${pathAndQuery}${separator}token=${encodeURIComponent(this.#token)}` : pathAndQuery;
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.#host,
          port: this.#port,
          method,
          path,
          agent: this.#agent,
          headers: data
            ? {
                accept: "application/json",
                "content-type": "application/json",
                "content-length": Buffer.byteLength(data),
              }
            : { accept: "application/json" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) reject(new Error(`${method} ${pathAndQuery}: ${status} ${text}`));
            else resolve(JSON.parse(text));
          });
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
