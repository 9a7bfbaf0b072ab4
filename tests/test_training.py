"""Corpus splits, on-the-fly mixtures, and `textsep train` end to end on a tiny generated corpus."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from _fakes import make_fake_corpus

from textsep.data.corpus import load_corpus
from textsep.data.mixtures import ClipBank, MixConfig, MixtureSampler


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory):
    return make_fake_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def corpus(corpus_root):
    return load_corpus(corpus_root)


def test_no_group_is_in_two_splits(corpus):
    groups = {s: {c.group for c in corpus.split(s)} for s in ("train", "val")}
    assert groups["train"] and groups["val"]
    assert not groups["train"] & groups["val"]


def test_moving_validation_groups_into_training(corpus):
    """--val-to-train: floor(F x groups) of each class's validation groups move, whole, the same ones each time."""
    from textsep.data.corpus import check_splits, move_val_groups
    from textsep.errors import InputError

    def val_groups(c):
        return {(x.label, x.group) for x in c.split("val")}

    before = val_groups(corpus)
    half, again, other_seed = (move_val_groups(corpus, 0.5, seed=s) for s in (0, 0, 1))
    assert val_groups(half) == val_groups(again)
    check_splits(half.clips)  # groups move whole
    for label in {lab for lab, _ in before}:
        n = sum(lab == label for lab, _ in before)
        assert sum(lab == label for lab, _ in val_groups(half)) == n - n // 2
    moved = before - val_groups(half)
    assert moved and moved <= {(x.label, x.group) for x in half.split("train")}
    assert len(half.clips) == len(corpus.clips) and corpus.split("val")  # the corpus itself is untouched
    assert val_groups(move_val_groups(corpus, 0.0)) == before and not move_val_groups(corpus, 1.0).split("val")
    assert val_groups(other_seed) != val_groups(half)  # 4 classes of 2 groups: the seed chooses which
    with pytest.raises(InputError, match="must be in"):
        move_val_groups(corpus, 1.5)


def test_held_out_wording_is_never_a_training_prompt(corpus):
    for label in corpus.prompts:
        unseen = corpus.unseen_prompt(label)
        assert unseen and unseen not in corpus.train_prompts(label)


def test_mixtures_are_deterministic_and_sum_to_the_mix(corpus):
    bank = ClipBank(corpus.split("train"))
    cfg = MixConfig(seconds=1.0, p_speed=0.5, p_eq=0.5, p_event=0.5, p_fill=0.5)
    a = MixtureSampler(bank, corpus, cfg, seed=7).batch(6)
    b = MixtureSampler(bank, corpus, cfg, seed=7).batch(6)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[2:] == b[2:]
    t, i, labels, prompts = a
    assert t.shape == i.shape == (6, cfg.length)
    assert (t + i).abs().amax(dim=1).max() <= 0.9 + 1e-5  # peak-normalised with a random gain below it
    for lab, p in zip(labels, prompts):
        assert p in corpus.train_prompts(lab)


