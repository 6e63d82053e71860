/**
 * A bound on model size read from config.json, checked before any weight is allocated: a typo
 * such as `num_hidden_layers: 1e6` or `hidden_size: 1e9` must be an error naming the key, not
 * minutes of allocation ending in "Array buffer allocation failed" or the OOM killer.
 */
import * as os from "node:os";

// HF's names for the sizes across families (GPT-2's n_embd, T5's d_model, DistilBERT's dim ...).
const HIDDEN = ["hidden_size", "n_embd", "d_model", "dim"];
const LAYERS = ["num_hidden_layers", "n_layer", "num_layers", "n_layers"];
const EXTRA_LAYERS = ["num_decoder_layers"];
const FEED_FORWARD = ["intermediate_size", "n_inner", "d_ff", "hidden_dim"];
const TABLES = ["vocab_size", "max_position_embeddings", "n_positions"];
const ALL = [...HIDDEN, ...LAYERS, ...EXTRA_LAYERS, ...FEED_FORWARD, ...TABLES, "num_attention_heads", "n_head", "num_heads", "n_heads", "num_key_value_heads", "head_dim", "d_kv"];

/** Largest value any size key may take (one dimension of one tensor). */
const MAX_DIMENSION = 2 ** 31 - 1;

function first(cfg: Record<string, unknown>, keys: string[]): [string, number] | null {
  for (const k of keys) if (typeof cfg[k] === "number") return [k, cfg[k] as number];
  return null;
}

/** Throws when a size key is not a positive integer, or the float32 weights alone would not fit in memory. */
export function checkModelSize(cfg: Record<string, unknown>, source: string, totalBytes = os.totalmem()): void {
  for (const k of ALL) {
    const v = cfg[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > MAX_DIMENSION) {
      throw new Error(`[config] ${source}: ${k} is ${JSON.stringify(v)}; it must be a non-negative integer below 2^31 — check config.json`);
    }
  }
  const hidden = first(cfg, HIDDEN);
  const layers = first(cfg, LAYERS);
  if (!hidden || !layers) return;
  const h = hidden[1];
  const ff = first(cfg, FEED_FORWARD)?.[1] ?? 4 * h;
  const n = layers[1] + (first(cfg, EXTRA_LAYERS)?.[1] ?? 0);
  const tables = TABLES.reduce((acc, k) => acc + (typeof cfg[k] === "number" ? (cfg[k] as number) : 0), 0);
  // Attention (4 h²) and feed-forward (2-3 h·ff) per layer, plus embedding tables (and a head).
  const params = n * (4 * h * h + 3 * h * ff) + 2 * tables * h;
  // A model loaded in 4 or 8 bits (quantization_config) keeps its layers at ~0.5 or 1 byte per weight.
  const qc = cfg.quantization_config as Record<string, unknown> | undefined;
  const fourBit = !!qc && (qc.load_in_4bit === true || qc._load_in_4bit === true);
  const eightBit = !!qc && (qc.load_in_8bit === true || qc._load_in_8bit === true);
  const perWeight = fourBit ? 0.5 : eightBit ? 1 : 4;
  const bytes = perWeight < 4 ? n * (4 * h * h + 3 * h * ff) * perWeight + 2 * tables * h * 4 : params * 4;
  if (bytes > totalBytes) {
    const gb = (b: number) => (b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 0);
    throw new Error(
      `[config] ${source}: ${layers[0]}=${layers[1]}, ${hidden[0]}=${h} make a model of about ${params.toExponential(2)} parameters ` +
        `(${gb(bytes)} GiB of ${perWeight < 4 ? `${perWeight * 8}-bit and float32` : "float32"} weights), more than this machine's ${gb(totalBytes)} GiB of memory; check these sizes in config.json`,
    );
  }
}
