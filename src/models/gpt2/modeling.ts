/**
 * GPT-2 as transformers' modeling_gpt2.py builds it: pre-LN blocks of causal self-attention
 * and a gelu_new MLP, over learned position embeddings, with a final ln_f. Projections are
 * Conv1D layers whose weight is stored (in, out). Task heads: GPT2LMHeadModel (lm_head tied
 * to wte) and GPT2ForSequenceClassification (score over the last non-pad token).
 */
import { Tensor, linear, cat, scaledDotProductAttention, add, layerScope } from "../../tensor/index.js";
import { Module, ModuleList, LayerNorm, Dropout, Linear, Embedding, getActivation, type Activation, normal, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { zeros } from "../../nn/init.js";
import { PreTrainedModel, toIds, type TaskKind } from "../modeling_utils.js";
import { GPT2Config } from "./config.js";
import { KVCache } from "../kv_cache.js";
import {
  type PastKeyValues, type DecoderInputs, type DecoderOutput, expandBatch, checkpointLayer, pastLength, checkPastLayers, defaultPositionIds, keyPaddingMask, causalLmLoss, keptPositions, lastTokenIndices, poolRows,
} from "../decoder_utils.js";
import { sequenceClassificationLoss } from "../loss_utils.js";

/** transformers' Conv1D: y = x @ W + b with W stored (in, out) — a transposed Linear. */
export class Conv1D extends Module {
  /** A frozen weight may stay bfloat16/float16 (linear() reads it in either layout). */
  static accepts16bitWeight = true;
  /** Declared so PEFT knows the (in, out) layout without reading class names. */
  readonly weightLayout = "in_out" as const;
  /** forward is exactly linear(x, weight, bias, "in_out"): LoRA may fuse its adapter into it. */
  static plainLinear = true;
  weight: Tensor;
  bias: Tensor;
  constructor(readonly nf: number, readonly nx: number, std = 0.02) {
    super();
    this.weight = this.addParameter("weight", normal([nx, nf], std));
    this.bias = this.addParameter("bias", zeros([nf]));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, "in_out");
  }
}

/** Per-forward context every layer reads: masks, and the cache being built or extended in place. */
interface AttentionContext {
  mask: Tensor | null;
  present: PastKeyValues | null;
  cache: KVCache | null;
}

export class GPT2Attention extends Module {
  readonly c_attn: LinearLike;
  readonly c_proj: LinearLike;
  readonly resid_dropout: Dropout;
  private readonly headDim: number;
  private readonly scale: number;

  constructor(readonly config: GPT2Config, readonly layerIdx: number) {
    super();
    const C = config.n_embd;
    this.headDim = C / config.n_head;
    this.c_attn = this.addModule("c_attn", new Conv1D(3 * C, C, config.initializer_range));
    this.c_proj = this.addModule("c_proj", new Conv1D(C, C, config.initializer_range));
    this.resid_dropout = this.addModule("resid_dropout", new Dropout(config.resid_pdrop));
    let scale = config.scale_attn_weights ? 1 / Math.sqrt(this.headDim) : 1;
    if (config.scale_attn_by_inverse_layer_idx) scale /= layerIdx + 1;
    this.scale = scale;
  }

  /** (B, T, C) → (B, H, T, D): heads are consecutive head_dim slices. */
  private splitHeads(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return x.reshape(B, T, this.config.n_head, this.headDim).permute(0, 2, 1, 3);
  }

  forward(hidden: Tensor, ctx: AttentionContext, past?: [Tensor, Tensor]): Tensor {
    const [B, T, C] = hidden.shape;
    const qkv = this.c_attn.forward(hidden);
    const q = this.splitHeads(qkv.narrow(2, 0, C));
    let k = this.splitHeads(qkv.narrow(2, C, C));
    let v = this.splitHeads(qkv.narrow(2, 2 * C, C));
    if (ctx.cache) {
      [k, v] = ctx.cache.update(this.layerIdx, k, v);
    } else if (past) {
      k = cat([expandBatch(past[0], B), k], 2);
      v = cat([expandBatch(past[1], B), v], 2);
    }
    ctx.present?.push([k, v]);
    const dropoutP = this.training ? this.config.attn_pdrop : 0;
    const attn = scaledDotProductAttention(q, k, v, { keyPaddingMask: ctx.mask, isCausal: true, scale: this.scale, dropoutP });
    const merged = attn.permute(0, 2, 1, 3).reshape(B, T, C);
    return this.resid_dropout.forward(this.c_proj.forward(merged));
  }
}

