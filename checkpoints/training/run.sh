#!/usr/bin/env bash
# The one command that trains (and resumes) the shipped models. Safe to re-run at any time: each stage
# continues from checkpoints/training/*_last.pth and ends at its epoch count or CPU-minute budget.
#
#   model v2.11 (default): stage L below, the final fit of stage I's two runs trained on again; `run.sh v210`
#   rebuilds v2.10 (stage K); `run.sh v29` rebuilds
#   v2.9 (stage J, the final fit of stage I's two runs on every recording); `run.sh v28`
#   rebuilds v2.8 (stage I, two runs from stage H's state at epoch 1328, averaged together over epochs 1332-1516,
#   model v2.7, `run.sh v27`, and 1688-1824); `run.sh v26`
#   rebuilds v2.6 (stage H to epoch 1256, from stage G's state at epoch 828), `run.sh v25`
#   rebuilds v2.5
#   (stage H to epoch 968), `run.sh v24` v2.4 (stage G to
#   epoch 776), `run.sh v23` v2.3 (stage F from
#   stage E's state at epoch 486), `run.sh v22` v2.2 (stage E from v2.1); v2.1 itself came from three stages on
#   corpus v2 (50 classes, 6 h):
#     A  textsep_unet_v2: warm start from the v1 model (training/textsep_unet_v1.pth; tensors copied, the
#        routing table's rows carried by class name, the 11 new classes start fresh), loss L1 + 0.05 SI-SDR,
#        lr 1e-3 with ReduceLROnPlateau, epochs of 100 steps x 8 mixtures: half the targets short events,
#        half the interferers spanning the mixture, 15 % female-vs-male speech pairs. Chosen by the recipe
#        study (study_v2.sh; model card). Epochs 1-25 ran as one process (the study's arm s1_warm), 26-97 as
#        two torchrun processes of batch 4, restarted at epoch 47 with lr 5e-4 and patience 15. Its epoch 70
#        (training/textsep_unet_v2a.pth) starts stage B (`run.sh v2b`, for the record).
#     B  textsep_unet_v2s: from A's epoch 70, loss = negative SI-SDR of the resynthesised keep and remove
#        outputs only, lr 3e-4, patience 15. Its epoch 10 is model v2.0 (training/textsep_unet_v2b.pth, the
#        previous release), which starts stage C.
#     C  textsep_unet_v2c: from v2.0, the same mixtures and loss at a constant lr of 1e-3, one process of
#        batch 8, 64 epochs of 50 steps (16 CPU-minutes), a checkpoint every 4 epochs; the mean of those 16
#        checkpoints, BatchNorm re-estimated (textsep.training.averaging), starts stage D.
#     D  textsep_unet_v2d: from C's average, the same again plus speed (0.92-1.08x) and random-EQ (+-6 dB)
#        augmentation of half the sources, 80 epochs (20 CPU-minutes); the mean of its 20 checkpoints is model
#        v2.1 (training/textsep_unet_v21.pth; packaging/ship_model.py adds the paraphrase embeddings).
#        `run.sh v21` runs C and D, resuming either, and writes training/textsep_unet_v21.pth. Chosen in the
#        session-4 study (model card): no single checkpoint of any arm beat v2.0; their averages did, by 0.4 dB.
#     E  textsep_unet_v2e: from v2.1 plus two self-attention layers across time at the bottleneck (--context 2,
#        starting as an exact copy of v2.1), the same recipe as D, bf16 autocast (1.7-2x faster on that EPYC), 484
#        epochs (139 CPU-minutes); the mean of its 22 checkpoints from epoch 400 on is the shipped
#        textsep_unet.pth, model v2.2. The shipped run used one process to epoch 284 and two (batch 4 each,
#        the same 8 per step) after; run.sh uses one throughout, and bf16 only on a CPU with native bf16
#        (fp32 gave the same validation figures). Chosen in the session-5 study (model card).
#        The run went on to epoch 486; training/textsep_unet_v2e_resume.pth (with textsep_unet_v2e_history.json)
#        is its state there, to continue it: the stage's options with `--epochs N --resume
#        checkpoints/training/textsep_unet_v2e_resume.pth` (not named *_last.pth, so `run.sh` still rebuilds
#        v2.2 from v2.1 rather than finding a run already past epoch 484).
#     F  textsep_unet_v2f: stage E continued from epoch 486 (training/textsep_unet_v2e_resume.pth, weights and Adam
#        state) with half of each class's validation recordings moved into training (--val-to-train 0.5: 22
#        classes gain 1-12 recordings, by group, seeded), the same recipe, fp32, one process of batch 8, --val-every 4,
#        to epoch 648 (108 CPU-minutes); the mean of its 28 checkpoints from epoch 540 on is model v2.3
#        (training/textsep_unet_v23.pth). Scored on cases from the other half
#        (`textsep evaluate --make-cases DIR --val-to-train 0.5`), never heard. Chosen in session 9 (model card).
#     G  textsep_unet_v2g: stage F continued from its state at epoch 648 (weights and Adam state) with stronger
#        augmentation: a random EQ on 80 % of the sources at up to +-10 dB (F: 50 % at +-6) and a synthetic room
#        on 30 % (--reverb-aug), the rest as F, to epoch 776 (67 CPU-minutes); the mean of its 32 checkpoints
#        from epoch 652 on is the shipped textsep_unet.pth, model v2.4. Chosen in session 10 (model card): the
#        model fitted its training recordings far better than new ones (validation 12 vs 7 dB), and stronger
#        augmentation measured better on the held-out half; training/textsep_unet_v2g_resume.pth is its state at
#        the end, to continue it (as textsep_unet_v2e_resume.pth for stage E). G went on with the same recipe to
#        epoch 828 (session 10's arm augc; its state there is training/textsep_unet_v2g_augc_resume.pth).
#     H  textsep_unet_v2h: stage G continued from its state at epoch 828 with two more kinds of variation: a second
#        clip of the target's class layered under it in 30 % of examples (--layer-aug) and speed changes of
#        0.8-1.25x (--speed-range) for sources without a voice (voices keep 0.92-1.08), the rest as G, to epoch 968
#        (62 CPU-minutes); the mean of its 35 checkpoints from epoch 832 on is the shipped textsep_unet.pth,
#        model v2.5. Chosen in session 11 (model card): +0.15 dB over G's recipe over the same epochs, where weight
#        decay gained nothing (textsep_unet_v2h_all_resume.pth: the same recipe with --val-to-train 1 from its
#        epoch 988, to 1052). Session 12 trained H on from its state at epoch 1056: its held-out validation rose
#        again, and the mean of its 50 checkpoints over epochs 1060-1256 is model v2.6 (+0.23 / +0.15 dB over v2.5
#        on the two held-out case sets); training/textsep_unet_v2h_resume.pth is its state where the session ended.
#     I  textsep_unet_v2i and textsep_unet_v2i_aug: two runs from stage H's state at epoch 1328 (its
#        training/textsep_unet_v2h_resume.pth), both with 3 % of examples asking for a sound the mixture lacks
#        (--absent-aug 0.03: keep should keep nothing, remove change nothing), the second also with layered targets
#        and rooms in 50 % of examples (H: 30 %), to epoch 1516 (each about 80 CPU-minutes); the mean of the 94
#        checkpoints of both from epoch 1332 on is the shipped textsep_unet.pth, model v2.7. Chosen in session 14
#        (model card): either run's mean gained on v2.6, the two together gained most.
#        Session 15 trained both on (from epochs 1684 and 1664, where session 14 ended): the mean of v2.7 (counting
#        as its 94 checkpoints) and both runs' 70 checkpoints over epochs 1688-1824 is the shipped model v2.8;
#        v2.7 is kept as training/textsep_unet_v27.pth. training/textsep_unet_v2i_aug_resume.pth (epoch 1876) is
#        the second run's state when session 15 ended, training/textsep_unet_v2i_resume.pth the first's after
#        sessions 18 and 19 trained it on from 1904 to 2460 (bf16), to continue them (on half of the validation
#        recordings, so that a change is measured on the other half).
#     J  textsep_unet_v2j and textsep_unet_v2j_aug: the final fit. Stage I's two runs on to epochs 1912 and 1884,
#        then each with every validation recording (--val-to-train 1) for 188 epochs (to 2100 and 2072, about 90
#        CPU-minutes each); the mean of both runs' 76 checkpoints from 40 epochs after the switch on is the shipped
#        textsep_unet.pth, model v2.9 (session 16, model card). It has heard every recording, so its recipe's
#        figures on new recordings are v2.8's. training/textsep_unet_v2j_resume.pth and
#        training/textsep_unet_v2j_aug_resume.pth are the two runs' states at the end.
#     K  stage J's two runs trained on from epochs 2100 and 2072 for 280 more epochs each (to 2380 and 2352, 105 and
#        111 CPU-minutes), bf16 autocast on this Xeon's AMX; the mean of v2.9 (counting as its 76 checkpoints)
#        and both runs' 140 new checkpoints from epoch 2104 / 2076 on was model v2.10
#        (session 17, model card). v2.9 is kept as training/textsep_unet_v29.pth.
#     L  stage K's two runs trained on from epochs 2380 and 2352 for 240 more epochs each (to 2620 and 2592),
#        bf16 as K; the mean of v2.10 (counting as its 216 checkpoints) and both runs' 120 new checkpoints from
#        epoch 2384 / 2356 on is the shipped textsep_unet.pth, model v2.11 (session 19, model card). v2.10 is
#        kept as training/textsep_unet_v210.pth; the two training/textsep_unet_v2j*_resume.pth now hold the
#        runs' states at epochs 2620 and 2592.
#   baseline (run.sh baseline): the text-agnostic twin, 90 CPU-min (trained on corpus v1).
#   v1 (run.sh v1): the two v1 stages, for the record; they need corpus v1 (CORPUS=path to it).
# --procs 2 is torchrun --standalone --nproc_per_node 2 (see "Training on more machines" in README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-../shared/corpus}
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
[ -f "$TCMALLOC" ] && export LD_PRELOAD=$TCMALLOC   # 2-2.7x faster training here (glibc malloc page-faults)
export OMP_NUM_THREADS=1
common=(--corpus "$CORPUS" --base 16 --bands 128 --patch 4 1 --output-dir checkpoints/training
        --resume --quiet)
