/** Data: readers, Dataset, task formats → features, collators, bad-row accounting, tokenizers. */
export { Dataset, type Row, type Batch, type MapOptions, type TrainTestSplitOptions, type DatasetDict } from "./dataset.js";
export { BadRowLog, BadRowError, describeSource, type BadRowPolicy, type BadRow, type RowSource } from "./bad_rows.js";
export { loadDataset, readDataFile, readDataFileSync, findSplitFiles, splitOfFile, formatOf, DATA_FORMATS, type DataFormat, type ReadOptions, type LoadDatasetOptions } from "./readers.js";
export { streamRows, streamedRowSource, IterableDataset, type IterableMapOptions, type RowStream } from "./stream.js";
export { specialFrame, WordEncoder, type SpecialFrame } from "./word_alignment.js";
export { buildLabelMap, encodeClassification, type ClassificationOptions, type LabelMap } from "./formats/classification.js";
export { buildTagList, encodeTokenClassification, type TokenClassificationOptions } from "./formats/token_classification.js";
export { encodeCausalLm, causalLmPromptIds, pack, packStream, type CausalLmOptions } from "./formats/causal_lm.js";
export { encodeSeq2Seq, seq2seqSourceIds, type Seq2SeqOptions } from "./formats/seq2seq.js";
export { encodeExtractiveQa, type ExtractiveQaOptions } from "./formats/extractive_qa.js";
export { DataCollatorWithPadding, DataCollatorForSeq2Seq, DataCollatorForLanguageModeling, padSequences, type DataCollator, type TensorBatch, type CollateContext, type PaddingOptions, type LanguageModelingOptions, } from "./collators.js";
export { AutoTokenizer, PreTrainedTokenizer } from "./tokenizer.js";
