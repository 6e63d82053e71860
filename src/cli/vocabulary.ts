/**
 * The YAML words for tasks: the aliases a config may use (`ner`, `sft`, `qa`), the options
 * each task's section accepts, and the "did you mean" for a misspelt task name. The library
 * (src/pipelines) takes the canonical names only.
 */
import { TASK_NAMES, type TaskName } from "../pipelines/tasks.js";
import { nearestName, schemaKeys } from "../train/suggest.js";
import { TASK_OPTION_SCHEMAS } from "../pipelines/config.js";

export const TASK_ALIASES: Record<string, TaskName> = {
  text_classification: "text_classification", sequence_classification: "text_classification", classification: "text_classification",
  token_classification: "token_classification", ner: "token_classification",
  causal_lm: "causal_lm", clm: "causal_lm", sft: "causal_lm", instruction_tuning: "causal_lm", text_generation: "causal_lm",
  masked_lm: "masked_lm", mlm: "masked_lm", fill_mask: "masked_lm",
  seq2seq: "seq2seq", seq2seq_lm: "seq2seq", summarization: "seq2seq", translation: "seq2seq", text2text_generation: "seq2seq",
  extractive_qa: "extractive_qa", question_answering: "extractive_qa", qa: "extractive_qa",
};

/** Options each task reads from the YAML `task:` section (besides `type`), from its schema. */
export const TASK_OPTIONS = Object.fromEntries(TASK_NAMES.map((t) => [t, schemaKeys(TASK_OPTION_SCHEMAS[t])])) as Record<TaskName, string[]>;

export { TASK_NAMES };

/** The canonical task for a YAML name or alias, or a message saying why there is none. */
export function resolveTaskName(name: unknown): TaskName | string {
  if (typeof name !== "string") return `task must be a name (one of ${TASK_NAMES.join(", ")}), got ${JSON.stringify(name)}`;
  const key = name.toLowerCase().replace(/-/g, "_");
  const task = TASK_ALIASES[key];
  if (task) return task;
  const near = nearestName(key, Object.keys(TASK_ALIASES));
  return `unknown task "${name}"${near ? `; did you mean "${near}"?` : ""} (tasks: ${TASK_NAMES.join(", ")})`;
}