what=${1:-model}
# bf16 autocast only where the CPU runs bf16 natively (1.7-2x faster there; 11x slower where emulated)
bf16=$(.venv/bin/python -c "from textsep.training.distributed import cpu_has_native_bf16 as n; print('--bf16' if n() else '')")
stage() {  # name epochs first-averaged-epoch init extra-options...: train at a constant rate, then average (not
  # when first-averaged-epoch is -)
  local name=$1 epochs=$2 first=$3 init=$4
  shift 4
  .venv/bin/textsep train "${common[@]}" --name "$name" --loss sisdr --batch-size 8 --procs 1 --threads 1 \
    --steps-per-epoch 50 --val-examples 200 --lr 1e-3 --lr-schedule constant --save-every 4 \
    --epochs "$epochs" --p-event 0.5 --p-fill 0.5 --pair female_speech male_speech --p-pair 0.15 \
    --init-from "$init" "$@"
  [ "$first" = - ] && return
  average "${name}_avg.pth" "$name:$first:$epochs"
}
average() {  # out [earlier-average.pth] run:first:last...: the mean of each run's checkpoints over its epochs
  # first-last (one every 4), with an earlier average counting as the checkpoints it averages; BatchNorm re-estimated
  local out=checkpoints/training/$1 earlier=() spec run first last e
  shift
  case $1 in *.pth) earlier=("$1"); shift ;; esac
  rm -f "$out"
  .venv/bin/python -m textsep.training.averaging "$out" "${earlier[@]}" \
    $(for spec in "$@"; do
        IFS=: read -r run first last <<<"$spec"
        for e in $(seq "$first" 4 "$last"); do echo "checkpoints/training/${run}_epoch$e.pth"; done
      done) --corpus "$CORPUS"
}
last_or() {  # name fallback: the stage's own _last.pth when it has one (resume it), else the state it starts from
  local own=checkpoints/training/$1_last.pth
  if [ -f "$own" ]; then echo "$own"; else echo "$2"; fi
}
stage_f() {  # stage F from stage E's state at epoch 486 (weights and Adam state: --resume, which takes precedence
  # over the --init-from that stage passes); once F has a _last.pth it resumes that
  local res
  res=$(last_or textsep_unet_v2f checkpoints/training/textsep_unet_v2e_resume.pth)
  stage textsep_unet_v2f 648 540 "$res" --speed-aug 0.5 --eq-aug 0.5 --context 2 --val-every 4 --val-to-train 0.5 \
    --resume "$res"
}
stage_g() {  # stage G from stage F's state at epoch 648 to epoch $1, averaging its checkpoints from epoch $2 on (or -)
  local res
  res=$(last_or textsep_unet_v2g checkpoints/training/textsep_unet_v2f_last.pth)
  stage textsep_unet_v2g "$1" "$2" "$res" --speed-aug 0.5 --eq-aug 0.8 --eq-db 10 --reverb-aug 0.3 --context 2 \
    --val-every 4 --val-to-train 0.5 --resume "$res"
}
# stage H's recipe less its layering and rooms, which stage I's second run raises
h_recipe=(--speed-aug 0.5 --speed-range 0.8 1.25 --eq-aug 0.8 --eq-db 10 --context 2 --val-every 4)
stage_h() {  # stage H from stage G's state at epoch 828 to epoch $1, averaging its checkpoints from epoch $2
  # on (or -)
  local res
  res=$(last_or textsep_unet_v2h checkpoints/training/textsep_unet_v2g_last.pth)
  stage textsep_unet_v2h "$1" "$2" "$res" "${h_recipe[@]}" --val-to-train 0.5 --layer-aug 0.3 --reverb-aug 0.3 \
    --resume "$res"
}
i_run() {  # run epochs start layer-and-rooms val-to-train [options...]: one run of stage I's recipe to epoch
  # `epochs`, resuming its own _last.pth or else the state `start`
  local res
  res=$(last_or "$1" "$3")
  stage "$1" "$2" - "$res" "${h_recipe[@]}" --absent-aug 0.03 --layer-aug "$4" --reverb-aug "$4" \
    --val-to-train "$5" --resume "$res" "${@:6}"
}
stage_i() {  # stage I from stage H's state at epoch 1328: two runs to epoch $1, averaged together from epoch $2,
  # with the earlier average $3 when given (it counts as the checkpoints it averages)
  i_run textsep_unet_v2i "$1" checkpoints/training/textsep_unet_v2h_last.pth 0.3 0.5
  i_run textsep_unet_v2i_aug "$1" checkpoints/training/textsep_unet_v2h_last.pth 0.5 0.5
  average textsep_unet_v2i_avg.pth ${3:+"$3"} "textsep_unet_v2i:$2:$1" "textsep_unet_v2i_aug:$2:$1"
}
stage_j() {  # the final fit: stage I's two runs on to epochs 1912 and 1884, then each on from there with every
  # validation recording (--val-to-train 1) for $1 more epochs; each run's checkpoints from $2 epochs after
  # the switch on are averaged together
  local a=1912 b=1884  # where the two runs switched
  i_run textsep_unet_v2i $a checkpoints/training/textsep_unet_v2h_last.pth 0.3 0.5
  i_run textsep_unet_v2i_aug $b checkpoints/training/textsep_unet_v2h_last.pth 0.5 0.5
  i_run textsep_unet_v2j $((a + $1)) checkpoints/training/textsep_unet_v2i_last.pth 0.3 1
  i_run textsep_unet_v2j_aug $((b + $1)) checkpoints/training/textsep_unet_v2i_aug_last.pth 0.5 1
  average textsep_unet_v2j_avg.pth "textsep_unet_v2j:$((a + $2)):$((a + $1))" \
    "textsep_unet_v2j_aug:$((b + $2)):$((b + $1))"
}
final_fit_on() {  # from-a from-b epochs earlier-average out: stage J's two runs on from epochs from-a and
  # from-b for `epochs` more each (bf16 where the CPU has it natively); the earlier average (counting as the
  # checkpoints it averages) and both runs' new checkpoints from 4 epochs on, averaged together into `out`
  local a=$1 b=$2 n=$3
  i_run textsep_unet_v2j $((a + n)) checkpoints/training/textsep_unet_v2i_last.pth 0.3 1 $bf16
  i_run textsep_unet_v2j_aug $((b + n)) checkpoints/training/textsep_unet_v2i_aug_last.pth 0.5 1 $bf16
  average "$5" "$4" "textsep_unet_v2j:$((a + 4)):$((a + n))" "textsep_unet_v2j_aug:$((b + 4)):$((b + n))"
}
stage_k() {  # the final fit trained on: stage J's two runs on from where it ended (epochs 2100 and 2072) for $1
  # more epochs each, averaged with model v2.9
  final_fit_on 2100 2072 "$1" checkpoints/training/textsep_unet_v29.pth textsep_unet_v2k_avg.pth
}
stage_l() {  # the same again from where stage K ended (epochs 2380 and 2352), averaged with model v2.10
  final_fit_on 2380 2352 "$1" checkpoints/training/textsep_unet_v210.pth textsep_unet_v2l_avg.pth
}
through_g() {  # stages F and G to epoch 828 (G's average to epoch 776 was v2.4): where stage H starts
  stage_f
  stage_g 776 652
  stage_g 828 -
}
build_v27() {  # stages F and G (G's average to epoch 776 was v2.4), G on to 828, then stage H from G's state there
  # (its average to epoch 968 was v2.5, over epochs 1060-1256 v2.6) on to 1328, then stage I's two runs from H's
  # state there; their mean over epochs 1332-1516 is model v2.7 (training/textsep_unet_v27.pth)
  through_g
  stage_h 1256 1060
  stage_h 1328 -
  stage_i 1516 1332
  .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2i_avg.pth \
    checkpoints/training/textsep_unet_v27.pth
}
build_v28() {  # as v27, then stage I's two runs on to epoch 1824: v2.7 and their checkpoints over epochs
  # 1688-1824, averaged together, are model v2.8 (training/textsep_unet_v28.pth)
  build_v27
  stage_i 1824 1688 checkpoints/training/textsep_unet_v27.pth
  .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2i_avg.pth \
    checkpoints/training/textsep_unet_v28.pth
}
build_v29() {  # as v28, then the final fit (stage J): stage I's two runs on with every validation recording for
  # 188 epochs; their checkpoints from 40 epochs after the switch on, averaged together, are model v2.9
  # (training/textsep_unet_v29.pth)
  build_v28
  stage_j 188 40
  .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2j_avg.pth \
    checkpoints/training/textsep_unet_v29.pth
}
build_v210() {  # as v29, then stage K: the final fit's two runs on for 280 epochs; v2.9 and their new checkpoints,
  # averaged together, are model v2.10 (training/textsep_unet_v210.pth)
  build_v29
  stage_k 280
  .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2k_avg.pth \
    checkpoints/training/textsep_unet_v210.pth
}
case $what in
  model)  # as v210, then stage L: the final fit's two runs on for 240 more epochs; v2.10 and their new
    # checkpoints, averaged together, are the shipped model v2.11
    build_v210
    stage_l 240
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2l_avg.pth \
      checkpoints/textsep_unet.pth ;;
  v210)  # build_v210 (above): v2.9 and stage K's checkpoints were shipped as v2.10
    # (training/textsep_unet_v210.pth)
    build_v210 ;;
  v29)  # build_v29 (above): the final fit's mean over 40-188 epochs after the switch was shipped as v2.9
    # (training/textsep_unet_v29.pth)
    build_v29 ;;
  v28)  # build_v28 (above): v2.7 extended with stage I's checkpoints over epochs 1688-1824 was shipped as v2.8
    # (training/textsep_unet_v28.pth)
    build_v28 ;;
  v27)  # build_v27 (above): stage I's mean over epochs 1332-1516 was shipped as v2.7
    # (training/textsep_unet_v27.pth)
    build_v27 ;;
  v26)  # stages F, G and H to epoch 1256; H's average from epoch 1060 was shipped as v2.6
    # (training/textsep_unet_v26.pth)
    through_g
    stage_h 1256 1060
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2h_avg.pth \
      checkpoints/training/textsep_unet_v26.pth ;;
  v25)  # stages F, G and H to epoch 968; H's average from epoch 832 was shipped as v2.5
    # (training/textsep_unet_v25.pth)
    through_g
    stage_h 968 832
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2h_avg.pth \
      checkpoints/training/textsep_unet_v25.pth ;;
  v24)  # stages F and G; G's average to epoch 776 was shipped as v2.4 (training/textsep_unet_v24.pth)
    stage_f
    stage_g 776 652
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2g_avg.pth \
      checkpoints/training/textsep_unet_v24.pth ;;
  v23)  # stage F; its average was shipped as v2.3 (training/textsep_unet_v23.pth)
    stage_f
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2f_avg.pth \
      checkpoints/training/textsep_unet_v23.pth ;;
  v22)  # stage E from v2.1 (training/textsep_unet_v21.pth); its average was shipped as v2.2 (training/textsep_unet_v22.pth)
    stage textsep_unet_v2e 484 400 checkpoints/training/textsep_unet_v21.pth --speed-aug 0.5 --eq-aug 0.5 \
      --context 2 $bf16
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2e_avg.pth \
      checkpoints/training/textsep_unet_v22.pth ;;
  v21)  # stages C and D from v2.0, each ending in the average of its checkpoints; D's average is v2.1
    stage textsep_unet_v2c 64 4 checkpoints/training/textsep_unet_v2b.pth
    stage textsep_unet_v2d 80 4 checkpoints/training/textsep_unet_v2c_avg.pth --speed-aug 0.5 --eq-aug 0.5
    exec .venv/bin/python packaging/ship_model.py checkpoints/training/textsep_unet_v2d_avg.pth \
      checkpoints/training/textsep_unet_v21.pth ;;
  v2b)  # stage B, for the record (its epoch 10 is training/textsep_unet_v2b.pth)
    exec .venv/bin/textsep train "${common[@]}" --name textsep_unet_v2s --loss sisdr --batch-size 4 --procs 2 \
      --threads 1 --steps-per-epoch 100 --val-examples 200 --lr 3e-4 --plateau-patience 15 --save-every 5 \
      --epochs 1000 --max-cpu-minutes "${MAX_CPU_MIN:-400}" --p-event 0.5 --p-fill 0.5 \
      --pair female_speech male_speech --p-pair 0.15 --init-from checkpoints/training/textsep_unet_v2a.pth ;;
  v2a)  # stage A from the v1 weights (see above), for the record
    exec .venv/bin/textsep train "${common[@]}" --name textsep_unet_v2 --batch-size 4 --procs 2 --threads 1 \
      --steps-per-epoch 100 --val-examples 200 --lr 1e-3 --save-every 5 --epochs 70 \
      --loss mag+sisdr --p-event 0.5 --p-fill 0.5 --pair female_speech male_speech --p-pair 0.15 \
      --init-from checkpoints/training/textsep_unet_v1.pth ;;
  baseline)
    exec .venv/bin/textsep train "${common[@]}" --loss mag+sisdr --batch-size 8 --steps-per-epoch 200 --lr 1e-3 --save-every 25 \
      --procs 1 --baseline --epochs 1000 --max-cpu-minutes 90 --p-event 0.5 --p-fill 0.5 ;;
  v1)
    .venv/bin/textsep train "${common[@]}" --loss mag+sisdr --batch-size 8 --steps-per-epoch 200 --lr 1e-3 --save-every 25 \
      --procs 2 --epochs 32
    exec .venv/bin/textsep train "${common[@]}" --loss mag+sisdr --batch-size 8 --steps-per-epoch 200 --name textsep_unet_pairs \
      --lr 2.5e-4 --save-every 2 --procs 1 --threads 1 --epochs 30 --max-cpu-minutes 36 --p-event 0.5 --p-fill 0.5 \
      --pair female_speech male_speech --p-pair 0.25 --init-from checkpoints/training/textsep_unet_best.pth ;;
  *) echo "usage: run.sh [model|v210|v29|v28|v27|v26|v25|v24|v23|v22|v21|v2a|v2b|baseline|v1]" >&2; exit 2 ;;
esac
