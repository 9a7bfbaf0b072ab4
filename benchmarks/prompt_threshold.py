"""Choose the similarity below which a prompt counts as "unknown" (textsep.prompts.UNKNOWN_BELOW).

    python benchmarks/prompt_threshold.py [--corpus ../shared/corpus]

Known sounds are a corpus's classes with their training paraphrases (all but the last). Positives are the
held-out last paraphrase of each class (a wording a user might type, never seen in training) plus a few
free wordings; negatives are unrelated words and sounds the corpus does not have. A prompt's score is its
best cosine similarity (MiniLM) to any training paraphrase. Prints the score distributions, the threshold
that maximises balanced accuracy, and the mistakes at that threshold.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FREE_POSITIVES = ["barking", "a dog", "woman voice", "man voice", "someone talking", "typing", "keyboard clicks",
                  "vacuum", "the hum", "buzzing hum", "hissing", "rain on the roof", "birds", "a baby",
                  "music in the background", "drum", "piano playing", "car noise", "footstep", "kid crying",
                  "wind noise", "thunder storm", "ac noise", "fan noise of the air conditioning", "applause of rain"]
NONSENSE = ["asdfgh", "asdfgh qwerty", "spreadsheet", "velvet", "tax return", "happiness", "blue", "the",
            "quantum physics", "lorem ipsum", "xyz", "123", "democracy", "a recipe for pancakes", "mathematics",
            "yesterday", "purple elephant dreams", "sdkjfh", "banana", "invoice", "philosophy", "zzz", "hello world",
            "my password", "tuesday"]
ABSENT_SOUNDS = ["siren", "police siren", "helicopter", "church bells", "gunshot", "glass breaking", "door knock",
                 "clock ticking", "car horn", "airplane", "sneezing", "coughing", "snoring", "frog croaking",
                 "water dripping", "phone ringing", "doorbell", "microwave beep", "applause", "fireworks"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    a = ap.parse_args(argv)
    from textsep.data.corpus import load_corpus
    from textsep.text import get_encoder

    corpus = load_corpus(a.corpus)
    enc = get_encoder()
    known = [(lab, p) for lab in corpus.labels for p in corpus.train_prompts(lab)]
    kv = enc.encode([p for _, p in known])

    def score(prompts):
        s = enc.encode(prompts) @ kv.T
        return s.max(axis=1), [known[i] for i in s.argmax(axis=1)]

    held = [corpus.unseen_prompt(lab) for lab in corpus.labels if corpus.unseen_prompt(lab)]
    groups = {"held-out paraphrases": held, "free wordings": FREE_POSITIVES,
              "unrelated words": NONSENSE, "absent sounds": ABSENT_SOUNDS}
    scores = {g: score(p) for g, p in groups.items()}
    print(f"{len(known)} training paraphrases of {len(corpus.labels)} classes\n")
    print("| group | n | min | 10 % | median | max |\n|---|---:|---:|---:|---:|---:|")
    for g, (s, _) in scores.items():
        print(f"| {g} | {len(s)} | {s.min():.3f} | {np.quantile(s, 0.1):.3f} | {np.median(s):.3f} | {s.max():.3f} |")
    pos = np.concatenate([scores["held-out paraphrases"][0], scores["free wordings"][0]])
    neg = np.concatenate([scores["unrelated words"][0], scores["absent sounds"][0]])
    best = max(np.arange(0.30, 0.80, 0.005),
               key=lambda t: 0.5 * ((pos >= t).mean() + (neg < t).mean()) - 1e-3 * abs(t - 0.5))
    print(f"\nthreshold maximising balanced accuracy (known wordings vs unrelated words and absent sounds): "
          f"{best:.3f}")
    for g, (s, near) in scores.items():
        want_known = g in ("held-out paraphrases", "free wordings")
        ok = (s >= best) if want_known else (s < best)
        print(f"  {g}: {ok.mean() * 100:.0f} % as intended" + ("" if ok.all() else "; not: " + ", ".join(
            f"{p!r} ({v:.2f} ~ {n[1]!r})" for p, v, n, good in zip(groups[g], s, near, ok) if not good)))

    from textsep.prompts import UNKNOWN_BELOW, Vocabulary

    vocab = Vocabulary(corpus.labels, {lab: corpus.train_prompts(lab) for lab in corpus.labels}, {}, enc,
                       route=lambda v: np.full(len(corpus.labels), 1 / len(corpus.labels)))
    print(f"\nthe product's rule (textsep.prompts: similarity >= {UNKNOWN_BELOW} or a distinctive shared word):")
    for g, prompts in groups.items():
        want_known = g in ("held-out paraphrases", "free wordings")
        wrong = [p for p in prompts if vocab.understand(p).known != want_known]
        print(f"  {g}: {100 - 100 * len(wrong) / len(prompts):.0f} % as intended" +
              (f"; not: {', '.join(map(repr, wrong))}" if wrong else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
