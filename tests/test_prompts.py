"""Honest prompts: what a prompt is understood as, and when the model knows no such sound."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from textsep.prompts import UNKNOWN_BELOW, Vocabulary

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SAMPLE = ROOT / "resources" / "sample.wav"


@pytest.fixture(scope="module")
def shipped():
    from textsep import Separator

    return Separator.from_checkpoint()


def test_understand_ranks_known_sounds_and_flags_unknown_ones(shipped):
    u = shipped.understand("barking")
    assert u.known and u.top.label == "dog" and u.top.weight > 0.5
    assert abs(sum(m.weight for m in u.matches) - 1.0) < 0.3 and u.describe().startswith("dog (")
    for nonsense in ("asdfgh qwerty", "spreadsheet", "velvet"):
        v = shipped.understand(nonsense)
        assert not v.known and v.similarity < UNKNOWN_BELOW, (nonsense, v)
    assert shipped.understand("siren").known is False  # a sound no class covers: reported, not guessed
    assert shipped.understand("footstep").known  # a distinctive shared word counts ("footsteps")


def test_understand_refuses_empty_prompts_and_prompt_free_models(shipped):
    from textsep.errors import InputError, ModelError
    from textsep.loading import load_separator

    with pytest.raises(InputError):
        shipped.understand("   ")
    with pytest.raises(ModelError, match="does not read prompts"):
        load_separator(baseline=True).understand("dog")


def test_nmf_understands_by_its_nearest_class():
    from textsep.loading import load_separator

    u = load_separator(method="nmf").understand("a dog barking")
    assert u.known and u.top.label == "dog" and u.top.weight == 1.0 and len(u.matches) == 1


def test_vocabulary_with_uniform_routing_lists_every_class():
    from textsep.text import get_encoder

    voc = Vocabulary(["dog", "rain"], {"dog": ["dog bark"], "rain": ["rain falling"]}, {"dog": "animal"},
                     get_encoder(), route=lambda v: np.array([0.5, 0.5]))
    u = voc.understand("rainfall")
    assert u.known and {m.label for m in u.matches} == {"dog", "rain"} and u.nearest == "rain falling"
    assert voc.categories == {"dog": "animal", "rain": ""}


@pytest.mark.skipif(not (CORPUS / "classes.csv").is_file(), reason="labelled corpus absent")
def test_threshold_separates_held_out_paraphrases_from_unrelated_words():
    """The rule chosen by benchmarks/prompt_threshold.py: most held-out paraphrases of the corpus's classes
    are known against the other paraphrases, and unrelated words are not."""
    from textsep.data.corpus import load_corpus
    from textsep.text import get_encoder

    corpus = load_corpus(CORPUS)
    voc = Vocabulary(corpus.labels, {lab: corpus.train_prompts(lab) for lab in corpus.labels}, {}, get_encoder())
    held = [corpus.unseen_prompt(lab) for lab in corpus.labels if corpus.unseen_prompt(lab)]
    known = np.mean([voc.understand(p).known for p in held])
    words = ["asdfgh", "spreadsheet", "velvet", "tax return", "quantum physics", "lorem ipsum", "democracy",
             "invoice", "philosophy", "tuesday", "helicopter", "gunshot", "doorbell"]
    unknown = np.mean([not voc.understand(p).known for p in words])
    assert known >= 0.85 and unknown >= 0.9, (known, unknown)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "textsep", *args], capture_output=True, text=True, timeout=300)


def test_cli_reports_prompts_and_strict_refuses_unknown_ones(tmp_path):
    out = tmp_path / "o.wav"
    r = _cli("separate", "--audio-in", str(SAMPLE), "--audio-out", str(out), "--prompt", "barking",
             "--time-windows", "2", "4", "-q")
    assert r.returncode == 0 and "prompt 'barking' understood as: dog (" in r.stderr and "warning" not in r.stderr
    r = _cli("separate", "--audio-in", str(SAMPLE), "--audio-out", str(tmp_path / "w.wav"), "--prompt",
             "asdfgh qwerty", "--time-windows", "2", "4", "-q")
    assert r.returncode == 0 and "knows no sound like 'asdfgh qwerty'" in r.stderr and (tmp_path / "w.wav").is_file()
    r = _cli("separate", "--audio-in", str(SAMPLE), "--audio-out", str(tmp_path / "s.wav"), "--prompt",
             "asdfgh qwerty", "--time-windows", "2", "4", "-q", "--strict")
    assert r.returncode == 2 and "--strict" in r.stderr and not (tmp_path / "s.wav").exists()
    assert "Traceback" not in r.stderr


def test_cli_sounds_lists_known_sounds():
    r = _cli("sounds")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert any(line.startswith("dog ") and "dog bark" in line for line in lines)
    assert any(line.startswith("female speech ") for line in lines)


def test_embeddings_stored_in_the_checkpoint_are_used_and_checked(shipped):
    from textsep.prompts import embed_paraphrases, vocabulary_from_meta

    meta = dict(shipped.estimator.bundle.meta)
    enc = shipped.estimator.encoder
    meta["paraphrase_embeddings"] = embed_paraphrases(meta, enc)
    voc = vocabulary_from_meta(meta, enc)
    assert voc._vecs is not None and voc.understand("barking").top.label == "dog"
    stale = dict(meta, paraphrase_embeddings=dict(meta["paraphrase_embeddings"], texts=["other"]))
    assert vocabulary_from_meta(stale, enc)._vecs is None  # made for other texts: encoded again


def test_unknown_prompts_are_not_snapped_onto_a_known_sound(shipped):
    import torch

    est = shipped.estimator
    raw = torch.from_numpy(est.encoder.encode(["asdfgh qwerty", "barking"]))
    got = est.embed(["asdfgh qwerty", "barking"])
    assert torch.equal(got[0], raw[0])  # unknown: its own embedding reaches the network
    assert not torch.allclose(got[1], raw[1])  # known: snapped onto the class anchors
    est.snap_unknown = True
    try:
        assert not torch.allclose(est.embed(["asdfgh qwerty"])[0], raw[0])
    finally:
        est.snap_unknown = False
