/** RobertaConfig: BERT's keys, with RoBERTa's defaults (byte-level BPE vocabulary, pad id 1). */
import type { ConfigDict } from "../configuration_utils.js";
import { BertConfig } from "../bert/config.js";

export class RobertaConfig extends BertConfig {
  static override defaults: ConfigDict = {
    ...BertConfig.defaults,
    model_type: "roberta",
    vocab_size: 50265,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
  };
}
