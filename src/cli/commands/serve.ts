/**
 * `tunelab serve --model DIR [--adapter name=DIR ...]`: the OpenAI-compatible HTTP server
 * (src/serve) until SIGTERM or SIGINT, which finish the requests in flight first.
 */
import { startServer, SERVE_DEFAULTS, type ServeOptions } from "../../serve/server.js";
import type { AdapterSpec } from "../../serve/load.js";
import { consoleOutput, type Output } from "../../pipelines/run.js";

export interface ServeCommandOptions extends Omit<ServeOptions, "adapters"> {
  /** name=DIR, repeatable. */
  adapter?: string[];
}

export function parseAdapters(specs: string[]): AdapterSpec[] {
  return specs.map((s) => {
    const at = s.indexOf("=");
    if (at <= 0 || at === s.length - 1) throw new Error(`[serve] --adapter ${s}: write name=DIR (e.g. --adapter support=runs/support-lora)`);
    return { name: s.slice(0, at), dir: s.slice(at + 1) };
  });
}

function checkPositive(name: string, v: number | undefined, integer = true): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) throw new Error(`[serve] --${name} must be a positive ${integer ? "integer" : "number"}, got ${v}`);
}

export async function serveCommand(opts: ServeCommandOptions, out: Output = consoleOutput): Promise<void> {
  for (const k of ["max_tokens", "max_queue", "max_batch_size", "max_body_bytes"] as const) checkPositive(k.replace(/_/g, "-"), opts[k]);
  checkPositive("request-timeout", opts.request_timeout_s, false);
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port < 65536)) throw new Error(`[serve] --port must be 0-65535, got ${opts.port}`);
  const server = await startServer({ ...opts, adapters: parseAdapters(opts.adapter ?? []), api_key: opts.api_key ?? process.env.TUNELAB_API_KEY ?? null });
  out.info(`[serve] listening on ${server.url} (models: ${(await server.models()).join(", ")}; max_tokens ${opts.max_tokens ?? SERVE_DEFAULTS.max_tokens}, queue ${opts.max_queue ?? SERVE_DEFAULTS.max_queue})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      out.info(`[serve] ${signal}: finishing the requests in flight, then exiting`);
      server.close().then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  out.info("[serve] stopped");
}
