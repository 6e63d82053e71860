/**
 * Llama as transformers' modeling_llama.py builds it: RMSNorm, rotary position embeddings in
 * the rotate_half layout, grouped-query attention, a SwiGLU MLP, pre-norm decoder layers,
 * then the task heads (LlamaForCausalLM, LlamaForSequenceClassification). Mistral and Qwen2
 * reuse every class here with their own config (mistral.ts, qwen2.ts).
 */
import { Tensor, cat, scaledDotProductAttention, add, mul, applyRotaryEmb, ropeTables, ropeInvFreq, layerScope } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, RMSNorm, getActivation, type Activation, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { PreTrainedModel, type LoadReport, toIds, type TaskKind } from "../modeling_utils.js";
import { LlamaConfig } from "./config.js";
import { KVCache } from "../kv_cache.js";
import {
  type PastKeyValues, type DecoderInputs, type DecoderOutput, expandBatch, checkpointLayer, pastLength, checkPastLayers, defaultPositionIds, keyPaddingMask, causalLmLoss, keptPositions, lastTokenIndices, poolRows,
} from "../decoder_utils.js";
import { sequenceClassificationLoss } from "../loss_utils.js";

/** Llama's RMSNorm: w · x / sqrt(mean(x²) + eps), key "weight". */
export class LlamaRMSNorm extends RMSNorm {}

/**
 * cos/sin tables (P, head_dim/2) from rope_theta and rope_scaling, grown on demand: buffers
 * that are never saved (transformers' inv_freq is a non-persistent buffer too). It is not a
 * registered child (no state-dict or buffer listing sees it), only a holder of its tables.
 */
export class LlamaRotaryEmbedding extends Module {
  constructor(readonly config: LlamaConfig) {
    super();
    ropeInvFreq(config.head_dim, config.rope_theta, config.rope_scaling); // rejects a bad rope_scaling now
    this.addBuffer("cos", null, false);
    this.addBuffer("sin", null, false);
  }

  /** Tables covering positions [0, n). */
  tables(n: number): { cos: Tensor; sin: Tensor } {
    const have = this.buffer("cos");
    if (!have || have.shape[0] < n) {
      // setBuffer releases the old tables: a graph not yet backpropagated may still read them.
      const size = Math.max(n, Math.min(this.config.max_position_embeddings, 2048));
      const { cos, sin } = ropeTables(this.config.head_dim, size, this.config.rope_theta, this.config.rope_scaling);
      this.setBuffer("cos", cos);
      this.setBuffer("sin", sin);
    }
    return { cos: this.buffer("cos")!, sin: this.buffer("sin")! };
  }
}

export class LlamaMLP extends Module {
  readonly gate_proj: LinearLike;
  readonly up_proj: LinearLike;
  readonly down_proj: LinearLike;
  private readonly act: Activation;

  constructor(config: LlamaConfig) {
    super();
    const opts = { bias: config.mlp_bias, std: config.initializer_range };
    this.gate_proj = this.addModule("gate_proj", new Linear(config.hidden_size, config.intermediate_size, opts));
    this.up_proj = this.addModule("up_proj", new Linear(config.hidden_size, config.intermediate_size, opts));
    this.down_proj = this.addModule("down_proj", new Linear(config.intermediate_size, config.hidden_size, opts));
    this.act = getActivation(config.hidden_act);
  }

  forward(x: Tensor): Tensor {
    return this.down_proj.forward(mul(this.act(this.gate_proj.forward(x)), this.up_proj.forward(x)));
  }
}

/** What every layer of one forward reads: rotary tables, positions, the key mask, the cache being built. */
interface LayerContext {
  cos: Tensor;
  sin: Tensor;
  positions: Tensor;
  mask: Tensor | null;
  present: PastKeyValues | null;
  /** A cache extended in place (instead of past tensors concatenated). */
  cache: KVCache | null;
}

export class LlamaAttention extends Module {
  readonly q_proj: LinearLike;
  readonly k_proj: LinearLike;
  readonly v_proj: LinearLike;
  readonly o_proj: LinearLike;
  private readonly heads: number;
  private readonly kvHeads: number;
  private readonly headDim: number;

  constructor(readonly config: LlamaConfig, readonly layerIdx: number) {
    super();
    this.heads = config.num_attention_heads;
    this.kvHeads = config.num_key_value_heads;
    this.headDim = config.head_dim;
    const std = config.initializer_range;
    const qkvBias = config.qkvBias;
    this.q_proj = this.addModule("q_proj", new Linear(config.hidden_size, this.heads * this.headDim, { bias: qkvBias, std }));
    this.k_proj = this.addModule("k_proj", new Linear(config.hidden_size, this.kvHeads * this.headDim, { bias: qkvBias, std }));
    this.v_proj = this.addModule("v_proj", new Linear(config.hidden_size, this.kvHeads * this.headDim, { bias: qkvBias, std }));
    this.o_proj = this.addModule("o_proj", new Linear(this.heads * this.headDim, config.hidden_size, { bias: config.attention_bias, std }));
  }

