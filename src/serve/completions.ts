/**
 * /v1/completions and /v1/chat/completions: one generation request in the worker, answered
 * as one JSON object or, with stream: true, as server-sent events (a chunk per text delta,
 * a last chunk per choice with its finish_reason, optionally a usage chunk, then [DONE]).
 * The request stops (and leaves the batch) when the client goes away or the timeout passes.
 */
import type * as http from "node:http";
import { randomUUID } from "node:crypto";
import type { FinishReason } from "../generate/options.js";
import type { SamplingRequest } from "./protocol.js";
import type { CompletionBody, ChatBody } from "./schemas.js";
import type { GenerationEvent } from "./engine.js";
import { HttpError, errorBody, sendJson } from "./http.js";
import type { ServerContext } from "./server.js";

/** eos and stop strings are both "stop" to OpenAI clients. */
const finishReason = (r: FinishReason) => (r === "length" ? "length" : "stop");

interface Shape {
  object: string;
  chunkObject: string;
  idPrefix: string;
  /** A choice of the final JSON. */
  choice(index: number, text: string, finish: string): Record<string, unknown>;
  /** A streamed choice delta (first: the choice's first chunk). */
  delta(index: number, text: string, finish: string | null, first: boolean): Record<string, unknown>;
}

const COMPLETION: Shape = {
  object: "text_completion",
  chunkObject: "text_completion",
  idPrefix: "cmpl-",
  choice: (index, text, finish) => ({ index, text, logprobs: null, finish_reason: finish }),
  delta: (index, text, finish) => ({ index, text, logprobs: null, finish_reason: finish }),
};

const CHAT: Shape = {
  object: "chat.completion",
  chunkObject: "chat.completion.chunk",
  idPrefix: "chatcmpl-",
  choice: (index, text, finish) => ({ index, message: { role: "assistant", content: text }, logprobs: null, finish_reason: finish }),
  delta: (index, text, finish, first) => ({ index, delta: first ? { role: "assistant", content: text } : text ? { content: text } : {}, logprobs: null, finish_reason: finish }),
};

export function handleCompletion(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, body: CompletionBody, sampling: SamplingRequest): Promise<void> {
  const prompts = typeof body.prompt === "string" ? [body.prompt] : body.prompt;
  return respond(ctx, req, res, COMPLETION, body, { model: body.model, prompts, sampling });
}

export function handleChat(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, body: ChatBody, sampling: SamplingRequest): Promise<void> {
  const messages = body.messages.map((m) => ({ role: m.role, content: typeof m.content === "string" ? m.content : m.content.map((p) => p.text).join("") }));
  return respond(ctx, req, res, CHAT, body, { model: body.model, messages, sampling });
}

async function respond(
  ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, shape: Shape,
  body: { stream?: boolean | null; stream_options?: { include_usage?: boolean } | null },
  msg: Parameters<ServerContext["engine"]["generate"]>[0],
): Promise<void> {
  const { id: reqId, events } = ctx.engine.generate(msg);
  const id = shape.idPrefix + randomUUID().replace(/-/g, "");
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: shape.chunkObject, created, model: msg.model };
  let finished = false;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctx.engine.cancel(reqId);
  }, ctx.opts.request_timeout_s * 1000);
  // The client went away: stop generating for it.
  res.on("close", () => finished || ctx.engine.cancel(reqId));
  const stream = body.stream === true;
  const texts: string[] = [];
  const finishes: string[] = [];
  const opened = new Set<number>();
  let usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  const write = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  try {
    for await (const ev of events as AsyncIterable<GenerationEvent>) {
      if (ev.type === "error") {
        if (!res.headersSent) throw new HttpError(ev.status, ev.message);
        write(errorBody(ev.status, ev.message));
        break;
      }
      if (ev.type === "started" && stream) {
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive" });
        res.flushHeaders();
      } else if (ev.type === "delta") {
        texts[ev.index] = (texts[ev.index] ?? "") + ev.text;
        if (stream) write({ ...base, choices: [shape.delta(ev.index, ev.text, null, !opened.has(ev.index))] }), opened.add(ev.index);
      } else if (ev.type === "finish") {
        finishes[ev.index] = finishReason(ev.finish_reason);
        texts[ev.index] = ev.text;
        if (stream) write({ ...base, choices: [shape.delta(ev.index, "", finishes[ev.index], !opened.has(ev.index))] }), opened.add(ev.index);
      } else if (ev.type === "done") {
        finished = true;
        usage = { prompt_tokens: ev.prompt_tokens, completion_tokens: ev.completion_tokens, total_tokens: ev.prompt_tokens + ev.completion_tokens };
        ctx.metrics.promptTokens.inc({}, ev.prompt_tokens);
        ctx.metrics.completionTokens.inc({}, ev.completion_tokens);
      }
    }
    if (timedOut && !finished) {
      const message = `the request took longer than ${ctx.opts.request_timeout_s} s (--request-timeout) and was stopped`;
      if (!res.headersSent) throw new HttpError(504, message);
      write(errorBody(504, message));
    }
    if (!stream) {
      if (!finished) return; // the client went away
      return sendJson(res, 200, { id, object: shape.object, created, model: msg.model, choices: texts.map((t, i) => shape.choice(i, t ?? "", finishes[i])), usage });
    }
    if (finished && body.stream_options?.include_usage) write({ ...base, choices: [], usage });
    if (res.headersSent) res.end("data: [DONE]\n\n");
  } finally {
    finished = true;
    clearTimeout(timer);
  }
}
