/** Data: readers, Dataset, task formats → features, collators, bad-row accounting, tokenizers. */
export { Dataset } from "./dataset.js";
export { BadRowLog, BadRowError, describeSource } from "./bad_rows.js";
export { loadDataset, readDataFile, readDataFileSync, findSplitFiles, splitOfFile, formatOf, DATA_FORMATS } from "./readers.js";
export { streamRows, streamedRowSource, IterableDataset } from "./stream.js";
export { specialFrame, WordEncoder } from "./word_alignment.js";
export { buildLabelMap, encodeClassification } from "./formats/classification.js";
export { buildTagList, encodeTokenClassification } from "./formats/token_classification.js";
export { encodeCausalLm, causalLmPromptIds, pack, packStream } from "./formats/causal_lm.js";
export { encodeSeq2Seq, seq2seqSourceIds } from "./formats/seq2seq.js";
export { encodeExtractiveQa } from "./formats/extractive_qa.js";
export { DataCollatorWithPadding, DataCollatorForSeq2Seq, DataCollatorForLanguageModeling, padSequences, } from "./collators.js";
export { AutoTokenizer, PreTrainedTokenizer } from "./tokenizer.js";
//# sourceMappingURL=index.js.map