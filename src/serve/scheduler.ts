/**
 * The worker's loop: continuous batching. Generation requests wait in arrival order; before
 * each step the waiting ones are tokenized and prefilled into the batch of their model (the
 * base or one adapter: one BatchDecoder each, since one forward runs one adapter), then every
 * batch takes one step and each token goes out as it is chosen. Rows leave as they finish or
 * are cancelled. Classification and embedding requests that arrived together run as one
 * padded forward pass.
 */
import { randomInt } from "node:crypto";
import { SeededRandom, noGrad, scope, softmax } from "../tensor/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { BatchDecoder, type Sequence, type SequenceInput } from "../generate/batch_decoder.js";
import { resolveOptions, mixSeed, type GenerateOptions } from "../generate/options.js";
import { chatPromptIds } from "../generate/text.js";
import type { LoadedServing } from "./load.js";
import type { EncodedResult, FromWorker, SamplingRequest, ToWorker } from "./protocol.js";

type GenerateMessage = Extract<ToWorker, { type: "generate" }>;
type EncodeMessage = Extract<ToWorker, { type: "encode" }>;

/** A request refused with an HTTP status (the message says what to change). */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Running {
  id: number;
  seqs: Sequence[];
  promptTokens: number;
  open: number;
}

export interface SchedulerOptions {
  /** Most rows one batch decodes at a time; more requests wait. */
  max_batch_size: number;
}

export class Scheduler {
  private readonly waiting: GenerateMessage[] = [];
  private readonly encodes: EncodeMessage[] = [];
  private readonly decoders = new Map<string, BatchDecoder>();
  private readonly running = new Map<Sequence, { req: Running; index: number }>();
  private readonly byId = new Map<number, Running>();
  private readonly cancelled = new Set<number>();
  /** Tokenized rows of waiting requests (a request that does not fit yet is not tokenized again). */
  private readonly prepared = new WeakMap<GenerateMessage, SequenceInput[]>();
  private wake: (() => void) | null = null;
  private stopped = false;
  private lastStats = 0;

  constructor(private readonly served: LoadedServing, private readonly emit: (msg: FromWorker) => void, private readonly opts: SchedulerOptions) {}

  handle(msg: ToWorker): void {
    if (msg.type === "generate") this.waiting.push(msg);
    else if (msg.type === "encode") this.encodes.push(msg);
    else if (msg.type === "cancel") this.cancel(msg.id);
    else if (msg.type === "stop") this.stopped = true;
    this.wake?.();
  }

