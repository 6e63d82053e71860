/**
 * The losses task heads compute from labels, as transformers' heads do: sequence
 * classification (regression / single-label / multi-label, decided like HF), token
 * classification, masked LM and extractive question answering.
 */
import { Tensor as TensorClass, add, crossEntropy, logsumexp, mean, mul, reshape, square, stack, sub, zeros } from "../tensor/index.js";
import { toFloat, toIds } from "./modeling_utils.js";
/** Whether labels hold class ids: an integer tensor, or a flat array of integers. */
function holdsClassIds(labels) {
    if (labels instanceof TensorClass)
        return labels.dtype === "int32" || labels.dtype === "uint8";
    return labels.every((v) => typeof v === "number" && Number.isInteger(v));
}
/**
 * HF's rule: one label is regression; integer labels are single-label classification;
 * anything else (float multi-hot rows) is multi-label. The first decision is stored in
 * config.problem_type, as transformers does.
 */
export function resolveProblemType(config, labels) {
    if (config.problem_type)
        return config.problem_type;
    const n = config.num_labels;
    const type = n === 1 ? "regression" : holdsClassIds(labels) ? "single_label_classification" : "multi_label_classification";
    config.problem_type = type;
    return type;
}
/** mean((x - y)^2) */
export function mseLoss(x, y) {
    return mean(square(sub(x, y)));
}
/**
 * BCEWithLogitsLoss (mean): softplus(x) - x y, with softplus(x) = logsumexp([0, x]), stable for
 * large |x| and with the exact gradient sigmoid(x) - y everywhere (the max(x, 0) + log(1 + e^-|x|)
 * form takes the subgradient 0 of both kinks at x = 0 and gets -y there instead of 0.5 - y).
 */
export function bceWithLogits(x, y) {
    const softplus = logsumexp(stack([zeros(x.shape), x], -1), -1);
    return mean(sub(softplus, mul(x, y)));
}
/** The loss of a sequence classifier's logits (B, num_labels). */
export function sequenceClassificationLoss(config, logits, labels) {
    const n = config.num_labels;
    switch (resolveProblemType(config, labels)) {
        case "regression": {
            const y = toFloat(labels);
            return n === 1 ? mseLoss(reshape(logits, [-1]), reshape(y, [-1])) : mseLoss(logits, y);
        }
        case "single_label_classification":
            return crossEntropy(reshape(logits, [-1, n]), reshape(toIds(labels, "labels"), [-1]));
        case "multi_label_classification": {
            const y = toFloat(labels);
            if (y.numel !== logits.numel) {
                throw new RangeError(`[model] multi-label labels are [${y.shape.join(", ")}] but logits are [${logits.shape.join(", ")}]; give one 0/1 row of ${n} per example`);
            }
            return bceWithLogits(logits, reshape(y, logits.shape));
        }
    }
}
/** Cross-entropy over every position (logits (..., V), labels (...), -100 ignored): token classification, masked LM. */
export function tokenLoss(logits, labels) {
    const V = logits.shape[logits.ndim - 1];
    return crossEntropy(reshape(logits, [-1, V]), reshape(toIds(labels, "labels"), [-1]));
}
/**
 * Extractive QA: positions outside the sequence are clamped to T and ignored; the loss is
 * the mean of the start and end cross-entropies.
 */
export function questionAnsweringLoss(startLogits, endLogits, startPositions, endPositions) {
    const T = startLogits.shape[startLogits.ndim - 1];
    const positions = (p, name) => {
        const ids = toIds(p, name);
        const clamped = TensorClass.empty([ids.numel], "int32");
        const src = ids.contiguousCopy().i32();
        const dst = clamped.i32();
        for (let i = 0; i < src.length; i++)
            dst[i] = Math.min(Math.max(src[i], 0), T);
        return clamped;
    };
    const opts = { ignore_index: T };
    const start = crossEntropy(startLogits, positions(startPositions, "start_positions"), opts);
    const end = crossEntropy(endLogits, positions(endPositions, "end_positions"), opts);
    return mul(add(start, end), 0.5);
}
//# sourceMappingURL=loss_utils.js.map