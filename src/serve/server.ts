/**
 * The HTTP server: OpenAI-compatible /v1/completions, /v1/chat/completions (stream: true as
 * server-sent events) and /v1/models; /v1/classify and /v1/embeddings for encoder models;
 * /health and Prometheus /metrics. The model runs in a worker thread (engine.ts), so this
 * thread only parses, checks, queues and writes. Every refusal is a 4xx with OpenAI's error
 * shape and a message saying what to change.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Engine } from "./engine.js";
import { ServerMetrics } from "./metrics.js";
import { type Limits, completionSchema, chatSchema, encodeSchema, describeIssues, samplingOf } from "./schemas.js";
import { checkBearer, HttpError, readJsonBody, sendError, sendJson } from "./http.js";
import { handleCompletion, handleChat } from "./completions.js";
import type { AdapterSpec } from "./load.js";

export interface ServeOptions {
  /** The model folder served. */
  model: string;
  /** Adapters on that model, each chosen by requests whose `model` is its name. */
  adapters?: AdapterSpec[];
  /** The name requests use for the base model (default: the folder's name). */
  served_model_name?: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Bearer token every request but /health must carry. */
  api_key?: string | null;
  /** Largest request body in bytes. */
  max_body_bytes?: number;
  /** Largest max_tokens a request may ask for. */
  max_tokens?: number;
  /** Requests admitted at once (running or waiting); more get 429. */
  max_queue?: number;
  /** Rows decoded together per step. */
  max_batch_size?: number;
  /** Seconds a request may take before it is stopped (504). */
  request_timeout_s?: number;
  /** Seconds shutdown waits for requests in flight. */
  shutdown_timeout_s?: number;
}

export const SERVE_DEFAULTS = {
  host: "127.0.0.1", port: 8080, max_body_bytes: 1 << 20, max_tokens: 1024, max_queue: 64, max_batch_size: 16, request_timeout_s: 120, shutdown_timeout_s: 30,
};

export interface ServerContext {
  engine: Engine;
  metrics: ServerMetrics;
  opts: Required<Omit<ServeOptions, "adapters" | "served_model_name" | "api_key">> & { api_key: string | null };
}

export class TunelabServer {
  readonly http: http.Server;
  private readonly engine: Engine;
  private readonly metrics: ServerMetrics;
  private inFlight = 0;
  private draining = false;
  private readonly idle: (() => void)[] = [];
  private readonly opts: ServerContext["opts"];
  private readonly limits: Limits;

  constructor(options: ServeOptions) {
    const opts = { ...SERVE_DEFAULTS, ...stripUndefined(options), api_key: options.api_key ?? null };
    this.opts = opts as ServerContext["opts"];
    this.limits = { max_tokens: opts.max_tokens, max_batch_inputs: 32, max_n: 8 };
    this.engine = new Engine({
      model: path.resolve(options.model),
      adapters: (options.adapters ?? []).map((a) => ({ name: a.name, dir: path.resolve(a.dir) })),
      servedName: options.served_model_name ?? path.basename(path.resolve(options.model)),
      max_batch_size: opts.max_batch_size,
    });
    this.metrics = new ServerMetrics(() => ({
      tunelab_requests_in_flight: ["Requests admitted and not finished.", this.inFlight],
      tunelab_queue_limit: ["Requests admitted at once before 429 (--max-queue).", this.opts.max_queue],
      tunelab_batch_rows: ["Sequences in the decoding batches.", this.engine.stats.rows],
      tunelab_waiting_requests: ["Requests tokenized and waiting for room in a batch.", this.engine.stats.waiting],
      process_resident_memory_bytes: ["Resident memory of the server process.", process.memoryUsage().rss],
    }));
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.requestTimeout = (opts.request_timeout_s + 30) * 1000;
  }

