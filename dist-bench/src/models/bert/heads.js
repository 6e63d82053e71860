/**
 * BERT task heads, as transformers' BertFor* classes: sequence classification (pooler +
 * classifier), token classification, masked LM (cls.predictions with the decoder tied to the
 * word embeddings) and extractive QA. Token classification and QA take their base model
 * class from a static field, so RoBERTa's versions are subclasses of one line each.
 */
import { select, contiguous, zeros } from "../../tensor/index.js";
import { Module, Linear, LayerNorm, Dropout, getActivation } from "../../nn/index.js";
import { questionAnsweringLoss, sequenceClassificationLoss, tokenLoss } from "../loss_utils.js";
import { BertModel, BertPreTrainedModel } from "./modeling.js";
/** The base model a head builds, registered under the class's base prefix ("bert", "roberta"). */
function addBaseModel(head, config, addPoolingLayer) {
    const cls = head.constructor;
    return head.addModule(cls.baseModelPrefix, new cls.baseModelClass(config, addPoolingLayer));
}
export function classifierDropout(config) {
    return config.classifier_dropout ?? config.hidden_dropout_prob;
}
export class BertForSequenceClassification extends BertPreTrainedModel {
    static architecture = "BertForSequenceClassification";
    static taskKind = "sequence-classification";
    bert;
    dropout;
    classifier;
    constructor(config) {
        super(config);
        this.bert = this.addModule("bert", new BertModel(config, true));
        this.dropout = this.addModule("dropout", new Dropout(classifierDropout(config)));
        this.classifier = this.addModule("classifier", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
    }
    forward(inputs) {
        const out = this.bert.forward(inputs);
        const logits = this.classifier.forward(this.dropout.forward(out.pooler_output));
        const loss = inputs.labels !== undefined ? sequenceClassificationLoss(this.config, logits, inputs.labels) : undefined;
        return { loss, logits, last_hidden_state: out.last_hidden_state, pooler_output: out.pooler_output };
    }
}
export class BertForTokenClassification extends BertPreTrainedModel {
    static architecture = "BertForTokenClassification";
    static taskKind = "token-classification";
    static baseModelClass = BertModel;
    static ignoreUnexpected = [/(^|\.)pooler\./];
    base;
    dropout;
    classifier;
    constructor(config) {
        super(config);
        this.base = addBaseModel(this, config, false);
        this.dropout = this.addModule("dropout", new Dropout(classifierDropout(config)));
        this.classifier = this.addModule("classifier", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
    }
    forward(inputs) {
        const out = this.base.forward(inputs);
        const logits = this.classifier.forward(this.dropout.forward(out.last_hidden_state));
        const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
        return { loss, logits, last_hidden_state: out.last_hidden_state };
    }
}
/** dense -> activation -> LayerNorm before the vocabulary projection. */
export class BertPredictionHeadTransform extends Module {
    dense;
    act;
    LayerNorm;
    constructor(config) {
        super();
        this.dense = this.addModule("dense", new Linear(config.hidden_size, config.hidden_size, { std: config.initializer_range }));
        this.act = getActivation(config.hidden_act);
        this.LayerNorm = this.addModule("LayerNorm", new LayerNorm(config.hidden_size, config.layer_norm_eps));
    }
    forward(hidden) {
        return this.LayerNorm.forward(this.act(this.dense.forward(hidden)));
    }
}
/** cls.predictions: transform, then decoder (weight tied to word_embeddings) with its bias `cls.predictions.bias`. */
export class BertLMPredictionHead extends Module {
    transform;
    decoder;
    bias;
    constructor(config) {
        super();
        this.transform = this.addModule("transform", new BertPredictionHeadTransform(config));
        this.bias = this.addParameter("bias", zeros([config.vocab_size]));
        this.decoder = this.addModule("decoder", new Linear(config.hidden_size, config.vocab_size, { bias: false, std: config.initializer_range }));
        this.tieBias();
    }
    /** decoder.bias is the same tensor as cls.predictions.bias (as in transformers). */
    tieBias() {
        if (this.decoder.bias === null)
            this.decoder.bias = this.decoder.addParameter("bias", this.bias);
        else if (this.decoder.bias !== this.bias)
            this.decoder.setParameter("bias", this.bias);
    }
    forward(hidden) {
        return this.decoder.forward(this.transform.forward(hidden));
    }
}
export class BertOnlyMLMHead extends Module {
    predictions;
    constructor(config) {
        super();
        this.predictions = this.addModule("predictions", new BertLMPredictionHead(config));
    }
    forward(hidden) {
        return this.predictions.forward(hidden);
    }
}
export class BertForMaskedLM extends BertPreTrainedModel {
    static architecture = "BertForMaskedLM";
    static taskKind = "masked-lm";
    static ignoreMissing = [/^cls\.predictions\.decoder\.(weight|bias)$/];
    static ignoreUnexpected = [/(^|\.)pooler\./, /^cls\.seq_relationship\./];
    bert;
    cls;
    constructor(config) {
        super(config);
        this.bert = this.addModule("bert", new BertModel(config, false));
        this.cls = this.addModule("cls", new BertOnlyMLMHead(config));
        this.tieWeights();
    }
    tieWeights() {
        const head = this.cls.predictions;
        head.tieBias();
        const words = this.bert.embeddings.word_embeddings.weight;
        if (this.config.tie_word_embeddings && head.decoder.weight !== words)
            head.decoder.setParameter("weight", words);
    }
    forward(inputs) {
        const out = this.bert.forward(inputs);
        const logits = this.cls.forward(out.last_hidden_state);
        const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
        return { loss, logits, last_hidden_state: out.last_hidden_state };
    }
}
export class BertForQuestionAnswering extends BertPreTrainedModel {
    static architecture = "BertForQuestionAnswering";
    static taskKind = "question-answering";
    static baseModelClass = BertModel;
    static ignoreUnexpected = [/(^|\.)pooler\./];
    base;
    qa_outputs;
    constructor(config) {
        super(config);
        this.base = addBaseModel(this, config, false);
        this.qa_outputs = this.addModule("qa_outputs", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
    }
    forward(inputs) {
        const out = this.base.forward(inputs);
        return questionAnsweringOutput(this.qa_outputs.forward(out.last_hidden_state), inputs, out.last_hidden_state);
    }
}
/** Splits (B, T, 2) logits into start/end (B, T) and adds the loss when positions are given. */
export function questionAnsweringOutput(logits, inputs, lastHidden) {
    if (logits.shape[logits.ndim - 1] !== 2) {
        throw new RangeError(`[model] question answering needs 2 outputs per token (start, end), got ${logits.shape[logits.ndim - 1]}; set num_labels to 2`);
    }
    const start = contiguous(select(logits, -1, 0));
    const end = contiguous(select(logits, -1, 1));
    const { start_positions: sp, end_positions: ep } = inputs;
    const loss = sp !== undefined && ep !== undefined ? questionAnsweringLoss(start, end, sp, ep) : undefined;
    return { loss, logits, start_logits: start, end_logits: end, last_hidden_state: lastHidden };
}
//# sourceMappingURL=heads.js.map