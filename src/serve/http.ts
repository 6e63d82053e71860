/** Small HTTP helpers: OpenAI-shaped errors, JSON replies, bounded JSON bodies, bearer tokens. */
import type * as http from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";

/** A refusal with its status; the message tells the client what to change. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error", 405: "invalid_request_error",
  413: "invalid_request_error", 429: "rate_limit_error", 503: "service_unavailable", 504: "timeout",
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function errorBody(status: number, message: string): { error: { message: string; type: string; param: null; code: number } } {
  return { error: { message, type: ERROR_TYPES[status] ?? "server_error", param: null, code: status } };
}

export function sendError(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, errorBody(status, message), headers);
}

/** Reads the body as JSON (whatever Content-Type says, as curl -d sends a form type), refusing more than `limit` bytes (413) and anything that is not JSON (400). */
export async function readJsonBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `the request body is ${declared} bytes; this server takes at most ${limit} (--max-body-bytes)`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the request body exceeds ${limit} bytes (--max-body-bytes)`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) throw new HttpError(400, "the request has no body; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the body is not valid JSON (${(err as Error).message})`);
  }
}

/** Checks `Authorization: Bearer <key>` in constant time (hashes of equal length are compared). */
export function checkBearer(req: http.IncomingMessage, key: string | null): void {
  if (key === null) return;
  const header = req.headers.authorization ?? "";
  const m = /^Bearer\s+(.+)$/i.exec(header);
  const given = createHash("sha256").update(m ? m[1].trim() : "").digest();
  const want = createHash("sha256").update(key).digest();
  if (!m || !timingSafeEqual(given, want)) {
    throw new HttpError(401, m ? "invalid API key" : "missing API key: send Authorization: Bearer <key>", { "WWW-Authenticate": "Bearer" });
  }
}
