import { BertConfig } from "../bert/config.js";
export class RobertaConfig extends BertConfig {
    static defaults = {
        ...BertConfig.defaults,
        model_type: "roberta",
        vocab_size: 50265,
        pad_token_id: 1,
        bos_token_id: 0,
        eos_token_id: 2,
    };
}
//# sourceMappingURL=config.js.map