def test_a_synthetic_room_keeps_the_direct_sound_and_adds_a_decaying_tail():
    from textsep.data.mixtures import SR, _reverb

    x = np.zeros(2 * SR, dtype=np.float32)
    x[100] = 1.0
    for seed in range(5):
        y = _reverb(x, np.random.default_rng(seed))
        assert y.shape == x.shape and y.dtype == np.float32
        assert y[100] == pytest.approx(1.0) and np.abs(y[:100]).max() < 1e-6  # direct path first, nothing before
        tail = y[101:] ** 2
        drr = 10 * np.log10(1.0 / tail.sum())
        assert -0.5 < drr < 15.5  # the tail's energy is 0-15 dB below the direct sound
        early, late = tail[: SR // 10].sum(), tail[SR // 10: SR // 5].sum()
        assert late < early  # it decays
    assert np.array_equal(_reverb(x, np.random.default_rng(3)), _reverb(x, np.random.default_rng(3)))


def test_augmentations_off_draw_nothing_and_on_change_the_sources(corpus):
    """Turning an augmentation on changes the mixtures; leaving it off (the default) draws no random numbers
    for it, so runs recorded before it existed are reproduced draw for draw: the figures below are what the
    code before --reverb-aug and --eq-db (commit af4d20b) drew for this batch."""
    bank = ClipBank(corpus.split("train"))
    a = MixtureSampler(bank, corpus, MixConfig(seconds=1.0, p_speed=0.5, p_eq=0.5), seed=3).batch(6)
    assert a[2] == ["wind", "wind", "male_speech", "dog", "female_speech", "female_speech"]
    np.testing.assert_allclose(a[0].pow(2).sum(1), [44.33707, 41.30788, 43.1683, 62.68279, 58.26699, 104.41377],
                               rtol=1e-4)
    np.testing.assert_allclose(a[1].pow(2).sum(1), [70.52867, 17.28036, 120.52335, 80.99367, 96.72268, 46.93035],
                               rtol=1e-4)
    for cfg in (MixConfig(seconds=1.0, p_speed=0.5, p_eq=0.5, p_reverb=1.0),
                MixConfig(seconds=1.0, p_speed=0.5, p_eq=0.5, eq_db=12.0)):
        b = MixtureSampler(bank, corpus, cfg, seed=3).batch(6)
        assert b[2][0] == a[2][0] and not torch.equal(a[0][0], b[0][0])  # the same first class, another sound
        assert (b[0] + b[1]).abs().amax(dim=1).max() <= 0.9 + 1e-5


def test_augmentation_options_are_recorded_and_read_back():
    from textsep.training.trainer import mix_config

    recorded = {"eq_aug": 0.8, "eq_db": 10.0, "reverb_aug": 0.3, "speed_aug": 0.5, "speed_range": [0.8, 1.25],
                "layer_aug": 0.3, "absent_aug": 0.1}
    cfg = mix_config(recorded)
    assert (cfg.p_eq, cfg.eq_db, cfg.p_reverb, cfg.p_speed, cfg.speed_range, cfg.p_layer, cfg.p_absent) == \
        (0.8, 10.0, 0.3, 0.5, (0.8, 1.25), 0.3, 0.1)
    plain = mix_config(recorded, augment=False)  # validation mixtures
    assert (plain.p_eq, plain.p_reverb, plain.p_speed, plain.p_layer, plain.p_absent) == (0.0,) * 5
    old = mix_config({"eq_aug": 0.5})  # a checkpoint from before these options: their defaults
    assert (old.eq_db, old.p_reverb, old.speed_range, old.p_layer, old.p_absent) == \
        (6.0, 0.0, (0.92, 1.08), 0.0, 0.0)


def test_a_wide_speed_range_spares_the_voices_told_apart_by_pitch(corpus, monkeypatch):
    """--speed-range widens the speed changes of sources without a --pair class; a source holding a voice
    keeps 0.92-1.08, so a male voice is never sped up into a female one."""
    from textsep.data import mixtures

    speeds, sources = [], []
    monkeypatch.setattr(mixtures, "_speed", lambda x, f: speeds.append(f) or x)
    bank = ClipBank(corpus.split("train"))
    for name in ("crop", "fill"):
        real = getattr(bank, name)
        monkeypatch.setattr(bank, name, lambda *a, real=real: sources.append(a[1]) or real(*a))
    voices = {"female_speech", "male_speech"}
    cfg = MixConfig(seconds=1.0, p_speed=1.0, speed_range=(1.5, 1.6), pairs=(tuple(voices),), p_pair=0.3)
    sampler = MixtureSampler(bank, corpus, cfg, seed=2)
    wide = []
    for _ in range(40):
        speeds.clear()
        sources.clear()
        sampler.example()
        target_f, inter_f = speeds
        for f, labels in ((target_f, sources[:1]), (inter_f, sources[1:])):
            narrow = not voices.isdisjoint(labels)
            assert (0.92 <= f <= 1.08) if narrow else (1.5 <= f <= 1.6)
            wide.append(not narrow)
    assert any(wide) and not all(wide)


def test_layering_puts_a_second_clip_of_the_class_under_the_target(corpus, monkeypatch):
    """--layer-aug: the target is two clips of its class, the second 0-6 dB below the first."""
    crops = []
    bank = ClipBank(corpus.split("train"))
    real = bank.crop
    monkeypatch.setattr(bank, "crop", lambda *a: crops.append((a[1], real(*a))) or crops[-1][1])
    cfg = MixConfig(seconds=1.0, p_two_interferers=0.0, p_bandlimit=0.0, p_layer=1.0, p_fill=0.0)
    sampler = MixtureSampler(bank, corpus, cfg, seed=1)
    for _ in range(10):
        crops.clear()
        t, _, label, _ = sampler.example()
        (l1, c1), (l2, c2), (l3, _) = crops  # target, its layer, one interferer
        assert l1 == l2 == label != l3
        coef, *_ = np.linalg.lstsq(np.stack([c1, c2], axis=1).astype(np.float64), t, rcond=None)
        np.testing.assert_allclose(np.stack([c1, c2], axis=1) @ coef, t, atol=1e-5)  # t = a c1 + b c2
        rms1, rms2 = np.sqrt(np.mean(c1 ** 2.0)), np.sqrt(np.mean(c2 ** 2.0))
        ratio_db = 20 * np.log10(abs(coef[1]) * rms2 / (abs(coef[0]) * rms1))
        assert -6.01 <= ratio_db <= 0.01
    crops.clear()
    MixtureSampler(bank, corpus, MixConfig(seconds=1.0, p_two_interferers=0.0, p_fill=0.0), seed=1).example()
    assert len(crops) == 2  # off: no layer


def test_an_absent_target_is_silence_under_a_prompt_for_its_class(corpus):
    """--absent-aug: the prompt names a class the mixture lacks; the interference is the whole mixture, at the
    usual level; off, the sampler draws exactly what it drew before the option existed."""
    bank = ClipBank(corpus.split("train"))
    absent = MixConfig(seconds=1.0, p_absent=1.0)
    t, i, labels, prompts = MixtureSampler(bank, corpus, absent, seed=3).batch(6)
    assert torch.count_nonzero(t) == 0
    assert torch.all(i.abs().amax(dim=1) > 0.05) and i.abs().amax() <= 0.9 + 1e-5
    assert all(p in corpus.train_prompts(lab) for lab, p in zip(labels, prompts))
    half = MixtureSampler(bank, corpus, MixConfig(seconds=1.0, p_absent=0.5), seed=3).batch(40)[0]
    assert 5 < int((half.pow(2).sum(1) == 0).sum()) < 35
    off = MixtureSampler(bank, corpus, MixConfig(seconds=1.0, p_absent=0.0), seed=3).batch(6)
    plain = MixtureSampler(bank, corpus, MixConfig(seconds=1.0), seed=3).batch(6)
    assert all(torch.equal(a, b) for a, b in zip(off[:2], plain[:2])) and off[2:] == plain[2:]


def test_the_keep_score_of_an_absent_target_is_how_little_passes():
    """A silent target has no SI-SDR; its keep term scores the output's level below the mixture instead, up
    to the region's default depth (20 dB), so the loss pushes an absent sound's keep mask down that far."""
    from textsep.metrics import si_sdr_batch
    from textsep.training.objective import keep_score

    g = torch.Generator().manual_seed(0)
    s, i = torch.randn(2, 1600, generator=g), torch.randn(2, 1600, generator=g)
    t = torch.stack([s[0], torch.zeros(1600)])
    x = t + i
    for gain, expect in ((0.1, 16.99), (1.0, -0.04), (0.0, 20.0), (0.01, 19.96)):  # -10 log10(gain^2 + 0.01)
        y = torch.stack([s[0] + 0.1 * i[0], gain * x[1]])
        score = keep_score(t, i, y)
        assert torch.isclose(score[0], si_sdr_batch(t[:1], y[:1])[0].clamp(max=40))
        assert abs(float(score[1]) - expect) < 0.01
    y = (0.1 * x).requires_grad_(True)
    keep_score(t, i, y).sum().backward()
    assert torch.all(torch.isfinite(y.grad)) and y.grad[1].abs().sum() > 0


def test_a_bad_speed_range_is_refused(corpus_root, tmp_path, capsys):
    from textsep.training import cli as train

    with pytest.raises(SystemExit) as exc:
        train.main(["--corpus", str(corpus_root), "--output-dir", str(tmp_path),
                    "--speed-range", "1.2", "0.9"])
    assert exc.value.code == 2 and "--speed-range needs 0 < LOW <= HIGH" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        train.main(["--corpus", str(corpus_root), "--output-dir", str(tmp_path), "--baseline",
                    "--absent-aug", "0.1"])
    assert exc.value.code == 2 and "--absent-aug needs prompts" in capsys.readouterr().err


def test_snr_stays_in_range(corpus):
    bank = ClipBank(corpus.split("train"))
    cfg = MixConfig(seconds=1.0, p_two_interferers=0.0, p_bandlimit=0.0)
    t, i, _, _ = MixtureSampler(bank, corpus, cfg, seed=1).batch(20)
    snr = 10 * torch.log10(t.pow(2).sum(1) / i.pow(2).sum(1))
    assert snr.min() >= -5.01 and snr.max() <= 5.01


def test_snr_over_the_target_span_is_the_snr_an_event_sounds_at(corpus):
    """A short event's SNR is measured where it sounds (as evaluation cases do), not over the whole mixture."""
    from textsep.data.mixtures import target_span

    bank = ClipBank(corpus.split("train"))

    def local_snr(over):
        cfg = MixConfig(seconds=2.0, p_two_interferers=0.0, p_bandlimit=0.0, p_event=1.0, p_fill=1.0,
                        snr_db=(0.0, 0.0), snr_over=over)
        out = []
        for t, i, _, _ in (MixtureSampler(bank, corpus, cfg, seed=5).example() for _ in range(12)):
            span = target_span(t)
            assert 0 < span.stop - span.start < len(t)  # an event: silence around it
            out.append(10 * np.log10(np.sum(t[span] ** 2.0) / np.sum(i[span] ** 2.0)))
        return np.array(out)

    assert np.abs(local_snr("target")).max() < 0.01
    assert local_snr("mix").min() > 0.5  # the old rule: events sounded louder than --snr
    with pytest.raises(ValueError, match="snr_over"):
        MixtureSampler(bank, corpus, MixConfig(snr_over="window"))


def test_confusable_pairs_are_drawn_against_each_other(corpus):
    bank = ClipBank(corpus.split("train"))
    cfg = MixConfig(seconds=1.0, p_two_interferers=0.0, pairs=(("female_speech", "male_speech"),), p_pair=1.0)
    sampler = MixtureSampler(bank, corpus, cfg, seed=3)
    labels = [sampler.example()[2] for _ in range(12)]
    assert set(labels) == {"female_speech", "male_speech"}
    # without the pair option the same seed draws every class
    plain = MixtureSampler(bank, corpus, MixConfig(seconds=1.0), seed=3)
    assert len({plain.example()[2] for _ in range(40)}) == len(bank.labels)


def _train(root, out, *extra):
    from textsep.training import cli as train

    assert train.main([
        "--corpus", str(root), "--output-dir", str(out), "--bands", "64", "--base", "4", "--seconds", "1.0",
        "--batch-size", "4", "--steps-per-epoch", "6", "--val-examples", "8", "--save-every", "2",
        "--loss", "mag+sisdr", "--quiet", "--threads", "1", *extra]) == 0


def test_tiny_training_lowers_the_loss_and_writes_checkpoints(corpus_root, tmp_path):
    from textsep.model.checkpoint import load_checkpoint

    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "8", "--lr", "3e-3")
    names = {p.name for p in out.iterdir()}
    assert {"textsep_unet_best.pth", "textsep_unet_final.pth", "textsep_unet_last.pth",
            "textsep_unet_epoch2.pth", "textsep_unet_history.json"} <= names
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    assert [h["epoch"] for h in hist] == list(range(1, 9))
    assert {"train_loss", "val_loss", "lr", "val_sisdri_keep", "val_sisdri_remove", "cpu_minutes"} <= set(hist[0])
    first, last = np.mean([h["train_loss"] for h in hist[:2]]), np.mean([h["train_loss"] for h in hist[-2:]])
    assert last < first, f"training loss did not fall: {first:.4f} -> {last:.4f}"
    bundle = load_checkpoint(out / "textsep_unet_final.pth")  # the weights_only loader the Separator uses
    assert bundle.meta["classes"] == ["dog", "female_speech", "male_speech", "rain", "wind"]


