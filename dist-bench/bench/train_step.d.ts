/**
 * Whole training steps (forward + backward + AdamW), the figure users care about, built
 * from the public ops so they do not move while src/models is being written:
 *   (a) BERT-base-shaped encoder, 2 layers, sequence classification (HF BertForSequenceClassification),
 *   (b) a small Llama decoder (RMSNorm, RoPE, GQA, SwiGLU), causal-LM loss (HF LlamaForCausalLM),
 *   (c) (b) with LoRA r=8 on q_proj/v_proj, base frozen, only adapters in AdamW (PEFT's lora.Linear).
 * torch_ref.py builds the same modules with the same hashed weights (bench/common.ts
 * hashUniform), so the first (eval-mode) losses of both engines must agree.
 */
import { Tensor } from "../src/index.js";
import { type Measured, type TorchRef } from "./common.js";
export interface TrainConfig {
    hidden: number;
    heads: number;
    kv_heads?: number;
    intermediate: number;
    layers: number;
    vocab: number;
    max_pos: number;
    seed: number;
    labels?: number;
    dropout?: number;
    rope_theta?: number;
    lora_r?: number;
    lora_alpha?: number;
}
export interface Model {
    params: Tensor[];
    trainable: Tensor[];
    loss(training: boolean): Tensor;
    dispose(): void;
}
export declare function bertModel(c: TrainConfig, B: number, T: number): Model;
export declare function llamaModel(c: TrainConfig, B: number, T: number): Model;
export interface TrainCase {
    name: string;
    model: "bert" | "llama";
    config: TrainConfig;
    B: number;
    T: number;
    lr: number;
}
export declare const TRAIN_CASES: TrainCase[];
export interface TrainRow {
    name: string;
    c: TrainCase;
    threads: number;
    m: Measured;
    oursLoss: number;
    trainable: number;
}
export declare function benchTrain(threadCounts: number[], torch: TorchRef | null, minTime: number, foreach: boolean): Promise<TrainRow[]>;
export declare function trainTable(rows: TrainRow[]): string;
