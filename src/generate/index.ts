/**
 * Generation: `generate` / `generateStream` over the batch decoder, text helpers, and the
 * `model.generate(...)` / `model.generateStream(...)` methods transformers users expect,
 * added to PreTrainedModel and PeftModel here (the models layer sits below generation).
 */
import { PreTrainedModel, type IdsLike } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { generate, generateStream, type GenerationChunk } from "./generate.js";
import type { GenerateOptions } from "./options.js";

export { generate, generateStream, unwrapForGeneration, type GenerativeModel, type GenerationChunk } from "./generate.js";
export { BatchDecoder, Sequence, type SequenceInput, type StepEvent, positionsFromMask } from "./batch_decoder.js";
export { type GenerateOptions, type FinishReason, type RowOptions, type TextDecoder, resolveOptions, rowGenerators, mixSeed } from "./options.js";
export { TextStream } from "./text_stream.js";
export { generateText, generateTexts, streamText, chatPromptIds, type GeneratedText } from "./text.js";
export { chooseToken, type SamplingParams } from "./logits_process.js";

declare module "../models/modeling_utils.js" {
  interface PreTrainedModel {
    /** generate(this, input_ids, options): see src/generate/generate.ts. */
    generate(inputIds: IdsLike, opts?: GenerateOptions): number[][];
    generateStream(inputIds: IdsLike, opts?: GenerateOptions): AsyncGenerator<GenerationChunk>;
  }
}

declare module "../peft/peft_model.js" {
  interface PeftModel {
    generate(inputIds: IdsLike, opts?: GenerateOptions): number[][];
    generateStream(inputIds: IdsLike, opts?: GenerateOptions): AsyncGenerator<GenerationChunk>;
  }
}

for (const cls of [PreTrainedModel, PeftModel]) {
  Object.defineProperty(cls.prototype, "generate", {
    value(this: PreTrainedModel | PeftModel, inputIds: IdsLike, opts?: GenerateOptions) {
      return generate(this, inputIds, opts);
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(cls.prototype, "generateStream", {
    value(this: PreTrainedModel | PeftModel, inputIds: IdsLike, opts?: GenerateOptions) {
      return generateStream(this, inputIds, opts);
    },
    writable: true,
    configurable: true,
  });
}