def test_resume_continues_where_it_stopped(corpus_root, tmp_path):
    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "2")
    _train(corpus_root, out, "--epochs", "3", "--resume")
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    assert [h["epoch"] for h in hist] == [1, 2, 3]
    assert hist[2]["cpu_minutes"] > hist[1]["cpu_minutes"]


def test_train_with_room_eq_speed_layer_and_absent_augmentation_records_them(corpus_root, tmp_path):
    from textsep.model.checkpoint import load_checkpoint

    _train(corpus_root, tmp_path / "a", "--epochs", "1", "--eq-aug", "1", "--eq-db", "9",
           "--reverb-aug", "0.5", "--speed-aug", "0.5", "--speed-range", "0.8", "1.25", "--layer-aug", "0.4",
           "--absent-aug", "0.2")
    training = load_checkpoint(tmp_path / "a" / "textsep_unet_final.pth").meta["training"]
    assert (training["eq_aug"], training["eq_db"], training["reverb_aug"]) == (1.0, 9.0, 0.5)
    assert (training["speed_range"], training["layer_aug"], training["absent_aug"]) == ([0.8, 1.25], 0.4, 0.2)


def test_restart_lr_on_resume(corpus_root, tmp_path):
    from textsep.model.checkpoint import read_checkpoint

    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "1", "--lr", "1e-3")
    _train(corpus_root, out, "--epochs", "2", "--resume", "--lr", "3e-4", "--restart-lr", "--plateau-patience", "9")
    ts = read_checkpoint(out / "textsep_unet_last.pth")["train_state"]
    assert ts["optimizer"]["param_groups"][0]["lr"] == 3e-4 and ts["scheduler"]["patience"] == 9
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    assert [h["lr"] for h in hist] == [1e-3, 3e-4]


