#!/usr/bin/env bash
# Rebuilds models/qf2-small from nothing but this repository: the corpus, the tokenizer, pre-training of a stock
# Qwen2, QFt into the firing block, the firing-input statistics, and a check of the result. Every step is a qf2
# command; the settings below are the ones the shipped model was made with.
#
#   models/build-qf2-small.sh [WORK_DIR]
#
# WORK_DIR (default target/qf2-small-build) keeps the intermediate files; a step whose output is already there is
# skipped, and an interrupted training run continues from its last saved step. The finished model replaces
# models/qf2-small only after every step has succeeded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mkdir -p "${1:-$root/target/qf2-small-build}" && cd "${1:-$root/target/qf2-small-build}" && pwd)"
qf2="$root/qf2"
model="$root/models/qf2-small"

# the shape of the model and the place of its firing block
HIDDEN=160 INTERMEDIATE=640 LAYERS=4 HEADS=4 KV_HEADS=2 QF_LAYER=3 BETA=10
# corpus and tokenizer
TRAIN_ROWS=200000 QFT_ROWS=48000 VALIDATION_ROWS=1000 MEMORISED=200 MERGES=1000
# pre-training and QFt
PRETRAIN_STEPS=4000 PRETRAIN_BATCH=64 PRETRAIN_LR=2e-3
QFT_STEPS=3000 QFT_BATCH=16 QFT_LR=1e-3
# the update rule learning uses on this model by default, and its margin
RULE=focused MARGIN=32
ANCHORS=32

step() { printf '\n== %s (%s)\n' "$1" "$(date +%H:%M:%S)"; }
start=$(date +%s)

step "corpus"
[ -f "$work/train.jsonl" ] || "$qf2" corpus --out "$work/train.jsonl" --rows $TRAIN_ROWS --seed 1 \
    --memorised $MEMORISED
[ -f "$work/validation.jsonl" ] || "$qf2" corpus --out "$work/validation.jsonl" --rows $VALIDATION_ROWS --seed 2 \
    --memorised $MEMORISED
[ -f "$work/qft.jsonl" ] || "$qf2" corpus --out "$work/qft.jsonl" --rows $QFT_ROWS --seed 3 --memorised $MEMORISED

step "tokenizer"
[ -f "$work/tokenizer/tokenizer.json" ] || "$qf2" tokenizer --data "$work/train.jsonl" --out "$work/tokenizer" \
    --merges $MERGES

step "random initial weights"
[ -f "$work/init/model.safetensors" ] || "$qf2" init --tokenizer "$work/tokenizer" --out "$work/init" \
    --hidden $HIDDEN --intermediate $INTERMEDIATE --layers $LAYERS --heads $HEADS --kv-heads $KV_HEADS --seed 1

# train() runs a training command into $out, resuming where an earlier run of this script stopped.
train() {
    local out="$1"; shift
    if [ -f "$out/trainer_state.safetensors" ]; then
        "$qf2" "$@" --out "$out" --resume
    else
        rm -rf "$out"
        "$qf2" "$@" --out "$out"
    fi
}

step "pre-training"
train "$work/pretrained" pretrain --model "$work/init" --data "$work/train.jsonl" \
    --validation "$work/validation.jsonl" --steps $PRETRAIN_STEPS --batch $PRETRAIN_BATCH --lr $PRETRAIN_LR \
    --schedule cosine --warmup 100 --eval-every 500 --save-every 500

step "QFt: layer $QF_LAYER becomes the firing block"
train "$work/qft" qft --model "$work/pretrained" --data "$work/qft.jsonl" --validation "$work/validation.jsonl" \
    --qf-layer $QF_LAYER --beta $BETA --steps $QFT_STEPS --batch $QFT_BATCH --lr $QFT_LR --schedule cosine \
    --eval-every 250 --save-every 500 --default-rule $RULE --default-strength $MARGIN

step "firing-input statistics for the whitened rule"
"$qf2" statistics --model "$work/qft" --data "$work/train.jsonl" --rows 2000

step "anchor questions for the anchored rule: unseen companies the model declines"
"$qf2" corpus --only unknown --out "$work/qft/qf_anchors.jsonl" --rows $ANCHORS --seed 4 --memorised $MEMORISED

step "held-out accuracy"
"$qf2" evaluate --model "$work/qft" --data "$work/validation.jsonl" --rows $VALIDATION_ROWS \
    --json "$work/evaluation.json"

step "install into $model"
staging="$model.new"
rm -rf "$staging"
mkdir -p "$staging"
for f in config.json model.safetensors tokenizer.json tokenizer_config.json firing_input_statistics.safetensors \
        qf_anchors.jsonl; do
    cp "$work/qft/$f" "$staging/$f"
done
cp "$work/pretrained/training_log.jsonl" "$staging/pretraining_log.jsonl"
cp "$work/qft/training_log.jsonl" "$staging/qft_log.jsonl"
cp "$work/evaluation.json" "$staging/evaluation.json"
[ -f "$model/README.md" ] && cp "$model/README.md" "$staging/README.md"
rm -rf "$model.old"
[ -d "$model" ] && mv "$model" "$model.old"
mv "$staging" "$model"
rm -rf "$model.old"

step "the eight-step protocol on the new model"
"$qf2" demo

printf '\nrebuilt %s in %d s\n' "$model" $(( $(date +%s) - start ))
