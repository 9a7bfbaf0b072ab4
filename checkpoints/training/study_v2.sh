#!/usr/bin/env bash
# Model v2 recipe study on corpus v2, compared as curves of validation SI-SDRi against CPU minutes
# (benchmarks/training_curves.py). Each arm is one 1-thread process with its own CPU budget; the arms ran
# side by side (niced) while other work used the machine, which process CPU time does not count.
#   s0_current  the v1 recipe (stage-2 mixtures: events, fills, female/male pairs) from scratch    (20 CPU-min)
#   s1_warm     the same, warm-started from the shipped v1 model (class rows carried by name)     (20 CPU-min)
#   s2_harder   s1 with SNR -10..+10 dB and 1-3 interferers per example                           (12 CPU-min)
#   s3_sampling s1 with classes drawn by sqrt(seconds) and clips by recording/speaker first       (12 CPU-min)
# Resumable: re-running continues each arm. Usage: study_v2.sh [OUTPUT_DIR] [ARM ...]
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/corpus}
OUT=${1:-runs/study_v2}; shift || true
TRAIN=${TEXTSEP:-.venv/bin/textsep}
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$TCMALLOC" ] && export LD_PRELOAD=$TCMALLOC
export OMP_NUM_THREADS=1
common=(--corpus "$CORPUS" --loss mag+sisdr --base 16 --bands 128 --patch 4 1 --batch-size 8 --lr 1e-3
        --steps-per-epoch 100 --val-examples 200 --epochs 1000 --procs 1 --threads 1
        --p-event 0.5 --p-fill 0.5 --pair female_speech male_speech --p-pair 0.15
        --save-every 0 --output-dir "$OUT" --resume --quiet)
warm=(--init-from checkpoints/textsep_unet.pth)
run() { name=$1; shift; $TRAIN train "${common[@]}" --name "$name" "$@" > "$OUT/$name.log" 2>&1; }
mkdir -p "$OUT"
arms=${*:-s0_current s1_warm s2_harder s3_sampling}
for arm in $arms; do
  case $arm in
    s0_current) run s0_current --max-cpu-minutes 20 & ;;
    s1_warm) run s1_warm --max-cpu-minutes 20 "${warm[@]}" & ;;
    s2_harder) run s2_harder --max-cpu-minutes 12 "${warm[@]}" --snr -10 10 --interferers 1 3 & ;;
    s3_sampling) run s3_sampling --max-cpu-minutes 12 "${warm[@]}" --class-weighting sqrt --by-group & ;;
  esac
done
wait