def test_weight_decay_given_on_resume_applies(corpus_root, tmp_path):
    """Resuming an Adam run with --weight-decay continues with AdamW at that decay (loading the optimizer's
    saved state would otherwise bring back its weight_decay of 0), and resuming without it turns decay off."""
    from textsep.model.checkpoint import read_checkpoint

    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "1")
    _train(corpus_root, out, "--epochs", "2", "--resume", "--weight-decay", "0.05")
    groups = read_checkpoint(out / "textsep_unet_last.pth")["train_state"]["optimizer"]["param_groups"]
    assert [(g["weight_decay"], g["decoupled_weight_decay"]) for g in groups] == [(0.05, True)]
    _train(corpus_root, out, "--epochs", "3", "--resume")
    groups = read_checkpoint(out / "textsep_unet_last.pth")["train_state"]["optimizer"]["param_groups"]
    assert [g["weight_decay"] for g in groups] == [0.0]


def test_init_from_starts_from_weights_with_a_fresh_run(corpus_root, tmp_path):
    from textsep.model.checkpoint import read_checkpoint

    _train(corpus_root, tmp_path / "a", "--epochs", "1")
    src = read_checkpoint(tmp_path / "a" / "textsep_unet_final.pth")["state_dict"]
    _train(corpus_root, tmp_path / "b", "--epochs", "1", "--lr", "0", "--init-from",
           str(tmp_path / "a" / "textsep_unet_final.pth"))
    got = read_checkpoint(tmp_path / "b" / "textsep_unet_final.pth")["state_dict"]
    hist = json.loads((tmp_path / "b" / "textsep_unet_history.json").read_text())
    assert [h["epoch"] for h in hist] == [1]
    conv = [k for k in src if k.endswith("weight") and src[k].ndim == 4][0]
    assert torch.equal(src[conv], got[conv])  # lr 0: the weights are exactly the ones it started from


