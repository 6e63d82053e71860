/**
 * The `tunelab` command: train, eval, predict, pretrain, quickstart, merge, serve, export, report, runs, compare, sweep. Parses arguments,
 * calls the library, prints; errors print as one message (no stack) with exit code 1, or 2
 * for configuration errors.
 */
import { Command, Option } from "commander";
import { trainCommand, type TrainCommandOptions } from "./commands/train.js";
import { evalCommand, type EvalCommandOptions } from "./commands/eval.js";
import { predictCommand } from "./commands/predict.js";
import { pretrainCommand, type PretrainCommandOptions } from "./commands/pretrain.js";
import { QUICKSTART_EPOCHS, quickstartCommand } from "./commands/quickstart.js";
import { reportCommand, runsCommand } from "./commands/report.js";
import { compareCommand } from "./commands/compare.js";
import { sweepCommand } from "./commands/sweep.js";
import { serveCommand } from "./commands/serve.js";
import { mergeCommand } from "./commands/merge.js";
import { exportCommand, type ExportCommandOptions } from "./commands/export.js";
import { ConfigError } from "./config.js";
import { TrainingArgumentsError } from "../train/training_args.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

const CONFIG_HELP = `
Config (YAML; relative paths are resolved from the config file's folder):
  model: path/to/model            # or { name_or_path, config: {overrides}, from_config: config.json }
  tokenizer: path                 # default: the model folder
  task: text_classification       # or { type, text_column, label_column, max_length, ... }
                                  # tasks: text_classification, token_classification, causal_lm,
                                  #        masked_lm, seq2seq, extractive_qa
  dataset:
    path: data/                   # a file, or a folder with train.* / validation.* / test.*
    on_bad_rows: fail             # or skip (bad rows are counted and reported with file:line)
    column_names: [sentence, label]  # CSV/TSV without a header row (or header: false → column_0, ...)
    streaming: false              # true: read the train file as training goes (needs max_steps);
                                  #   shuffled with a seeded buffer of shuffle_buffer_size rows
  method: full                    # or a PEFT method (lora, bitfit, ...) with a peft: section
  peft: { r: 8, lora_alpha: 16, target_modules: [query, value] }
  early_stopping: { early_stopping_patience: 3 }
  training:                       # Hugging Face TrainingArguments names and defaults
    output_dir: runs/my-run
    num_train_epochs: 3
    learning_rate: 5e-5
    eval_strategy: epoch
    save_strategy: epoch
    load_best_model_at_end: true
    metric_for_best_model: accuracy`;

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("tunelab")
    .description("Fine-tune Hugging Face transformer models on CPU, from TypeScript.")
    .showHelpAfterError()
    .addHelpText("after", `
Examples:
  $ tunelab quickstart                                  # offline demo: fine-tunes a tiny model in seconds
  $ tunelab train config.yaml --set learning_rate=1e-4
  $ tunelab eval config.yaml --split test
  $ tunelab predict config.yaml --input new_rows.jsonl --output preds.jsonl
  $ tunelab pretrain pretrain.yaml`);

  program
    .command("train")
    .description("fine-tune a model as the YAML config says, with checkpoints, evaluation and early stopping")
    .argument("<config>", "YAML config file")
    .option("--set <key=value>", "override a config value (repeatable): learning_rate=1e-4, dataset.on_bad_rows=skip, method=full", collect)
    .option("--resume [checkpoint]", "resume from a checkpoint folder, or the newest one in output_dir")
    .option("--quiet", "no progress output")
    .option("--png", "also write the report's charts as PNG files (charts/*.png)")
    .addHelpText("after", `
Examples:
  $ tunelab train sst2.yaml
  $ tunelab train sst2.yaml --set num_train_epochs=1 --set per_device_train_batch_size=32
  $ tunelab train sst2.yaml --resume                    # continue after a crash, exactly
  $ tunelab train sst2.yaml --resume runs/sst2/checkpoint-500
${CONFIG_HELP}`)
    .action(async (config: string, o: TrainCommandOptions) => {
      await trainCommand(config, o);
    });

  program
    .command("eval")
    .description("evaluate a trained model (default: the run's output_dir) on a split")
    .argument("<config>", "YAML config file (the one used for training)")
    .option("--model <dir>", "model folder to evaluate (default: output_dir if it holds a model, else the config's model)")
    .option("--split <name>", "the split to evaluate: validation or test", "validation")
    .option("--set <key=value>", "override a config value (repeatable)", collect)
    .addHelpText("after", `
Examples:
  $ tunelab eval sst2.yaml
  $ tunelab eval sst2.yaml --split test --model runs/sst2/checkpoint-500
  $ tunelab eval clm.yaml                               # causal_lm: eval_perplexity = exp(mean token loss)`)
    .action(async (config: string, o: EvalCommandOptions) => {
      await evalCommand(config, o);
    });

  program
    .command("predict")
    .description("predict labels / tags / answers, or generate text (causal_lm, seq2seq), for new rows; writes JSON Lines")
    .argument("<config>", "YAML config file (the one used for training)")
    .requiredOption("--input <file>", "rows to predict (JSONL, JSON, CSV, TSV, Parquet or CoNLL), without labels")
    .option("--output <file>", "where to write the JSONL (default: <output_dir>/predictions.jsonl)")
    .option("--model <dir>", "model folder (default: output_dir)")
    .option("--set <key=value>", "override a config value (repeatable)", collect)
    .addOption(new Option("--max-new-tokens <n>", "generation tasks: the most tokens to generate per row (default 64)").argParser((v) => Number(v)))
    .addHelpText("after", `
Examples:
  $ tunelab predict sst2.yaml --input reviews.jsonl --output predictions.jsonl
  $ tunelab predict ner.yaml --input sentences.conll
  $ tunelab predict sft.yaml --input prompts.jsonl --max-new-tokens 100

Generation (greedy decoding, stopping at the tokenizer's EOS):
  causal_lm  rows with prompt (or text, or chat messages) → the row plus "completion"
  seq2seq    rows with source → the row plus "generated_text"`)
    .action(async (config: string, o: { input: string; output?: string; model?: string; set: string[]; maxNewTokens?: number }) => {
      await predictCommand(config, { ...o, max_new_tokens: o.maxNewTokens });
    });

  program
    .command("pretrain")
    .description("masked-LM or causal-LM (continued) pretraining on raw text")
    .argument("<config>", "YAML config file: model.from_config (new model) or model (continue), tokenizer, dataset of text")
    .option("--set <key=value>", "override a config value (repeatable)", collect)
    .option("--resume [checkpoint]", "resume from a checkpoint folder, or the newest one in output_dir")
    .option("--quiet", "no progress output")
    .addHelpText("after", `
Examples:
  $ tunelab pretrain scripts/build-demo-model.yaml      # how the shipped demo model was made (run via scripts/build-demo-model.sh)
  $ tunelab pretrain continue.yaml --set max_steps=2000

A pretraining config:
  model: { from_config: config.json }   # or model: path/to/model to continue pretraining
  tokenizer: path/to/tokenizer
  task: { type: masked_lm, max_length: 64, mlm_probability: 0.15 }   # or causal_lm
  dataset: { train_file: corpus.txt }   # .txt: one text per line; or JSONL with a text column
  training: { output_dir: my-model, num_train_epochs: 5, learning_rate: 1e-3 }`)
    .action(async (config: string, o: PretrainCommandOptions) => {
      await pretrainCommand(config, o);
    });

  program
    .command("quickstart")
    .description("offline demo: fine-tune the shipped pretrained tiny BERT on the shipped data; compare with random init")
    .option("--output-dir <dir>", "run folder (default: runs/quickstart-<time>)")
    .addOption(new Option("--epochs <n>", "fine-tuning epochs").argParser((v) => Number(v)).default(QUICKSTART_EPOCHS))
    .option("--quiet", "no progress bars")
    .addHelpText("after", `
Examples:
  $ tunelab quickstart
  $ tunelab quickstart --output-dir runs/demo --epochs 4`)
    .action(async (o: { outputDir?: string; epochs?: number; quiet?: boolean }) => {
      await quickstartCommand({ output_dir: o.outputDir, num_train_epochs: o.epochs, quiet: o.quiet });
    });

  program
    .command("merge")
    .description("merge a trained adapter into its base model: a plain Hugging Face folder (config.json, model.safetensors, tokenizer) that Transformers loads")
    .argument("<dir>", "a run folder tunelab train saved an adapter in, or an adapter folder (adapter_config.json)")
    .requiredOption("--out <dir>", "the merged model's folder (new or empty)")
    .option("--base <dir>", "the base model (default: adapter_config.json's base_model_name_or_path)")
    .option("--dequantize [dtype]", "a 4-/8-bit (QLoRA) base: merge exactly into its dequantized weights and save a float32 (or bfloat16) model, instead of re-quantizing the merged weights (PEFT's default)")
    .addHelpText("after", `
Examples:
  $ tunelab merge runs/stories-lora --out runs/stories-merged
  $ tunelab merge runs/stories-qlora --dequantize --out runs/stories-merged-f32
  $ tunelab serve --model runs/stories-merged`)
    .action(async (dir: string, o: { out: string; base?: string; dequantize?: string | boolean }) => {
      await mergeCommand(dir, o);
    });

  const num = (v: string) => Number(v);
  program
    .command("serve")
    .description("serve a model over HTTP, OpenAI-compatible (/v1/completions, /v1/chat/completions, /v1/models; /v1/classify, /v1/embeddings for encoders)")
    .requiredOption("--model <dir>", "model folder (Hugging Face format: a tunelab train output, or `tunelab merge`'s)")
    .option("--adapter <name=dir>", "an adapter on that model, chosen by requests with model: <name> (repeatable)", collect)
    .option("--served-model-name <name>", "the name requests use for the base model (default: the folder's name)")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .addOption(new Option("--port <n>", "port (0: any free port)").default(8080).argParser(num))
    .option("--api-key <key>", "require Authorization: Bearer <key> (default: $TUNELAB_API_KEY; none when unset)")
    .addOption(new Option("--max-tokens <n>", "largest max_tokens a request may ask for").argParser(num))
    .addOption(new Option("--max-queue <n>", "requests admitted at once (running + waiting); more get 429").argParser(num))
    .addOption(new Option("--max-batch-size <n>", "sequences decoded together per step").argParser(num))
    .addOption(new Option("--max-body-bytes <n>", "largest request body").argParser(num))
    .addOption(new Option("--request-timeout <s>", "seconds a request may run before it is stopped (504)").argParser(num))
    .addHelpText("after", `
Examples:
  $ tunelab serve --model runs/stories-merged
  $ tunelab serve --model models/llama --adapter support=runs/support-lora --adapter legal=runs/legal-lora --port 9000
  $ curl http://127.0.0.1:8080/v1/completions -H 'Content-Type: application/json' \\
      -d '{"model": "stories-merged", "prompt": "Once upon a time", "max_tokens": 40, "temperature": 0}'
SIGTERM / SIGINT stop accepting requests, finish the ones in flight, then exit.`)
    .action(async (o: { model: string; adapter?: string[]; servedModelName?: string; host: string; port: number; apiKey?: string; maxTokens?: number; maxQueue?: number; maxBatchSize?: number; maxBodyBytes?: number; requestTimeout?: number }) => {
      await serveCommand({
        model: o.model, adapter: o.adapter, served_model_name: o.servedModelName, host: o.host, port: o.port, api_key: o.apiKey,
        max_tokens: o.maxTokens, max_queue: o.maxQueue, max_batch_size: o.maxBatchSize, max_body_bytes: o.maxBodyBytes, request_timeout_s: o.requestTimeout,
      });
    });

  program
    .command("report")
    .description("rebuild a run's report.html (charts, summary, confusion matrix) from its run folder")
    .argument("<run_dir>", "a training output_dir")
    .option("--png", "also write every chart as a PNG (charts/*.png)")
    .addHelpText("after", `
Examples:
  $ tunelab report runs/sst2
  $ tunelab report runs/sst2 --png                      # PNG charts for terminals and chat`)
    .action(async (runDir: string, o: { png?: boolean }) => {
      await reportCommand(runDir, o);
    });

  program
    .command("compare")
    .description("train the same model on the same data with each method (one process each) and compare size, memory, speed and quality")
    .argument("<config>", "YAML config file (the run to repeat per method; output_dir holds one folder per method)")
    .option("--methods <list>", "comma-separated methods (default: compare.methods, else every registered method, and qlora)")
    .option("--set <key=value>", "override a config value (repeatable)", collect, [])
    .addHelpText("after", `
Examples:
  $ tunelab compare sst2.yaml --methods full,lora,ia3,bitfit
  $ tunelab compare sst2.yaml                           # run again: finished methods are kept

Per-method overrides in the config (each method starts from its usual settings):
  compare:
    methods: [full, lora, prompt_tuning]
    lora: { peft: { r: 16 }, training: { learning_rate: 5.0e-4 } }
    prompt_tuning: { peft: { num_virtual_tokens: 10 } }

Writes <output_dir>/compare.md, compare.html, compare_results.json and <output_dir>/<method>/.`)
    .action(async (config: string, o: { methods?: string; set: string[] }) => {
      await compareCommand(config, o);
    });

  program
    .command("sweep")
    .description("search hyperparameters (grid or random) as the config's sweep: section says, one process per trial; rank the trials and write the best config")
    .argument("<config>", "YAML config file with a sweep: section (output_dir holds one folder per trial)")
    .option("--set <key=value>", "override a config value (repeatable)", collect, [])
    .addHelpText("after", `
Examples:
  $ tunelab sweep sst2.yaml
  $ tunelab sweep sst2.yaml                             # run again: finished trials are kept

The sweep section (keys are paths as --set takes them; training arguments may be bare):
  sweep:
    strategy: random              # or grid (default: grid when every parameter is a list)
    n_trials: 8                   # the trial budget (a grid runs at most this many)
    seed: 42
    metric: accuracy              # default: training.metric_for_best_model
    pruning: median               # stop a trial that trails the earlier trials' median at the same step
    pruning_warmup_evals: 1       # evaluations before a trial can be pruned
    pruning_startup_trials: 2     # earlier trials needed at a step before the rule applies there
    parameters:
      learning_rate: { min: 1.0e-4, max: 1.0e-2, scale: log }
      peft.r: [4, 8, 16]
      peft.lora_alpha: { values: [8, 16, 32] }
      num_train_epochs: { min: 2, max: 6, type: int }
Early stopping inside each trial: the config's early_stopping: section.
Writes <output_dir>/sweep.md, sweep.html, sweep_results.json, best_config.yaml and <output_dir>/trial-NNN/.`)
    .action(async (config: string, o: { set: string[] }) => {
      await sweepCommand(config, o);
    });

  program
    .command("runs")
    .description("list the runs under a folder with their key numbers")
    .argument("[dir]", "folder holding run folders", "runs")
    .action((dir: string) => {
      runsCommand(dir);
    });

  program
    .command("export")
    .description("write a trained model for other runtimes: ONNX (onnxruntime, Transformers.js) or GGUF (llama.cpp)")
    .argument("<dir>", "run folder, checkpoint, adapter folder (merged into its base first) or Hugging Face model folder")
    .requiredOption("--format <format>", "onnx or gguf")
    .requiredOption("--out <path>", "onnx: a new or earlier-export folder; gguf: the .gguf file")
    .option("--task <task>", "the folder's task when it does not say it (text_classification, token_classification, extractive_qa, masked_lm, causal_lm)")
    .option("--outtype <type>", "gguf: f32, f16 (default), q8_0 or q4_0")
    .option("--external-data", "onnx: weights in onnx/model.onnx_data (automatic past the 2 GB protobuf limit)")
    .option("--tokenizer <dir>", "tokenizer folder (default: the model folder's, else its base model's)")
    .addHelpText("after", `
Examples:
  $ tunelab export runs/sst2 --format onnx --out sst2-onnx            # config.json, tokenizer, onnx/model.onnx
  $ tunelab export runs/lora-llama --format gguf --outtype q8_0 --out model-q8_0.gguf

ONNX: BERT, RoBERTa, DistilBERT (base, sequence/token classification, masked LM, QA);
      GPT-2, Llama, Mistral, Qwen2 causal LMs with past_key_values inputs / present outputs.
GGUF: Llama and Mistral causal LMs with a SentencePiece-style (byte-fallback BPE) tokenizer.`)
    .action(async (dir: string, o: ExportCommandOptions) => {
      await exportCommand(dir, o);
    });
  return program;
}

/** Prints a command's failure and gives its exit code: 2 for a config problem, 1 otherwise. */
export function reportFailure(err: unknown): number {
  const e = err as Error;
  const configProblem = e instanceof ConfigError || e instanceof TrainingArgumentsError;
  console.error(configProblem ? e.message : `error: ${e.message}`);
  if (process.env.TUNELAB_DEBUG) console.error(e.stack);
  return configProblem ? 2 : 1;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    return reportFailure(err);
  }
}
