import csv

import numpy as np
import pytest
import soundfile as sf

from textsep.data.corpus import DatasetError, read_clip
from textsep.data.esc50 import category_prompts, is_esc50, load_esc50

# (category, target index): one class per ESC-50 major category block, and an unknown-looking one.
CLASSES = [("dog", 0), ("rain", 10), ("chirping_birds", 14), ("crying_baby", 20), ("door_wood_knock", 30)]
SR = 44100


def make_fake_esc50(root, classes=CLASSES, seconds=0.5, rows_hook=None):
    """A tiny ESC-50 tree: per class one source recording per fold (2 takes each), 44.1 kHz mono WAVs."""
    (root / "meta").mkdir(parents=True)
    (root / "audio").mkdir()
    rows = []
    rng = np.random.default_rng(0)
    for category, target in classes:
        for fold in range(1, 6):
            src = f"{target:03d}{fold:02d}"
            for take in "AB":
                name = f"{fold}-{src}-{take}-{target}.wav"
                noise = (0.1 * rng.standard_normal(int(seconds * SR))).astype(np.float32)
                sf.write(root / "audio" / name, noise, SR, subtype="PCM_16")
                rows.append({"filename": name, "fold": fold, "target": target, "category": category,
                             "esc10": str(category == "dog"), "src_file": src, "take": take})
    if rows_hook:
        rows = rows_hook(rows)
    with open(root / "meta" / "esc50.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return root


@pytest.fixture
def esc_root(tmp_path):
    return make_fake_esc50(tmp_path / "ESC-50")


def test_loads_folds_groups_prompts(esc_root):
    c = load_esc50(esc_root)
    assert is_esc50(esc_root)
    assert sorted(c.labels) == sorted(k for k, _ in CLASSES)
    assert len(c.split("train")) == 5 * 4 * 2 and len(c.split("val")) == 5 * 2
    assert all(int(cl.path.name.split("-")[0]) == 5 for cl in c.split("val"))
    # one source recording = one group, never in two splits
    groups = {}
    for cl in c.clips:
        groups.setdefault((cl.label, cl.group), set()).add(cl.split)
    assert all(len(s) == 1 for s in groups.values())
    assert c.clips[0].duration_s == pytest.approx(0.5) and c.clips[0].orig_sr == SR
    # prompts from category names: canonical first, paraphrases, the last held out
    assert c.prompts["chirping_birds"][0] == "chirping birds"
    assert "the sound of a dog barking" in c.prompts["dog"]
    assert c.unseen_prompt("dog") == "a recording of a dog barking"
    assert c.unseen_prompt("dog") not in c.train_prompts("dog")
    assert c.categories == {"dog": "animal", "rain": "nature", "chirping_birds": "nature",
                            "crying_baby": "human", "door_wood_knock": "domestic"}
    x = read_clip(c.clips[0])
    assert x.dtype == np.float32 and len(x) == pytest.approx(8000, abs=2)  # resampled to 16 kHz


def test_fold_selection(esc_root):
    c = load_esc50(esc_root, train_folds=(1, 2), val_folds=3)
    folds = {cl.split: set() for cl in c.clips}
    for cl in c.clips:
        folds[cl.split].add(int(cl.path.name.split("-")[0]))
    assert folds == {"train": {1, 2}, "val": {3}}
    with pytest.raises(DatasetError, match="both"):
        load_esc50(esc_root, train_folds=(1, 2), val_folds=(2,))
    with pytest.raises(DatasetError, match="folds 1-5"):
        load_esc50(esc_root, train_folds=(0, 1))


def test_prompt_templates_for_unknown_categories():
    p = category_prompts("tiny_bell")
    assert p[0] == "tiny bell" and "the sound of tiny bell" in p and len(set(p)) == len(p) >= 2


def test_wrong_folder_and_broken_trees_give_clear_errors(tmp_path, esc_root):
    with pytest.raises(DatasetError, match="not an ESC-50 folder"):
        load_esc50(tmp_path / "nowhere")
    with pytest.raises(DatasetError, match="did you mean"):
        load_esc50(tmp_path)  # the parent of the real root: the hint names the right folder
    (tmp_path / "wrapper").mkdir()
    (tmp_path / "ESC-50").rename(tmp_path / "wrapper" / "ESC-50-master")
    with pytest.raises(DatasetError, match="ESC-50-master"):
        load_esc50(tmp_path / "wrapper")

    missing = make_fake_esc50(tmp_path / "missing")
    next((missing / "audio").glob("5-*.wav")).unlink()
    with pytest.raises(DatasetError, match="not found"):
        load_esc50(missing)

    split_group = make_fake_esc50(tmp_path / "leak", rows_hook=lambda rows: [
        dict(r, src_file="shared") if r["category"] == "dog" else r for r in rows])
    with pytest.raises(DatasetError, match="both"):
        load_esc50(split_group)

    bad_cols = tmp_path / "badcols"
    (bad_cols / "meta").mkdir(parents=True)
    (bad_cols / "audio").mkdir()
    (bad_cols / "meta" / "esc50.csv").write_text("filename,fold\nx.wav,1\n")
    with pytest.raises(DatasetError, match="lacks column"):
        load_esc50(bad_cols)


def test_esc50_feeds_the_case_generator(esc_root, tmp_path):
    from textsep.data.cases import make_cases

    cases = make_cases(load_esc50(esc_root), tmp_path / "cases", n=4, seed=1)
    assert len(cases) == 4
    mix, target, sr = cases[0].load()
    assert sr == 16000 and mix.shape == target.shape
    assert {c.label for c in cases} <= {k for k, _ in CLASSES}


def test_val_to_train_is_refused_for_esc50(esc_root, tmp_path, capsys):
    """ESC-50 is split by folds; --val-to-train would otherwise be silently ignored there."""
    from textsep.evaluation import cli as evaluate
    from textsep.training import cli as train

    assert evaluate.main(["--make-cases", str(tmp_path / "c"), "--corpus", str(esc_root), "--val-to-train", "0.5"]) == 2
    assert train.main(["--esc50-path", str(esc_root), "--output-dir", str(tmp_path / "t"), "--val-to-train", "0.5",
                       "--epochs", "1"]) == 2
    assert capsys.readouterr().err.count("--val-to-train needs a TextSep corpus") == 2