def test_warm_start_and_hold_out_carry_class_rows_by_name(corpus_root, tmp_path):
    """--hold-out leaves classes out of training; --init-from into a model with other classes carries each
    class's row of the routing table by name (how model v2 starts from v1 with more classes)."""
    from textsep.model.checkpoint import load_checkpoint, read_checkpoint

    _train(corpus_root, tmp_path / "a", "--epochs", "1", "--hold-out", "rain", "wind")
    small = read_checkpoint(tmp_path / "a" / "textsep_unet_final.pth")
    assert small["meta"]["classes"] == ["dog", "female_speech", "male_speech"]
    assert small["meta"]["training"]["hold_out"] == ["rain", "wind"]
    _train(corpus_root, tmp_path / "b", "--epochs", "1", "--lr", "0", "--init-from",
           str(tmp_path / "a" / "textsep_unet_final.pth"))
    big = load_checkpoint(tmp_path / "b" / "textsep_unet_final.pth")
    assert big.meta["classes"] == ["dog", "female_speech", "male_speech", "rain", "wind"]
    assert big.meta["categories"].keys() == set(big.meta["classes"])
    table = big.model.state_dict()["class_table"]
    for k, lab in enumerate(["dog", "female_speech", "male_speech"]):
        assert torch.equal(table[k], small["state_dict"]["class_table"][k]), lab


@pytest.mark.parametrize("source, option, change", [((), ("--base", "8"), {"base": 8}),
                                                     ((), ("--context", "1"), {"context": 1}),
                                                     (("--context", "1"), ("--context", "3"), {"context": 3})])
