#!/usr/bin/env bash
# Rebuilds the demo the quickstart ships (assets/demo), offline and deterministically:
#   1. generates the review corpus, the labelled sentiment data and a WordPiece vocab
#      (scripts/build-demo-model.data.mjs: text written by this project, no outside data);
#   2. pretrains a tiny BERT on the corpus with `tunelab pretrain scripts/build-demo-model.yaml`
#      (masked LM from the architecture in scripts/build-demo-model.config.json).
# The corpus is regenerated into runs/demo-build/ and not shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/src/cli/main.js ] || npm run build
node scripts/build-demo-model.data.mjs assets/demo runs/demo-build/corpus.txt
rm -rf assets/demo/model
node bin/tunelab.js pretrain scripts/build-demo-model.yaml "$@"
# Only what fine-tuning needs stays in the shipped folder.
rm -f assets/demo/model/training_args.json assets/demo/model/trainer_log.jsonl assets/demo/model/*_results.json
du -sh assets/demo/model
