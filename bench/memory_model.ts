/**
 * Llama-shaped checkpoints with random weights for the memory bench, written as bf16
 * safetensors shards tensor by tensor (never the whole model in memory): ~1.1B parameters
 * (TinyLlama's shape) and Llama-2-7B's shape (~6.7B parameters, ~13.5 GB).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface LlamaShape {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  vocab_size: number;
}

export const SHAPES: Record<string, LlamaShape> = {
  "1b": { hidden_size: 2048, intermediate_size: 5632, num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, vocab_size: 32000 },
  "7b": { hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 32, vocab_size: 32000 },
};

function tensorsOf(s: LlamaShape): [string, number[]][] {
  const h = s.hidden_size;
  const kv = (h / s.num_attention_heads) * s.num_key_value_heads;
  const out: [string, number[]][] = [["model.embed_tokens.weight", [s.vocab_size, h]]];
  for (let l = 0; l < s.num_hidden_layers; l++) {
    const p = `model.layers.${l}`;
    out.push(
      [`${p}.input_layernorm.weight`, [h]],
      [`${p}.self_attn.q_proj.weight`, [h, h]],
      [`${p}.self_attn.k_proj.weight`, [kv, h]],
      [`${p}.self_attn.v_proj.weight`, [kv, h]],
      [`${p}.self_attn.o_proj.weight`, [h, h]],
      [`${p}.post_attention_layernorm.weight`, [h]],
      [`${p}.mlp.gate_proj.weight`, [s.intermediate_size, h]],
      [`${p}.mlp.up_proj.weight`, [s.intermediate_size, h]],
      [`${p}.mlp.down_proj.weight`, [h, s.intermediate_size]],
    );
  }
  out.push(["model.norm.weight", [h]], ["lm_head.weight", [s.vocab_size, h]]);
  return out;
}

export function parameterCount(s: LlamaShape): number {
  return tensorsOf(s).reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}

/** A pool of random bf16 values ~N(0, 0.02) (norm weights are written as 1.0). */
function randomPool(count: number, seed: number): Uint16Array {
  const f = new Float32Array(count);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i += 2) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const u1 = ((s >>> 0) + 1) / 4294967297;
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    const u2 = (s >>> 0) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1)) * 0.02;
    f[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) f[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return new Uint16Array(new Uint32Array(f.buffer).map((u) => (u + 0x7fff + ((u >>> 16) & 1)) >>> 16));
}

/**
 * Writes config.json and bf16 shards of at most `shardBytes` into dir (skipped when a
 * complete copy is there). Weights are slices of a random pool at varying offsets.
 */
export function writeLlamaCheckpoint(dir: string, shape: LlamaShape, shardBytes = 2e9): void {
  const done = path.join(dir, ".complete");
  if (fs.existsSync(done)) return;
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    architectures: ["LlamaForCausalLM"], model_type: "llama", torch_dtype: "bfloat16", hidden_act: "silu",
    max_position_embeddings: 4096, rms_norm_eps: 1e-5, rope_theta: 10000, tie_word_embeddings: false,
    bos_token_id: 1, eos_token_id: 2, initializer_range: 0.02, ...shape,
  };
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config, null, 2));
  const pool = randomPool(1 << 24, 12345);
  const ones = new Uint16Array(shape.hidden_size).fill(0x3f80);
  const shards: [string, number[]][][] = [[]];
  let bytes = 0;
  for (const t of tensorsOf(shape)) {
    const b = t[1].reduce((a, c) => a * c, 2);
    if (bytes + b > shardBytes && shards[shards.length - 1].length) shards.push([]), (bytes = 0);
    shards[shards.length - 1].push(t);
    bytes += b;
  }
  const weightMap: Record<string, string> = {};
  let total = 0;
  let cursor = 0;
  shards.forEach((list, i) => {
    const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`;
    const header: Record<string, unknown> = {};
    let offset = 0;
    for (const [name, shp] of list) {
      const n = shp.reduce((a, c) => a * c, 2);
      header[name] = { dtype: "BF16", shape: shp, data_offsets: [offset, offset + n] };
      offset += n;
      weightMap[name] = file;
    }
    let json = JSON.stringify(header);
    json += " ".repeat((8 - ((json.length + 8) % 8)) % 8);
    const fd = fs.openSync(path.join(dir, file), "w");
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    fs.writeSync(fd, len);
    fs.writeSync(fd, json);
    for (const [name, shp] of list) {
      let left = shp.reduce((a, c) => a * c, 1);
      if (name.endsWith("norm.weight")) {
        fs.writeSync(fd, new Uint8Array(ones.buffer, 0, left * 2));
        continue;
      }
      while (left > 0) {
        const start = cursor % (pool.length - 1);
        const take = Math.min(left, pool.length - start, 1 << 22);
        fs.writeSync(fd, new Uint8Array(pool.buffer, start * 2, take * 2));
        left -= take;
        cursor += take + 7919; // shift so no two tensors share a slice
      }
    }
    fs.closeSync(fd);
    total += offset;
  });
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  fs.writeFileSync(done, "");
}