def test_init_from_into_a_larger_net_starts_computing_what_the_trained_one_did(corpus_root, tmp_path, source,
                                                                                option, change):
    """A base-4 checkpoint warm-started into a larger net -- grown to base 8 (the new channels' weights into
    the old ones start at zero), given self-attention across time at the bottleneck (its output
    projection starts at zero), or given more attention layers than it had (the new ones start as the
    identity) -- gives the same masks as the trained net, in both BatchNorm modes and for any length;
    training then changes them (the new parts learn), and the checkpoint reloads as the larger net."""
    from dataclasses import replace

    from textsep.model.checkpoint import load_checkpoint, read_checkpoint
    from textsep.model.unet import TextConditionedUNet
    from textsep.training.trainer import warm_start

    src = tmp_path / "a" / "textsep_unet_final.pth"
    _train(corpus_root, tmp_path / "a", "--epochs", "1", *source)
    _train(corpus_root, tmp_path / "c", "--epochs", "1", "--lr", "1e-3", *option, "--init-from", str(src))
    bundle = load_checkpoint(src)
    old = bundle.model
    warm = TextConditionedUNet(replace(old.cfg, **change))
    log = warm_start(warm, read_checkpoint(src), bundle.meta["classes"])
    assert ("0 grown" not in log) == ("base" in change), log
    assert ("2 attention layers added as identity" in log) == bool(source), log
    warm.anchors.copy_(old.anchors)
    trained = load_checkpoint(tmp_path / "c" / "textsep_unet_final.pth").model
    assert all(getattr(trained.cfg, k) == v for k, v in change.items())
    assert sum(p.numel() for p in warm.parameters()) > 1.1 * sum(p.numel() for p in old.parameters())
    for T in (40, 57):  # any length: frames are padded to the bottleneck's stride
        x, emb = torch.rand(2, 64, T), torch.randn(2, 384)
        for mode in ("eval", "train"):  # each net runs once per input: train mode moves BatchNorm's statistics
            for m in (old, warm, trained):
                getattr(m, mode)()
            with torch.no_grad():
                a, b, c = (m(x, emb) for m in (old, warm, trained))
            assert torch.allclose(a, b, atol=1e-5), (T, mode)
            assert not torch.allclose(a, c, atol=1e-3), (T, mode)


def test_cosine_schedule_follows_its_curve_across_a_resume(corpus_root, tmp_path):
    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "4", "--lr", "1e-3", "--lr-schedule", "cosine", "--max-cpu-minutes", "0.0001")
    _train(corpus_root, out, "--epochs", "4", "--lr", "1e-3", "--lr-schedule", "cosine", "--resume")
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    want = [1e-3 * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * e / 4))) for e in range(4)]
    assert [h["epoch"] for h in hist] == [1, 2, 3, 4]
    assert np.allclose([h["lr"] for h in hist], want)
    _train(corpus_root, tmp_path / "flat", "--epochs", "3", "--lr", "1e-3", "--lr-schedule", "constant")
    hist = json.loads((tmp_path / "flat" / "textsep_unet_history.json").read_text())
    assert [h["lr"] for h in hist] == [1e-3] * 3


def test_val_every_skips_validations_but_not_the_schedule_checkpoints_or_the_last_epoch(corpus_root, tmp_path):
    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "7", "--lr", "1e-3", "--lr-schedule", "cosine", "--val-every", "3",
           "--save-every", "5")
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    assert [h["epoch"] for h in hist] == [3, 5, 6, 7]  # every 3rd, the checkpoint at 5, and the last
    want = [1e-3 * (0.02 + 0.98 * 0.5 * (1 + np.cos(np.pi * e / 7))) for e in (2, 4, 5, 6)]
    assert np.allclose([h["lr"] for h in hist], want)  # the schedule stepped through the skipped epochs too
    assert {p.name for p in out.glob("*_epoch*.pth")} == {"textsep_unet_epoch5.pth"}


def test_resuming_with_another_schedule_says_so_or_restarts_it(corpus_root, tmp_path, capsys):
    from textsep.training import cli as train

    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "1", "--lr", "1e-3")  # plateau
    args = ["--corpus", str(corpus_root), "--output-dir", str(out), "--bands", "64", "--base", "4", "--seconds",
            "1.0", "--batch-size", "4", "--steps-per-epoch", "6", "--val-examples", "8", "--quiet", "--threads", "1",
            "--epochs", "2", "--resume", "--lr-schedule", "constant", "--lr", "5e-4"]
    assert train.main(args) == 2
    assert "was trained with --lr-schedule plateau" in capsys.readouterr().err
    assert train.main([*args, "--restart-lr"]) == 0
    hist = json.loads((out / "textsep_unet_history.json").read_text())
    assert [h["lr"] for h in hist] == [1e-3, 5e-4]


