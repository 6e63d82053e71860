/**
 * The YAML words for tasks: the aliases a config may use (`ner`, `sft`, `qa`), the options
 * each task's section accepts, and the "did you mean" for a misspelt task name. The library
 * (src/pipelines) takes the canonical names only.
 */
import { TASK_NAMES, type TaskName } from "../pipelines/tasks.js";
export declare const TASK_ALIASES: Record<string, TaskName>;
/** Options each task reads from the YAML `task:` section (besides `type`), from its schema. */
export declare const TASK_OPTIONS: Record<TaskName, string[]>;
export { TASK_NAMES };
/** The canonical task for a YAML name or alias, or a message saying why there is none. */
export declare function resolveTaskName(name: unknown): TaskName | string;
