/**
 * TrainerState and TrainerControl as transformers defines them: the state is what
 * trainer_state.json holds (HF's field names), the control is how callbacks steer the loop.
 */
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";

export type LogEntry = Record<string, number>;

export interface TrainerStateFields {
  epoch: number;
  global_step: number;
  max_steps: number;
  logging_steps: number;
  eval_steps: number;
  save_steps: number;
  train_batch_size: number;
  num_train_epochs: number;
  num_input_tokens_seen: number;
  total_flos: number;
  log_history: LogEntry[];
  best_metric: number | null;
  best_global_step: number | null;
  best_model_checkpoint: string | null;
  is_local_process_zero: boolean;
  is_world_process_zero: boolean;
  is_hyper_param_search: boolean;
  trial_name: string | null;
  trial_params: Record<string, unknown> | null;
  stateful_callbacks: Record<string, unknown>;
}

export const TRAINER_STATE_NAME = "trainer_state.json";

export class TrainerState implements TrainerStateFields {
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
  log_history: LogEntry[] = [];
  best_metric: number | null = null;
  best_global_step: number | null = null;
  best_model_checkpoint: string | null = null;
  is_local_process_zero = true;
  is_world_process_zero = true;
  is_hyper_param_search = false;
  trial_name: string | null = null;
  trial_params: Record<string, unknown> | null = null;
  stateful_callbacks: Record<string, unknown> = {};

  toJSON(): TrainerStateFields {
    return { ...this };
  }

  save(dir: string): void {
    writeJsonAtomic(path.join(dir, TRAINER_STATE_NAME), this.toJSON());
  }

  static load(dir: string): TrainerState {
    const file = path.join(dir, TRAINER_STATE_NAME);
    const data = readJsonFile<Partial<TrainerStateFields>>(file, { where: "trainer" });
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

  resetForStep(): void {
    this.should_save = false;
    this.should_evaluate = false;
    this.should_log = false;
  }
}
