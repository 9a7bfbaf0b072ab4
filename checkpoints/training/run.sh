#!/usr/bin/env bash
# The one command that trains (and resumes) the shipped models. Safe to re-run at any time: each stage
# continues from checkpoints/training/*_last.pth and ends at its epoch count or CPU-minute budget.
#   stage 1 (epochs 1-32): mixtures as in MixConfig's defaults (targets fill most of the 4 s crop)
#   stage 2 (epochs 33-):  half the targets are short events with silence around them and half the
#                          interferers span the whole mixture, as in real edits and the evaluation cases
# Needs the labelled corpus (default ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/corpus}
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$TCMALLOC" ] && export LD_PRELOAD=$TCMALLOC   # 2-2.7x faster training here (glibc malloc page-faults)
export OMP_NUM_THREADS=1
common=(--corpus "$CORPUS" --loss mag+sisdr --base 16 --bands 128 --patch 4 1 --batch-size 8 --lr 1e-3
        --steps-per-epoch 200 --save-every 25 --output-dir checkpoints/training --resume --quiet)
what=${1:-model}
if [ "$what" = model ]; then
  .venv/bin/textsep train "${common[@]}" --procs 2 --epochs 32
  exec .venv/bin/textsep train "${common[@]}" --procs 2 --epochs 1000 --max-cpu-minutes 360 --p-event 0.5 --p-fill 0.5
else
  exec .venv/bin/textsep train "${common[@]}" --procs 1 --baseline --epochs 1000 --max-cpu-minutes 90 \
    --p-event 0.5 --p-fill 0.5
fi