  /** Loads the model, then listens; resolves once both are done. */
  async listen(): Promise<this> {
    await this.engine.ready;
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.opts.port, this.opts.host, () => resolve());
    });
    return this;
  }

  /** The names requests may use in `model`. */
  async models(): Promise<string[]> {
    return (await this.engine.ready).names;
  }

  get url(): string {
    const a = this.http.address() as AddressInfo;
    return `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  }

  /**
   * Graceful shutdown: stops accepting connections, answers new requests 503, waits for the
   * requests in flight (up to shutdown_timeout_s), then stops the worker.
   */
  async close(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.http.close();
      this.http.closeIdleConnections();
    }
    if (this.inFlight > 0) {
      await Promise.race([
        new Promise<void>((resolve) => this.idle.push(resolve)),
        new Promise<void>((resolve) => setTimeout(resolve, this.opts.shutdown_timeout_s * 1000).unref()),
      ]);
    }
    this.http.closeAllConnections();
    await this.engine.close();
  }

  private release = (): void => {
    this.inFlight--;
    if (this.inFlight === 0) for (const f of this.idle.splice(0)) f();
  };

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://localhost");
    const endpoint = ROUTES[url.pathname] ? url.pathname : "other";
    res.on("finish", () => {
      this.metrics.requests.inc({ endpoint, status: String(res.statusCode) });
      this.metrics.latency.observe({ endpoint }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    try {
      await this.route(url.pathname, req, res);
    } catch (err) {
      if (err instanceof HttpError) {
        if (err.status === 413 || err.status === 400) res.setHeader("Connection", "close");
        sendError(res, err.status, err.message, err.headers);
      } else {
        console.error(`[serve] ${req.method} ${url.pathname}: ${(err as Error).stack ?? err}`);
        sendError(res, 500, `internal error: ${(err as Error).message}`);
      }
    }
  }

  private async route(pathname: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const route = ROUTES[pathname];
    if (!route) throw new HttpError(404, `no route ${pathname}; routes: ${Object.keys(ROUTES).join(", ")}`);
    if (req.method !== route) throw new HttpError(405, `${pathname} takes ${route}, not ${req.method}`, { Allow: route });
    if (pathname === "/health") {
      const status = !this.engine.alive ? "model worker stopped" : this.draining ? "draining" : "ok";
      return sendJson(res, status === "ok" ? 200 : 503, { status, models: this.engine.info?.names ?? [] });
    }
    checkBearer(req, this.opts.api_key);
    if (this.draining) throw new HttpError(503, "the server is shutting down; retry on another instance", { Connection: "close" });
    if (pathname === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(this.metrics.text());
      return;
    }
    const info = this.engine.info!;
    if (pathname === "/v1/models") {
      const created = Math.floor(Date.now() / 1000);
      return sendJson(res, 200, { object: "list", data: info.names.map((id, i) => ({ id, object: "model", created, owned_by: "tunelab", ...(i ? { parent: info.names[0] } : {}) })) });
    }
    const body = await readJsonBody(req, this.opts.max_body_bytes);
    const schema = { "/v1/completions": completionSchema, "/v1/chat/completions": chatSchema, "/v1/classify": encodeSchema, "/v1/embeddings": encodeSchema }[pathname]!(this.limits);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, describeIssues(parsed.error));
    const model = (parsed.data as { model: string }).model;
    if (!info.names.includes(model)) throw new HttpError(404, `model "${model}" is not served here; models: ${info.names.join(", ")}`);
    const generative = info.kind === "causal_lm" || info.kind === "seq2seq";
    if (pathname.startsWith("/v1/c") && pathname !== "/v1/classify" && !generative) {
      throw new HttpError(400, `model "${model}" is a ${info.kind === "classify" ? "classification" : "text-embedding"} model; use ${info.kind === "classify" ? "/v1/classify" : "/v1/embeddings"}`);
    }
    if (pathname === "/v1/classify" && info.kind !== "classify") throw new HttpError(400, `model "${model}" has no classification head; /v1/classify needs a *ForSequenceClassification model`);
    if (pathname === "/v1/embeddings" && generative) throw new HttpError(400, `model "${model}" generates text; /v1/embeddings needs an encoder model (BERT, RoBERTa, DistilBERT)`);
    if (this.inFlight >= this.opts.max_queue) {
      this.metrics.rejected.inc({ reason: "queue_full" });
      throw new HttpError(429, `the server is busy: ${this.inFlight} requests in flight (--max-queue ${this.opts.max_queue}); retry shortly`, { "Retry-After": "1" });
    }
    this.inFlight++;
    const ctx: ServerContext = { engine: this.engine, metrics: this.metrics, opts: this.opts };
    try {
      if (pathname === "/v1/completions") await handleCompletion(ctx, req, res, parsed.data as never, samplingOf(parsed.data as never, 16));
      else if (pathname === "/v1/chat/completions") await handleChat(ctx, req, res, parsed.data as never, samplingOf(parsed.data as never, this.opts.max_tokens));
      else await this.handleEncode(pathname === "/v1/classify" ? "classify" : "embed", res, parsed.data as { model: string; input: string | string[] });
    } finally {
      this.release();
    }
  }

  private async handleEncode(task: "classify" | "embed", res: http.ServerResponse, body: { model: string; input: string | string[] }): Promise<void> {
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    let out;
    try {
      out = await this.engine.encode(body.model, task, inputs);
    } catch (err) {
      throw new HttpError((err as { status?: number }).status ?? 500, (err as Error).message);
    }
    this.metrics.promptTokens.inc({}, out.prompt_tokens);
    const usage = { prompt_tokens: out.prompt_tokens, total_tokens: out.prompt_tokens };
    if (task === "classify") return sendJson(res, 200, { object: "list", model: body.model, data: out.results.map((r, index) => ({ index, ...r })), usage });
    sendJson(res, 200, { object: "list", model: body.model, data: out.results.map((r, index) => ({ object: "embedding", index, ...r })), usage });
  }
}

const ROUTES: Record<string, "GET" | "POST"> = {
  "/health": "GET",
  "/metrics": "GET",
  "/v1/models": "GET",
  "/v1/completions": "POST",
  "/v1/chat/completions": "POST",
  "/v1/classify": "POST",
  "/v1/embeddings": "POST",
};

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Starts a server (model loaded, port bound). */
export async function startServer(opts: ServeOptions): Promise<TunelabServer> {
  return new TunelabServer(opts).listen();
}
