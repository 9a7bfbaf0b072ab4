#!/usr/bin/env bash
# Model v2 recipe study on corpus v2: four arms from the same data, each given the same CPU budget
# (STUDY_MINUTES, default 20 CPU-min, 1 thread each, two arms at a time), compared as curves of validation
# SI-SDRi against CPU minutes (benchmarks/training_curves.py). Resumable: re-running continues each arm.
#   s0_current  the v1 recipe (stage-2 mixtures: events, fills, female/male pairs) from scratch
#   s1_warm     the same, warm-started from the shipped v1 model (class rows carried by name)
#   s2_harder   the same from scratch with SNR -10..+10 dB and 1-3 interferers per example
#   s3_sampling the same from scratch with classes drawn by sqrt(seconds) and clips by recording/speaker first
# Usage: checkpoints/training/study_v2.sh [OUTPUT_DIR]   (TEXTSEP=command to run textsep train with)
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/corpus}
OUT=${1:-runs/study_v2}
MIN=${STUDY_MINUTES:-20}
TRAIN=${TEXTSEP:-.venv/bin/textsep}
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$TCMALLOC" ] && export LD_PRELOAD=$TCMALLOC
export OMP_NUM_THREADS=1
common=(--corpus "$CORPUS" --loss mag+sisdr --base 16 --bands 128 --patch 4 1 --batch-size 8 --lr 1e-3
        --steps-per-epoch 100 --val-examples 200 --epochs 1000 --max-cpu-minutes "$MIN" --procs 1 --threads 1
        --p-event 0.5 --p-fill 0.5 --pair female_speech male_speech --p-pair 0.15
        --save-every 0 --output-dir "$OUT" --resume --quiet)
run() { name=$1; shift; $TRAIN train "${common[@]}" --name "$name" "$@" > "$OUT/$name.log" 2>&1; }
mkdir -p "$OUT"
run s0_current & run s1_warm --init-from checkpoints/textsep_unet.pth & wait
run s2_harder --snr -10 10 --interferers 1 3 & run s3_sampling --class-weighting sqrt --by-group & wait
