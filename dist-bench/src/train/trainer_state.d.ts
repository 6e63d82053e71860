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
export declare const TRAINER_STATE_NAME = "trainer_state.json";
export declare class TrainerState implements TrainerStateFields {
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
    toJSON(): TrainerStateFields;
    save(dir: string): void;
    static load(dir: string): TrainerState;
}
/** What callbacks set to steer the loop (HF's TrainerControl). */
export declare class TrainerControl {
    should_training_stop: boolean;
    should_epoch_stop: boolean;
    should_save: boolean;
    should_evaluate: boolean;
    should_log: boolean;
    resetForStep(): void;
}
