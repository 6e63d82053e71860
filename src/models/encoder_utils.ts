/**
 * What the encoder families (BERT, RoBERTa, DistilBERT) share beside their layers: the
 * embedding padding row, the inputs an encoder reads, past keys/values for prefix tuning
 * and the layer loop under gradient checkpointing. decoder_utils.ts is the decoders' twin.
 */
import { type Tensor, layerScope, narrow } from "../tensor/index.js";
import { checkpoint } from "../nn/index.js";
import { type ModelInputs, toIds } from "./modeling_utils.js";
import { type PastKeyValues, keyPaddingMask, pastLength } from "./decoder_utils.js";

/** The padding row of an embedding table, when the config names one inside it. */
export function paddingIndex(padTokenId: number | null | undefined, size: number): number | null {
  return typeof padTokenId === "number" && padTokenId >= 0 && padTokenId < size ? padTokenId : null;
}

/**
 * One encoder layer: `queries` are the rows of `h` whose outputs are wanted (all of h when
 * omitted); keys and values always come from all of h (and the past).
 */
export interface EncoderLayer {
  forward(h: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries?: Tensor): Tensor;
}

/** What an encoder's forward may be asked beyond its inputs. */
export interface EncoderForwardOptions {
  /**
   * The last layer computes position 0 only (what a [CLS]-pooling classification head
   * reads): its queries, attention output and feed-forward run on B rows instead of B x T,
   * and last_hidden_state is (B, 1, C). Position 0's values are those of the full pass.
   */
  firstPositionOnly?: boolean;
}

/**
 * Runs encoder layers in order, layer i over past[i] when given. Under gradient checkpointing
 * the past keys/values are inputs of the checkpointed block, so their gradients (prefix
 * tuning's) flow through the recomputation. With `firstPositionOnly` the last layer's
 * queries are position 0 alone (see EncoderForwardOptions). Shared by BERT, RoBERTa and
 * DistilBERT.
 */
export function runEncoderLayers(
  layers: readonly EncoderLayer[], hidden: Tensor, mask: Tensor | null, past: PastKeyValues | undefined,
  checkpointing: boolean, firstPositionOnly = false,
): Tensor {
  let h = hidden;
  layers.forEach((layer, i) => {
    const p = past?.[i];
    const pruned = firstPositionOnly && i === layers.length - 1;
    const run = (x: Tensor, kv?: [Tensor, Tensor]) => layer.forward(x, mask, kv, pruned ? narrow(x, 1, 0, 1) : undefined);
    if (!checkpointing) h = layerScope(() => run(h, p), i > 0 ? h : null);
    else if (p) h = checkpoint((x, k, v) => run(x, [k, v]), h, p[0], p[1]);
    else h = checkpoint((x) => run(x), h);
  });
  return h;
}

/**
 * The past keys/values and the key padding mask (B, P + T) an encoder runs with: checks the
 * layer count and the position budget, and widens a (B, T) mask with P ones in front.
 */
export function encoderPast(
  inputs: ModelInputs, B: number, T: number, numLayers: number, maxPositions: number, where: string,
): { past: PastKeyValues | undefined; pastLen: number; mask: Tensor | null } {
  const past = inputs.past_key_values;
  if (past && past.length !== numLayers) {
    throw new RangeError(`[${where}] past_key_values has ${past.length} layers but the model has ${numLayers}; pass one [key, value] per layer`);
  }
  const pastLen = pastLength(past);
  if (pastLen + T > maxPositions) {
    throw new RangeError(`[${where}] ${pastLen} past + ${T} input positions exceed max_position_embeddings = ${maxPositions}; shorten the input (max_length) or use fewer virtual tokens`);
  }
  return { past, pastLen, mask: keyPaddingMask(inputs.attention_mask, B, T, pastLen, where) };
}

/** Converts the id-like inputs an encoder reads (input_ids or inputs_embeds, token types, positions); encoderPast reads the mask. */
export function encoderInputs(inputs: ModelInputs): { ids: Tensor | null; embeds: Tensor | null; tokenTypes: Tensor | null; positions: Tensor | null } {
  if (!inputs.input_ids && !inputs.inputs_embeds) throw new Error("[model] pass input_ids or inputs_embeds");
  if (inputs.input_ids && inputs.inputs_embeds) throw new Error("[model] pass input_ids or inputs_embeds, not both");
  return {
    ids: inputs.input_ids ? toIds(inputs.input_ids) : null,
    embeds: inputs.inputs_embeds ?? null,
    tokenTypes: inputs.token_type_ids !== undefined ? toIds(inputs.token_type_ids, "token_type_ids") : null,
    positions: inputs.position_ids !== undefined ? toIds(inputs.position_ids, "position_ids") : null,
  };
}