def test_checkpoints_carry_their_paraphrase_embeddings(corpus_root, tmp_path):
    """Every checkpoint the trainer writes holds its known sounds' embeddings, so a first run of the
    CLI or the app encodes only the user's prompt; they are the encoder's own vectors."""
    from textsep.model.checkpoint import load_checkpoint
    from textsep.prompts import vocabulary_from_meta
    from textsep.text import get_encoder

    _train(corpus_root, tmp_path / "a", "--epochs", "1")
    meta = load_checkpoint(tmp_path / "a" / "textsep_unet_final.pth").meta
    stored = meta["paraphrase_embeddings"]
    enc = get_encoder(meta["encoder"]["name"])
    voc = vocabulary_from_meta(meta, enc)
    assert voc._vecs is not None and stored["texts"] == voc.paraphrases  # used as they are
    assert np.allclose(stored["vectors"].numpy(), enc.encode(stored["texts"]), atol=1e-5)


def test_averaging_checkpoints_means_the_weights_and_refreshes_batchnorm(corpus_root, tmp_path):
    """python -m textsep.training.averaging: the weights are the element-wise mean, BatchNorm statistics are
    re-estimated for the averaged net (not averaged), the result loads and separates, nothing is overwritten."""
    from textsep.model.checkpoint import load_checkpoint, read_checkpoint
    from textsep.training import averaging

    out = tmp_path / "run"
    _train(corpus_root, out, "--epochs", "4", "--lr", "3e-3")
    src = [out / "textsep_unet_epoch2.pth", out / "textsep_unet_epoch4.pth"]
    avg = tmp_path / "avg.pth"
    assert averaging.main([str(avg), *map(str, src), "--corpus", str(corpus_root), "--batches", "3"]) == 0
    a, b = (read_checkpoint(p)["state_dict"] for p in src)
    got = read_checkpoint(avg)["state_dict"]
    conv = "enc.0.c1.weight"
    assert not torch.equal(a[conv], b[conv])
    assert torch.allclose(got[conv], (a[conv] + b[conv]) / 2, atol=1e-6)
    stat = "enc.0.n1.running_var"
    assert not torch.allclose(got[stat], (a[stat] + b[stat]) / 2)  # re-estimated, not averaged
    bundle = load_checkpoint(avg)
    assert bundle.meta["averaged_from"] == [f"run/{p.name}" for p in src]
    assert "training_recipes" not in bundle.meta  # one run: one recipe
    assert bundle.model(torch.rand(1, 64, 20), torch.randn(1, 384)).shape == (1, 64, 20)
    assert averaging.main([str(avg), *map(str, src), "--corpus", str(corpus_root)]) == 2  # never overwrites
    # an average counts as the checkpoints it averages: extending it by one more gives their plain mean
    more = tmp_path / "more.pth"
    later = out / "textsep_unet_last.pth"  # epoch 4 again: weights 2 to 1 would differ from 1 to 1
    assert averaging.main([str(more), str(avg), str(later), "--corpus", str(corpus_root), "--batches", "3"]) == 0
    c = read_checkpoint(later)["state_dict"]
    assert torch.allclose(read_checkpoint(more)["state_dict"][conv], (a[conv] + b[conv] + c[conv]) / 3, atol=1e-6)
    assert load_checkpoint(more).meta["averaged_from"] == [*(f"run/{p.name}" for p in src), f"run/{later.name}"]


def test_averaging_two_runs_records_both_recipes():
    """Checkpoints of two runs from one state are averaged with both recipes recorded; a run's progress
    (epoch, command, CPU time) is not a recipe; runs that trained on different recordings are refused."""
    from textsep.training.averaging import training_recipes

    def blob(epoch, **recipe):
        return {"meta": {"training": {"epochs": epoch, "command": f"textsep train --epochs {epoch}",
                                      "cpu_minutes": epoch / 2, "val_to_train": 0.5, **recipe}}}

    one = [blob(4, layer_aug=0.3), blob(8, layer_aug=0.3)]
    assert training_recipes(one) == [{"val_to_train": 0.5, "layer_aug": 0.3}]
    assert training_recipes([*one, blob(8, layer_aug=0.5)]) == [{"val_to_train": 0.5, "layer_aug": 0.3},
                                                                 {"val_to_train": 0.5, "layer_aug": 0.5}]
    other = blob(8, layer_aug=0.3)
    other["meta"]["training"]["val_to_train"] = 0.0
    with pytest.raises(ValueError, match="different recordings"):
        training_recipes([*one, other])