export class GPT2MLP extends Module {
  readonly c_fc: LinearLike;
  readonly c_proj: LinearLike;
  readonly dropout: Dropout;
  private readonly act: Activation;

  constructor(config: GPT2Config) {
    super();
    this.c_fc = this.addModule("c_fc", new Conv1D(config.innerDim, config.n_embd, config.initializer_range));
    this.c_proj = this.addModule("c_proj", new Conv1D(config.n_embd, config.innerDim, config.initializer_range));
    this.act = getActivation(config.activation_function);
    this.dropout = this.addModule("dropout", new Dropout(config.resid_pdrop));
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(this.act(this.c_fc.forward(x))));
  }
}

export class GPT2Block extends Module {
  readonly ln_1: LayerNorm;
  readonly attn: GPT2Attention;
  readonly ln_2: LayerNorm;
  readonly mlp: GPT2MLP;

  constructor(config: GPT2Config, layerIdx: number) {
    super();
    this.ln_1 = this.addModule("ln_1", new LayerNorm(config.n_embd, config.layer_norm_epsilon));
    this.attn = this.addModule("attn", new GPT2Attention(config, layerIdx));
    this.ln_2 = this.addModule("ln_2", new LayerNorm(config.n_embd, config.layer_norm_epsilon));
    this.mlp = this.addModule("mlp", new GPT2MLP(config));
  }

  forward(hidden: Tensor, ctx: AttentionContext, past?: [Tensor, Tensor]): Tensor {
    const h = add(hidden, this.attn.forward(this.ln_1.forward(hidden), ctx, past));
    return add(h, this.mlp.forward(this.ln_2.forward(h)));
  }
}

export class GPT2PreTrainedModel extends PreTrainedModel {
  static override configClass = GPT2Config;
  static override baseModelPrefix = "transformer";
  // Buffers transformers no longer saves, and the tied head.
  static override ignoreMissing = [/^lm_head\.weight$/];
  // Old checkpoints hold the causal-mask buffers attn.bias / attn.masked_bias.
  static override ignoreUnexpected = [/(^|\.)h\.\d+\.attn\.(masked_)?bias$/];
  static override readonly acceptsKVCache = true;
  declare readonly config: GPT2Config;
}

export class GPT2Model extends GPT2PreTrainedModel {
  static override readonly architecture: string = "GPT2Model";
  static override readonly taskKind: TaskKind = "base";
  readonly wte: EmbeddingLike;
  readonly wpe: EmbeddingLike;
  readonly drop: Dropout;
  readonly h: ModuleList<GPT2Block>;
  readonly ln_f: LayerNorm;

