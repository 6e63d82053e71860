/**
 * Generation: `generate` / `generateStream` over the batch decoder, text helpers, and the
 * `model.generate(...)` / `model.generateStream(...)` methods transformers users expect,
 * added to PreTrainedModel and PeftModel here (the models layer sits below generation).
 */
import { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { generate, generateStream } from "./generate.js";
export { generate, generateStream, unwrapForGeneration } from "./generate.js";
export { BatchDecoder, Sequence, positionsFromMask } from "./batch_decoder.js";
export { resolveOptions, rowGenerators, mixSeed } from "./options.js";
export { TextStream } from "./text_stream.js";
export { generateText, generateTexts, streamText, chatPromptIds } from "./text.js";
export { chooseToken } from "./logits_process.js";
for (const cls of [PreTrainedModel, PeftModel]) {
    Object.defineProperty(cls.prototype, "generate", {
        value(inputIds, opts) {
            return generate(this, inputIds, opts);
        },
        writable: true,
        configurable: true,
    });
    Object.defineProperty(cls.prototype, "generateStream", {
        value(inputIds, opts) {
            return generateStream(this, inputIds, opts);
        },
        writable: true,
        configurable: true,
    });
}
//# sourceMappingURL=index.js.map