def test_val_to_train_trains_on_the_moved_recordings_and_cases_avoid_them(corpus_root, corpus, tmp_path,
                                                                           monkeypatch):
    import csv

    from textsep.data.corpus import move_val_groups
    from textsep.evaluation import cli as evaluate
    from textsep.model.checkpoint import read_checkpoint
    from textsep.training import trainer

    banks = []
    monkeypatch.setattr(trainer, "ClipBank", lambda clips, labels: banks.append(clips) or ClipBank(clips, labels))
    _train(corpus_root, tmp_path / "a", "--epochs", "1", "--val-to-train", "0.5")
    assert read_checkpoint(tmp_path / "a" / "textsep_unet_final.pth")["meta"]["training"]["val_to_train"] == 0.5
    half = move_val_groups(corpus, 0.5)
    moved = {c.path for c in corpus.split("val")} - {c.path for c in half.split("val")}
    assert moved and moved <= {c.path for c in banks[0]}
    evaluate._make_cases(evaluate.build_parser().parse_args(
        ["--make-cases", str(tmp_path / "cases"), "--corpus", str(corpus_root), "--n", "8", "--val-to-train", "0.5"]))
    used = set()
    with open(tmp_path / "cases" / "cases.csv", newline="") as f:
        for row in csv.DictReader(f):
            used |= {row["target_clip"], *row["interferer_clips"].split("|")}
    assert used and not used & {str(p.relative_to(corpus_root)) for p in moved}


def test_val_to_train_1_says_validation_measures_fit(corpus_root, tmp_path, capsys):
    _train(corpus_root, tmp_path / "a", "--epochs", "1", "--val-to-train", "1")
    assert "validation mixtures come from training recordings" in capsys.readouterr().out


def test_hold_out_of_an_unknown_class_is_an_input_error(corpus_root, tmp_path, capsys):
    from textsep.training import cli as train

    assert train.main(["--corpus", str(corpus_root), "--output-dir", str(tmp_path), "--hold-out", "unicorn"]) == 2
    assert "--hold-out names classes the corpus lacks: unicorn" in capsys.readouterr().err


def test_a_separation_before_training_does_not_break_its_backward_pass(corpus_root, tmp_path, tiny_separator):
    """The STFT window cache is shared: one first made under inference_mode must still serve autograd."""
    import textsep.spectral as spectral

    spectral._WINDOWS.clear()
    from textsep.edits import Region

    x = np.random.default_rng(0).standard_normal((1, 16000)).astype(np.float32) * 0.1
    tiny_separator.separate(x, 16000, [Region(0.2, 0.8, "dog bark")])
    _train(corpus_root, tmp_path / "run", "--epochs", "1")


def test_torchrun_runs_two_processes_and_rank_0_alone_writes(corpus_root, tmp_path):
    """`torchrun --standalone --nproc_per_node=2 -m textsep train ...`: two gloo workers, one checkpoint set."""
    from textsep.model.checkpoint import load_checkpoint

    out = tmp_path / "run"
    repo = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")])),
               OMP_NUM_THREADS="1")
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "-m", "textsep",
           "train", "--corpus", str(corpus_root), "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2",
           "--val-examples", "4", "--bands", "64", "--base", "4", "--seconds", "1.0", "--threads", "1", "--cpu",
           "--quiet", "--output-dir", str(out)]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    assert res.stdout.count("epoch 1:") == 1 and res.stdout.count("done: ") == 1, res.stdout  # rank 0 only
    assert sorted(p.name for p in out.iterdir()) == ["textsep_unet_best.pth", "textsep_unet_final.pth",
                                                      "textsep_unet_history.json", "textsep_unet_last.pth"]
    assert len(json.loads((out / "textsep_unet_history.json").read_text())) == 1
    assert load_checkpoint(out / "textsep_unet_final.pth").meta["training"]["batch_size"] == 4  # 2 procs x 2


@pytest.mark.parametrize("native", [True, False])
def test_bf16_on_a_cpu_without_native_bf16_warns_and_still_trains(corpus_root, tmp_path, capsys, monkeypatch,
                                                                  native):
    from textsep.training import distributed

    monkeypatch.setattr(distributed, "cpu_has_native_bf16", lambda: native)
    _train(corpus_root, tmp_path / "run", "--epochs", "1", "--steps-per-epoch", "2", "--bf16")
    err = capsys.readouterr().err
    assert ("has no native bf16" in err) == (not native)
    meta = torch.load(tmp_path / "run" / "textsep_unet_last.pth", weights_only=True)["meta"]
    assert meta["training"]["bf16"] is True  # honoured either way: the warning says what it costs