  forward(hidden: Tensor, ctx: LayerContext, past?: [Tensor, Tensor]): Tensor {
    const [B, T] = hidden.shape;
    const D = this.headDim;
    const q = applyRotaryEmb(this.q_proj.forward(hidden).reshape(B, T, this.heads, D).permute(0, 2, 1, 3), ctx.cos, ctx.sin, ctx.positions);
    let k = applyRotaryEmb(this.k_proj.forward(hidden).reshape(B, T, this.kvHeads, D).permute(0, 2, 1, 3), ctx.cos, ctx.sin, ctx.positions);
    let v = this.v_proj.forward(hidden).reshape(B, T, this.kvHeads, D).permute(0, 2, 1, 3);
    // Past keys (a prefix, or a cache) are used as given: a prefix is never rotated.
    if (ctx.cache) {
      [k, v] = ctx.cache.update(this.layerIdx, k, v);
    } else if (past) {
      k = cat([expandBatch(past[0], B), k], 2);
      v = cat([expandBatch(past[1], B), v], 2);
    }
    ctx.present?.push([k, v]);
    const dropoutP = this.training ? this.config.attention_dropout : 0;
    const attn = scaledDotProductAttention(q, k, v, { keyPaddingMask: ctx.mask, isCausal: true, scale: 1 / Math.sqrt(D), dropoutP });
    return this.o_proj.forward(attn.permute(0, 2, 1, 3).reshape(B, T, this.heads * D));
  }
}

export class LlamaDecoderLayer extends Module {
  readonly self_attn: LlamaAttention;
  readonly mlp: LlamaMLP;
  readonly input_layernorm: LlamaRMSNorm;
  readonly post_attention_layernorm: LlamaRMSNorm;

  constructor(config: LlamaConfig, layerIdx: number) {
    super();
    this.self_attn = this.addModule("self_attn", new LlamaAttention(config, layerIdx));
    this.mlp = this.addModule("mlp", new LlamaMLP(config));
    this.input_layernorm = this.addModule("input_layernorm", new LlamaRMSNorm(config.hidden_size, config.rms_norm_eps));
    this.post_attention_layernorm = this.addModule("post_attention_layernorm", new LlamaRMSNorm(config.hidden_size, config.rms_norm_eps));
  }

  forward(hidden: Tensor, ctx: LayerContext, past?: [Tensor, Tensor]): Tensor {
    const h = add(hidden, this.self_attn.forward(this.input_layernorm.forward(hidden), ctx, past));
    return add(h, this.mlp.forward(this.post_attention_layernorm.forward(h)));
  }
}

export class LlamaPreTrainedModel extends PreTrainedModel {
  static override configClass: typeof LlamaConfig = LlamaConfig;
  static override baseModelPrefix = "model";
  static override ignoreMissing = [/^lm_head\.weight$/];
  static override readonly acceptsKVCache = true;
  declare readonly config: LlamaConfig;

  /** lm_head.weight may be absent only when tied; otherwise it is reported as newly initialised. */
  override loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet = false): LoadReport {
    const report = super.loadPretrainedTensors(tensors, source, quiet);
    if (!this.config.tie_word_embeddings && report.missingKeys.includes("lm_head.weight")) {
      report.newlyInitialized.push("lm_head.weight");
      if (!quiet) console.warn(`Some weights of ${this.constructor.name} were not initialized from the model checkpoint at ${source} and are newly initialized: [lm_head.weight]`);
    }
    return report;
  }
}

export class LlamaModel extends LlamaPreTrainedModel {
  static override readonly architecture: string = "LlamaModel";
  static override readonly taskKind: TaskKind = "base";
  readonly embed_tokens: EmbeddingLike;
  readonly layers: ModuleList<LlamaDecoderLayer>;
  readonly norm: LlamaRMSNorm;
  readonly rotary_emb: LlamaRotaryEmbedding;