  constructor(config: GPT2Config) {
    super(config);
    const std = config.initializer_range;
    this.wte = this.addModule("wte", new Embedding(config.vocab_size, config.n_embd, null, std));
    this.wpe = this.addModule("wpe", new Embedding(config.n_positions, config.n_embd, null, std));
    this.drop = this.addModule("drop", new Dropout(config.embd_pdrop));
    this.h = this.addModule("h", new ModuleList(Array.from({ length: config.n_layer }, (_, i) => new GPT2Block(config, i))));
    this.ln_f = this.addModule("ln_f", new LayerNorm(config.n_embd, config.layer_norm_epsilon));
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const ids = inputs.input_ids !== undefined ? toIds(inputs.input_ids) : null;
    const embeds = inputs.inputs_embeds ?? (ids ? this.wte.forward(ids) : null);
    if (!embeds) throw new Error("[GPT2Model] pass input_ids or inputs_embeds");
    const [B, L] = embeds.shape;
    const past = inputs.past_key_values;
    checkPastLayers(past, this.h.length, "GPT2Model", "n_layer");
    const cache = past instanceof KVCache ? past : null;
    const pastList = cache ? undefined : (past as PastKeyValues | undefined);
    const pastLen = pastLength(past);
    if (pastLen + L > this.config.n_positions) {
      throw new RangeError(`[GPT2Model] ${pastLen + L} positions exceed n_positions = ${this.config.n_positions}`);
    }
    const positions = inputs.position_ids !== undefined ? toIds(inputs.position_ids, "position_ids") : defaultPositionIds(B, L, pastLen);
    let hidden = this.drop.forward(add(embeds, this.wpe.forward(positions)));
    const ctx: AttentionContext = {
      mask: keyPaddingMask(inputs.attention_mask, B, L, pastLen, "GPT2Model"),
      present: inputs.use_cache && !cache ? [] : null,
      cache,
    };
    this.h.items.forEach((block, i) => {
      const p = pastList?.[i];
      if (this.gradientCheckpointing && this.training && !ctx.present && !cache) {
        const run = (x: Tensor, ...kv: Tensor[]) => block.forward(x, ctx, kv.length ? [kv[0], kv[1]] : undefined);
        hidden = checkpointLayer(run, [hidden, ...(p ?? [])]);
      } else {
        hidden = ctx.present ? block.forward(hidden, ctx, p) : layerScope(() => block.forward(hidden, ctx, p), i > 0 ? hidden : null);
      }
    });
    const out: DecoderOutput = { logits: this.ln_f.forward(hidden) };
    out.last_hidden_state = out.logits;
    if (ctx.present) out.past_key_values = ctx.present;
    return out;
  }
}

export class GPT2LMHeadModel extends GPT2PreTrainedModel {
  static override readonly architecture: string = "GPT2LMHeadModel";
  static override readonly taskKind: TaskKind = "causal-lm";
  readonly transformer: GPT2Model;
  readonly lm_head: LinearLike;

  constructor(config: GPT2Config) {
    super(config);
    this.transformer = this.addModule("transformer", new GPT2Model(config));
    this.lm_head = this.addModule("lm_head", new Linear(config.n_embd, config.vocab_size, { bias: false, std: config.initializer_range }));
    this.tieWeights();
  }

  /** lm_head shares wte's weight (GPT-2 always ties). */
  override tieWeights(): void {
    this.lm_head.setParameter("weight", this.transformer.wte.param("weight"));
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const base = this.transformer.forward(inputs);
    const hidden = base.logits;
    const logits = this.lm_head.forward(keptPositions(hidden, inputs.logits_to_keep, inputs.labels !== undefined, this.constructor.name));
    const out: DecoderOutput = { logits, last_hidden_state: hidden, past_key_values: base.past_key_values };
    if (inputs.labels !== undefined) out.loss = causalLmLoss(logits, inputs.labels);
    return out;
  }
}

export class GPT2ForSequenceClassification extends GPT2PreTrainedModel {
  static override readonly architecture: string = "GPT2ForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  readonly transformer: GPT2Model;
  readonly score: LinearLike;

  constructor(config: GPT2Config) {
    super(config);
    this.transformer = this.addModule("transformer", new GPT2Model(config));
    this.score = this.addModule("score", new Linear(config.n_embd, config.num_labels, { bias: false, std: config.initializer_range }));
  }

  override forward(inputs: DecoderInputs): DecoderOutput {
    const hidden = this.transformer.forward(inputs).logits;
    const [B, L] = hidden.shape;
    const ids = inputs.input_ids !== undefined && !inputs.inputs_embeds ? toIds(inputs.input_ids) : null;
    const rows = lastTokenIndices(ids, B, L, this.config.pad_token_id, "GPT2ForSequenceClassification");
    const logits = poolRows(this.score.forward(hidden), rows);
    const out: DecoderOutput = { logits, last_hidden_state: hidden };
    if (inputs.labels !== undefined) out.loss = sequenceClassificationLoss(this.config, logits, inputs.labels);
    return out;
  }
}
