/** RobertaConfig: BERT's keys, with RoBERTa's defaults (byte-level BPE vocabulary, pad id 1). */
import type { ConfigDict } from "../configuration_utils.js";
import { BertConfig } from "../bert/config.js";
export declare class RobertaConfig extends BertConfig {
    static defaults: ConfigDict;
}
