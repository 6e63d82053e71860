/**
 * TrainerState and TrainerControl as transformers defines them: the state is what
 * trainer_state.json holds (HF's field names), the control is how callbacks steer the loop.
 */
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
export const TRAINER_STATE_NAME = "trainer_state.json";
export class TrainerState {
    epoch = 0;
    global_step = 0;
    max_steps = 0;
    logging_steps = 500;
    eval_steps = 500;
    save_steps = 500;
    train_batch_size = 8;
    num_train_epochs = 0;
    num_input_tokens_seen = 0;
    total_flos = 0;
    log_history = [];
    best_metric = null;
    best_global_step = null;
    best_model_checkpoint = null;
    is_local_process_zero = true;
    is_world_process_zero = true;
    is_hyper_param_search = false;
    trial_name = null;
    trial_params = null;
    stateful_callbacks = {};
    toJSON() {
        return { ...this };
    }
    save(dir) {
        writeJsonAtomic(path.join(dir, TRAINER_STATE_NAME), this.toJSON());
    }
    static load(dir) {
        const file = path.join(dir, TRAINER_STATE_NAME);
        const data = readJsonFile(file, { where: "trainer" });
        const state = new TrainerState();
        Object.assign(state, data);
        return state;
    }
}
/** What callbacks set to steer the loop (HF's TrainerControl). */
export class TrainerControl {
    should_training_stop = false;
    should_epoch_stop = false;
    should_save = false;
    should_evaluate = false;
    should_log = false;
    resetForStep() {
        this.should_save = false;
        this.should_evaluate = false;
        this.should_log = false;
    }
}
//# sourceMappingURL=trainer_state.js.map