  /** Runs until stop(); yields to the message port between steps. */
  async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.waiting.length && !this.encodes.length && this.running.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      this.runEncodes();
      this.admit();
      this.stepAll();
      this.reportStats();
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const d of this.decoders.values()) d.dispose();
  }

  private cancel(id: number): void {
    const req = this.byId.get(id);
    if (req) {
      for (const s of req.seqs) {
        const d = this.decoders.get(this.modelOf(s));
        d?.cancel(s);
        this.running.delete(s);
      }
      this.byId.delete(id);
      return;
    }
    this.cancelled.add(id);
  }

  private modelOf(seq: Sequence): string {
    for (const [name, d] of this.decoders) if (d.sequences.includes(seq)) return name;
    return "";
  }

  /** Runs fn with `name`'s adapter active (adapters off for the base model). */
  private withModel<T>(name: string, fn: () => T): T {
    const m = this.served.model;
    if (!(m instanceof PeftModel)) return fn();
    const adapter = this.served.adapterOf.get(name) ?? null;
    if (adapter === null) return m.disableAdapter(fn);
    if (m.activeAdapter !== adapter) m.setAdapter(adapter);
    return fn();
  }

  private decoderFor(name: string): BatchDecoder {
    let d = this.decoders.get(name);
    if (!d) this.decoders.set(name, (d = new BatchDecoder(this.served.base)));
    return d;
  }

  /** Prefills waiting requests into their model's batch while it has room. */
  private admit(): void {
    const admitted = new Map<string, { msg: GenerateMessage; inputs: SequenceInput[] }[]>();
    const room = new Map<string, number>();
    while (this.waiting.length) {
      const msg = this.waiting[0];
      if (this.cancelled.delete(msg.id)) {
        this.waiting.shift();
        continue;
      }
      const free = room.get(msg.model) ?? this.opts.max_batch_size - this.decoderFor(msg.model).size;
      let inputs: SequenceInput[];
      try {
        inputs = this.prepared.get(msg) ?? this.sequenceInputs(msg);
        this.prepared.set(msg, inputs);
      } catch (err) {
        this.waiting.shift();
        this.fail(msg.id, err);
        continue;
      }
      // A request bigger than the whole batch still runs, alone.
      if (inputs.length > free && free < this.opts.max_batch_size) break;
      this.waiting.shift();
      room.set(msg.model, free - inputs.length);
      admitted.set(msg.model, [...(admitted.get(msg.model) ?? []), { msg, inputs }]);
    }
    for (const [name, group] of admitted) {
      try {
        const seqs = this.withModel(name, () => this.decoderFor(name).add(group.flatMap((g) => g.inputs)));
        let at = 0;
        for (const { msg, inputs } of group) {
          const req: Running = { id: msg.id, seqs: seqs.slice(at, at + inputs.length), promptTokens: 0, open: inputs.length };
          at += inputs.length;
          const perChoice = inputs.length / (msg.prompts?.length ?? 1);
          req.promptTokens = inputs.reduce((n, inp, i) => n + (i % perChoice === 0 ? inp.ids.length : 0), 0);
          req.seqs.forEach((s, index) => this.running.set(s, { req, index }));
          this.byId.set(msg.id, req);
          this.emit({ type: "started", id: msg.id, prompt_tokens: req.promptTokens });
        }
      } catch (err) {
        for (const { msg } of group) this.fail(msg.id, err);
        this.resetDecoder(name);
      }
    }
  }

  /** The rows of one request: each prompt (or the chat) n times, each choice with its own generator. */
  private sequenceInputs(msg: GenerateMessage): SequenceInput[] {
    const { tokenizer, info } = this.served;
    if (!info.names.includes(msg.model)) throw new RequestError(404, `model "${msg.model}" is not served here; models: ${info.names.join(", ")}`);
    let prompts: number[][];
    if (msg.messages) {
      if (!info.has_chat_template) throw new RequestError(400, `model "${msg.model}" has no chat template (tokenizer_config.json defines none); use /v1/completions with a plain prompt`);
      prompts = [chatPromptIds(tokenizer, msg.messages)];
    } else {
      prompts = (msg.prompts ?? []).map((p) => tokenizer.encode(p));
    }
    const s = msg.sampling;
    prompts.forEach((p, i) => {
      if (p.length === 0) throw new RequestError(400, `prompt ${i} is empty after tokenization; send some text`);
      if (p.length + s.max_tokens > info.context_length) {
        throw new RequestError(400, `this model's maximum context length is ${info.context_length} tokens, but prompt ${i} has ${p.length} tokens and max_tokens is ${s.max_tokens}; shorten the prompt or lower max_tokens`);
      }
    });
    const options = resolveOptions({ ...generateOptions(s, tokenizer.eos_token_id), tokenizer }, this.served.base.config);
    const seed = s.seed ?? randomInt(2 ** 47);
    return prompts.flatMap((ids, p) =>
      Array.from({ length: s.n }, (_, k) => ({ ids, options, rng: options.do_sample ? new SeededRandom(mixSeed(seed, p * s.n + k)) : null })),
    );
  }

  private stepAll(): void {
    for (const [name, decoder] of this.decoders) {
      if (decoder.size === 0) continue;
      let events;
      try {
        events = this.withModel(name, () => decoder.step());
      } catch (err) {
        const ids = new Set(decoder.sequences.map((s) => this.running.get(s)?.req.id).filter((id): id is number => id !== undefined));
        for (const id of ids) this.fail(id, err);
        this.resetDecoder(name);
        continue;
      }
      for (const e of events) {
        const entry = this.running.get(e.sequence);
        if (!entry) continue;
        const { req, index } = entry;
        if (e.delta) this.emit({ type: "delta", id: req.id, index, text: e.delta });
        if (!e.finish) continue;
        this.running.delete(e.sequence);
        const s = e.sequence;
        this.emit({ type: "finish", id: req.id, index, finish_reason: e.finish, text: s.text?.text ?? "", completion_tokens: s.generated.length });
        if (--req.open === 0) {
          this.byId.delete(req.id);
          this.emit({ type: "done", id: req.id, prompt_tokens: req.promptTokens, completion_tokens: req.seqs.reduce((n, q) => n + q.generated.length, 0) });
        }
      }
    }
  }

  private resetDecoder(name: string): void {
    const d = this.decoders.get(name);
    if (!d) return;
    for (const s of d.sequences) this.running.delete(s);
    d.dispose();
    this.decoders.delete(name);
  }

  private fail(id: number, err: unknown): void {
    this.byId.delete(id);
    const status = err instanceof RequestError ? err.status : err instanceof RangeError ? 400 : 500;
    this.emit({ type: "error", id, status, message: (err as Error).message });
  }

  private reportStats(): void {
    const now = Date.now();
    if (now - this.lastStats < 250) return;
    this.lastStats = now;
    let rows = 0;
    for (const d of this.decoders.values()) rows += d.size;
    this.emit({ type: "stats", rows, waiting: this.waiting.length });
  }

  /** Classification / embeddings: every waiting request of one model in one padded forward pass. */
  private runEncodes(): void {
    const batch = this.encodes.splice(0);
    const byModel = new Map<string, EncodeMessage[]>();
    for (const m of batch) {
      if (this.cancelled.delete(m.id)) continue;
      if (!this.served.info.names.includes(m.model)) {
        this.fail(m.id, new RequestError(404, `model "${m.model}" is not served here; models: ${this.served.info.names.join(", ")}`));
        continue;
      }
      byModel.set(m.model, [...(byModel.get(m.model) ?? []), m]);
    }
    for (const [name, msgs] of byModel) {
      try {
        const texts = msgs.flatMap((m) => m.inputs);
        const { results, tokens } = this.withModel(name, () => this.encode(texts, msgs[0].task));
        let at = 0;
        for (const m of msgs) {
          this.emit({ type: "encoded", id: m.id, results: results.slice(at, at + m.inputs.length), prompt_tokens: tokens.slice(at, at + m.inputs.length).reduce((a, b) => a + b, 0) });
          at += m.inputs.length;
        }
      } catch (err) {
        for (const m of msgs) this.fail(m.id, err);
      }
    }
  }

  private encode(texts: string[], task: "classify" | "embed"): { results: EncodedResult[]; tokens: number[] } {
    const { tokenizer, base, info } = this.served;
    const enc = tokenizer.call(texts, { padding: true, truncation: true, max_length: info.context_length });
    const mask = enc.attention_mask!;
    const tokens = mask.map((m) => m.reduce((a, b) => a + b, 0));
    const model = base as PreTrainedModel;
    return noGrad(() =>
      scope(() => {
        const out = model.forward({ input_ids: enc.input_ids, attention_mask: mask, ...(enc.token_type_ids ? { token_type_ids: enc.token_type_ids } : {}) });
        if (task === "classify") {
          const probs = softmax(out.logits, -1).toFloat32Array();
          const labels = info.labels ?? [];
          const L = out.logits.shape[1];
          const results = texts.map((_, b) => {
            const row = Array.from(probs.subarray(b * L, (b + 1) * L));
            const best = row.indexOf(Math.max(...row));
            const name = (i: number) => labels[i] ?? `LABEL_${i}`;
            return { label: name(best), score: row[best], probs: Object.fromEntries(row.map((p, i) => [name(i), p])) };
          });
          return { results, tokens };
        }
        const hidden = out.last_hidden_state;
        if (!hidden || hidden.ndim !== 3) throw new RequestError(400, `${model.constructor.name} returns no per-token hidden states to pool into embeddings`);
        const [B, T, C] = hidden.shape;
        const h = hidden.contiguous().toFloat32Array();
        const results = Array.from({ length: B }, (_, b) => {
          const sum = new Float64Array(C);
          for (let t = 0; t < T; t++) if (mask[b][t]) for (let c = 0; c < C; c++) sum[c] += h[(b * T + t) * C + c];
          return { embedding: Array.from(sum, (v) => v / Math.max(tokens[b], 1)) };
        });
        return { results, tokens };
      }),
    );
  }
}

/** OpenAI's sampling knobs as generate options: temperature 0 is greedy; no top-k unless asked. */
export function generateOptions(s: SamplingRequest, eos: number | null): GenerateOptions {
  const sample = s.temperature > 0;
  return {
    max_new_tokens: s.max_tokens,
    do_sample: sample,
    temperature: sample ? s.temperature : 1,
    top_k: s.top_k,
    top_p: s.top_p,
    min_p: s.min_p,
    repetition_penalty: s.repetition_penalty,
    stop: s.stop,
    // The tokenizer's EOS, else the model config's.
    ...(eos !== null ? { eos_token_id: eos } : {}),
  };
}
