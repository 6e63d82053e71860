// A short training loop shared by the model tests ("lowers the loss" checks).
import { scope } from "../../src/tensor/index.js";
import { AdamW } from "../../src/optim/index.js";
/** A few AdamW steps on one fixed batch; returns the losses. */
export function trainSteps(model, batch, steps, lr = 1e-2) {
    model.train();
    const opt = new AdamW(model.trainableParameters(), { lr, weight_decay: 0 });
    const losses = [];
    for (let i = 0; i < steps; i++) {
        const loss = scope(() => {
            const out = model.forward(batch);
            out.loss.backward();
            return out.loss.item();
        });
        opt.step();
        opt.zeroGrad();
        losses.push(loss);
    }
    return losses;
}
//# sourceMappingURL=train_helpers.js.map