  constructor(config: LlamaConfig) {
    super(config);
    const pad = config.pad_token_id;
    const paddingIdx = typeof pad === "number" && pad >= 0 && pad < config.vocab_size ? pad : null;
    this.embed_tokens = this.addModule("embed_tokens", new Embedding(config.vocab_size, config.hidden_size, paddingIdx, config.initializer_range));
    this.layers = this.addModule("layers", new ModuleList(Array.from({ length: config.num_hidden_layers }, (_, i) => new LlamaDecoderLayer(config, i))));
    this.norm = this.addModule("norm", new LlamaRMSNorm(config.hidden_size, config.rms_norm_eps));
    this.rotary_emb = new LlamaRotaryEmbedding(config);
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const ids = inputs.input_ids !== undefined ? toIds(inputs.input_ids) : null;
    const embeds = inputs.inputs_embeds ?? (ids ? this.embed_tokens.forward(ids) : null);
    if (!embeds) throw new Error(`[${this.constructor.name}] pass input_ids or inputs_embeds`);
    const [B, L] = embeds.shape;
    const past = inputs.past_key_values;
    checkPastLayers(past, this.layers.length, this.constructor.name, "num_hidden_layers");
    const cache = past instanceof KVCache ? past : null;
    const pastList = cache ? undefined : (past as PastKeyValues | undefined);
    const pastLen = pastLength(past);
    this.checkSlidingWindow(pastLen + L);
    const positions = inputs.position_ids !== undefined ? toIds(inputs.position_ids, "position_ids") : defaultPositionIds(B, L, pastLen);
    const { cos, sin } = this.rotary_emb.tables(maxOf(positions) + 1);
    const ctx: LayerContext = {
      cos, sin, positions,
      mask: keyPaddingMask(inputs.attention_mask, B, L, pastLen, this.constructor.name),
      present: inputs.use_cache && !cache ? [] : null,
      cache,
    };
    let hidden = embeds;
    this.layers.items.forEach((layer, i) => {
      const p = pastList?.[i];
      if (this.gradientCheckpointing && this.training && !ctx.present && !cache) {
        const run = (x: Tensor, ...kv: Tensor[]) => layer.forward(x, ctx, kv.length ? [kv[0], kv[1]] : undefined);
        hidden = checkpointLayer(run, [hidden, ...(p ?? [])]);
      } else {
        hidden = ctx.present ? layer.forward(hidden, ctx, p) : layerScope(() => layer.forward(hidden, ctx, p), i > 0 ? hidden : null);
      }
    });
    const last = this.norm.forward(hidden);
    const out: DecoderOutput = { logits: last, last_hidden_state: last };
    if (ctx.present) out.past_key_values = ctx.present;
    return out;
  }

  /**
   * Mistral-style sliding-window attention is not implemented; it changes nothing while the
   * whole sequence fits in the window, so only longer sequences are refused.
   */
  private checkSlidingWindow(total: number): void {
    const window = this.config.slidingWindow;
    if (typeof window === "number" && total > window) {
      throw new RangeError(
        `[${this.constructor.name}] ${total} positions exceed sliding_window = ${window}; sliding-window attention is not supported yet, use sequences of at most ${window} tokens`,
      );
    }
  }
}

function maxOf(ids: Tensor): number {
  const a = ids.contiguousCopy().i32();
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}

export class LlamaForCausalLM extends LlamaPreTrainedModel {
  static override readonly architecture: string = "LlamaForCausalLM";
  static override readonly taskKind: TaskKind = "causal-lm";
  readonly model: LlamaModel;
  readonly lm_head: LinearLike;

  constructor(config: LlamaConfig) {
    super(config);
    this.model = this.addModule("model", new LlamaModel(config));
    this.lm_head = this.addModule("lm_head", new Linear(config.hidden_size, config.vocab_size, { bias: false, std: config.initializer_range }));
    this.tieWeights();
  }

  override tieWeights(): void {
    if (this.config.tie_word_embeddings) this.lm_head.setParameter("weight", this.model.embed_tokens.param("weight"));
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const base = this.model.forward(inputs);
    const hidden = base.logits;
    const logits = this.lm_head.forward(keptPositions(hidden, inputs.logits_to_keep, inputs.labels !== undefined, this.constructor.name));
    const out: DecoderOutput = { logits, last_hidden_state: hidden, past_key_values: base.past_key_values };
    if (inputs.labels !== undefined) out.loss = causalLmLoss(logits, inputs.labels);
    return out;
  }
}

export class LlamaForSequenceClassification extends LlamaPreTrainedModel {
  static override readonly architecture: string = "LlamaForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  readonly model: LlamaModel;
  readonly score: LinearLike;

  constructor(config: LlamaConfig) {
    super(config);
    this.model = this.addModule("model", new LlamaModel(config));
    this.score = this.addModule("score", new Linear(config.hidden_size, config.num_labels, { bias: false, std: config.initializer_range }));
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const hidden = this.model.forward(inputs).logits;
    const [B, L] = hidden.shape;
    const ids = inputs.input_ids !== undefined && !inputs.inputs_embeds ? toIds(inputs.input_ids) : null;
    const rows = lastTokenIndices(ids, B, L, this.config.pad_token_id, this.constructor.name);
    const logits = poolRows(this.score.forward(hidden), rows);
    const out: DecoderOutput = { logits, last_hidden_state: hidden };
    if (inputs.labels !== undefined) out.loss = sequenceClassificationLoss(this.config, logits, inputs.labels);
    return out;
  }
}
