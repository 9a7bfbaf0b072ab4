"""Case format, deterministic case generation, and `textsep evaluate` end to end with the tiny checkpoints."""
import csv
import math

import numpy as np
import pytest
import soundfile as sf
from _fakes import SR16 as SR
from _fakes import make_fake_corpus

from textsep.data.cases import Case, CaseError, make_cases, read_cases, write_cases
from textsep.data.corpus import load_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return load_corpus(make_fake_corpus(tmp_path_factory.mktemp("corpus")))


# ---- case generation -----------------------------------------------------------------------------

def test_make_cases_is_deterministic(corpus, tmp_path):
    a = make_cases(corpus, tmp_path / "a", n=6, seed=3)
    b = make_cases(corpus, tmp_path / "b", n=6, seed=3)
    c = make_cases(corpus, tmp_path / "c", n=6, seed=4)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) == 1 + 2 * 6
    for rel in files_a:
        if rel.suffix == ".wav":  # samples, not bytes: libsndfile stamps FLOAT WAVs' PEAK chunk with the time
            xa, sra = sf.read(tmp_path / "a" / rel, dtype="float32")
            xb, srb = sf.read(tmp_path / "b" / rel, dtype="float32")
            assert sra == srb and np.array_equal(xa, xb), rel
        else:
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert [x.prompt for x in a] == [x.prompt for x in b]
    assert (tmp_path / "a" / "cases.csv").read_bytes() != (tmp_path / "c" / "cases.csv").read_bytes()
    assert len(c) == 6
    with pytest.raises(CaseError, match="already exists"):
        make_cases(corpus, tmp_path / "a", n=6, seed=3)


def test_generated_cases_follow_the_recipe(corpus, tmp_path):
    cases = make_cases(corpus, tmp_path / "cases", n=12, seed=0)
    assert [c.mode for c in cases].count("keep") == 6
    assert {c.label for c in cases} | {c.interferer_label for c in cases} <= {"dog", "rain", "female_speech",
                                                                               "male_speech"}
    assert any(c.label == "female_speech" and c.interferer_label == "male_speech" for c in cases)
    assert any(c.label == "male_speech" and c.interferer_label == "female_speech" for c in cases)
    assert {c.wording for c in cases} == {"seen", "unseen"}
    for c in cases:
        assert c.label != c.interferer_label
        if c.wording == "unseen":
            assert c.prompt == corpus.unseen_prompt(c.label)
        else:
            assert c.prompt in corpus.train_prompts(c.label)
        assert c.extra["wrong_prompt"] in corpus.prompts[c.interferer_label]
        mix, target, sr = c.load()
        assert sr == SR and mix.dtype == np.float32 and sf.info(str(c.mix)).subtype == "FLOAT"
        assert 6.0 <= mix.shape[1] / sr <= 8.0 and 2.0 <= c.end_s - c.start_s <= 4.0
        a, b = c.region().span(sr)
        assert not np.any(target[:, :a]) and not np.any(target[:, b:]) and np.any(target[:, a:b])
        interferer = mix - target
        assert np.std(interferer[:, : sr // 2]) > 1e-3 and np.std(interferer[:, -sr // 2:]) > 1e-3
        span = slice(round(float(c.extra["target_start_s"]) * sr), round(float(c.extra["target_end_s"]) * sr))
        assert a + 0.1 * sr <= span.start < span.stop <= b - 0.1 * sr  # clear of the gate's fades
        snr = 10 * np.log10(np.sum(target[0, span] ** 2.0) / np.sum(interferer[0, span] ** 2.0))
        assert snr == pytest.approx(float(c.extra["snr_db"]), abs=0.05) and -5 <= snr <= 5


def test_case_file_round_trip_and_validation(corpus, tmp_path):
    cases = make_cases(corpus, tmp_path / "cases", n=4, seed=0)
    again = read_cases(tmp_path / "cases" / "cases.csv")
    assert [(c.case_id, c.mix, c.prompt, c.mode, c.start_s, c.end_s, c.extra) for c in cases] == \
           [(c.case_id, c.mix, c.prompt, c.mode, c.start_s, c.end_s, c.extra) for c in again]
    assert all(c.region().span(SR)[0] == round(c.start_s * SR) for c in again)

    def write(rows, header="case_id,mix,target,prompt,mode,start_s,end_s"):
        p = tmp_path / "cases" / "bad.csv"
        p.write_text(header + "\n" + "\n".join(rows) + "\n")
        return p

    good = "x,audio/case000_mix.wav,audio/case000_target.wav,dog bark,keep,1,2"
    assert read_cases(write([good]))[0].mix == tmp_path / "cases" / "audio" / "case000_mix.wav"
    with pytest.raises(CaseError, match="lacks column"):
        read_cases(write([good], header="case_id,mix,target,prompt,mode,start_s"))
    with pytest.raises(CaseError, match="mode"):
        read_cases(write([good.replace("keep", "boost")]))
    with pytest.raises(CaseError, match="duplicate"):
        read_cases(write([good, good]))
    with pytest.raises(CaseError, match="empty or inverted"):
        read_cases(write([good.replace(",1,2", ",2,1")]))
    with pytest.raises(CaseError, match="not found"):
        read_cases(write([good.replace("case000_mix", "nope")]))
    with pytest.raises(CaseError, match="prompt is empty"):
        read_cases(write([good.replace("dog bark", "")]))
    with pytest.raises(CaseError, match="runs past the end"):
        read_cases(write([good.replace(",1,2", ",1,60")]))[0].load()
    with pytest.raises(CaseError, match="not found"):
        read_cases(tmp_path / "none.csv")


# ---- evaluation -----------------------------------------------------------------------------------

def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_evaluate_end_to_end(corpus, tmp_path, tiny_checkpoint, tiny_agnostic_checkpoint, monkeypatch,
                             capsys):
    from textsep import paths
    from textsep.evaluation import cli as evaluate

    monkeypatch.delenv("TEXTSEP_CLAP_WEIGHTS", raising=False)
    real_find = paths.find_asset
    monkeypatch.setattr(paths, "find_asset", lambda kind, name: tmp_path / "no-assets" / name
                        if name.endswith(".npz") else real_find(kind, name))
    out = tmp_path / "results"
    rc = evaluate.main(["--make-cases", str(tmp_path / "cases"), "--corpus", str(corpus.root), "--n", "3",
                        "--model-path", str(tiny_checkpoint),
                        "--baseline-path", str(tiny_agnostic_checkpoint), "--out", str(out)])
    printed = capsys.readouterr()
    assert rc == 0, printed.err
    assert "# TextSep evaluation" in printed.out and "nmf" in printed.out
    for name in ("per_case.csv", "summary.md", "summary.csv"):
        assert (out / name).is_file()
    rows = _rows(out / "per_case.csv")
    assert {r["status"] for r in rows} == {"ok"}
    methods = {r["method"] for r in rows}
    assert methods == {"textsep", "wrong-prompt", "text-agnostic", "no-gate", "oracle-irm", "mixture"}
    assert len(rows) == 3 * len(methods)
    for r in rows:
        if r["method"] not in ("no-gate", "mixture"):
            assert r["gated"] == "True"
        if r["method"] != "no-gate":
            assert float(r["outside_max_abs"]) == 0.0 and float(r["outside_l2"]) == 0.0, r
        assert r["clap_sim"] == "unavailable"
    assert max(float(r["outside_max_abs"]) for r in rows if r["method"] == "no-gate") > 0

    def mean(method, metric="si_sdri"):
        return np.mean([float(r[metric]) for r in rows if r["method"] == method])

    assert mean("mixture") == 0.0
    assert mean("oracle-irm") > mean("mixture") + 8.0
    assert mean("oracle-irm", "sdri") > 8.0
    for r in rows:  # the mixture's own scores are the same for every method of a case
        same = [x for x in rows if x["case_id"] == r["case_id"]]
        assert {x["si_sdr_mix"] for x in same} == {r["si_sdr_mix"]}

    md = (out / "summary.md").read_text()
    assert "## SI-SDRi by mode" in md and "## SI-SDRi by target class" in md
    assert "seen" in md and "Female vs male speech" in md and "Wrong-prompt check" in md
    assert "| nmf | unavailable" in md and "NMF dictionaries not found" in md
    summary = _rows(out / "summary.csv")
    assert {"all", "mode", "class", "wording", "speech_pair"} <= {r["by"] for r in summary}
    assert any(r["method"] == "nmf" and r["metric"] == "unavailable" for r in summary)

    # the generated cases can be re-run from their CSV, with a method subset and a limit
    rc = evaluate.main(["--cases", str(tmp_path / "cases" / "cases.csv"), "--methods", "oracle,mixture",
                        "--limit", "2", "--out", str(tmp_path / "r2")])
    assert rc == 0
    assert {r["method"] for r in _rows(tmp_path / "r2" / "per_case.csv")} == {"oracle-irm", "mixture"}
    assert len(_rows(tmp_path / "r2" / "per_case.csv")) == 4


def test_evaluate_cli_errors(tmp_path, capsys):
    from textsep.evaluation import cli as evaluate

    assert evaluate.main(["--cases", str(tmp_path / "missing.csv")]) == 2
    assert "not found" in capsys.readouterr().err
    assert evaluate.main(["--make-cases", str(tmp_path / "c")]) == 2
    assert "--corpus" in capsys.readouterr().err
    assert evaluate.main(["--cases", "x.csv", "--methods", "magic"]) == 2
    assert "Unknown method" in capsys.readouterr().err
    assert evaluate.main(["--make-cases", str(tmp_path / "c"), "--corpus", str(tmp_path)]) == 2
    assert "not a TextSep corpus" in capsys.readouterr().err
    assert evaluate.main([]) == 2  # argparse usage error


def test_evaluate_cases_api_on_an_external_stereo_case(tmp_path, tiny_separator):
    """A hand-made 22.05 kHz stereo case: the oracle finds the resampled spans, gates hold exactly."""
    from textsep.evaluation import evaluate_cases, method_means

    sr = 22050
    n = 5 * sr
    rng = np.random.default_rng(0)
    t = np.arange(n) / sr
    target = np.zeros((2, n), dtype=np.float32)
    a, b = int(1.5 * sr), int(3.5 * sr)
    target[:, a:b] = 0.3 * np.sin(2 * np.pi * 330 * t[a:b]) * np.hanning(b - a)
    mix = (target + 0.1 * rng.standard_normal((2, n))).astype(np.float32)
    (tmp_path / "ext").mkdir()
    sf.write(tmp_path / "ext" / "m.wav", mix.T, sr, subtype="FLOAT")
    sf.write(tmp_path / "ext" / "t.wav", target.T, sr, subtype="FLOAT")
    write_cases(tmp_path / "ext" / "cases.csv", [
        Case("keep1", tmp_path / "ext" / "m.wav", tmp_path / "ext" / "t.wav", "dog bark", "keep", 1.5, 3.5),
        Case("rm1", tmp_path / "ext" / "m.wav", tmp_path / "ext" / "t.wav", "dog bark", "remove", 1.5, 3.5,
             {"wrong_prompt": "rain"})])
    cases = read_cases(tmp_path / "ext" / "cases.csv")
    rows = evaluate_cases({"textsep": tiny_separator}, cases, clap=False)
    assert [r["method"] for r in rows] == ["textsep", "no-gate", "oracle-irm", "mixture",
                                           "textsep", "wrong-prompt", "no-gate", "oracle-irm", "mixture"]
    assert all(r["status"] == "ok" for r in rows), [r["note"] for r in rows]
    assert all(r["outside_max_abs"] == 0.0 for r in rows if r["method"] != "no-gate")
    means = method_means(rows)
    assert means["oracle-irm"] > 8.0 and means["mixture"] == 0.0
    assert all(math.isfinite(r["sdr"]) for r in rows)


def test_oracle_finds_a_span_that_starts_in_digital_silence():
    """A 16 kHz mix with long exact-zero stretches (a gated speech interferer): the span the Separator
    hands the oracle starts with a zero that occurs thousands of times; it must still be located."""
    from textsep.evaluation.oracle import OracleIRM

    sr = 16000
    rng = np.random.default_rng(1)
    mix = np.zeros(8 * sr, dtype=np.float32)
    mix[6 * sr:] = 0.1 * rng.standard_normal(2 * sr)
    mix[3 * sr:4 * sr] += 0.2 * rng.standard_normal(sr)
    target = np.zeros_like(mix)
    target[3 * sr:4 * sr] = mix[3 * sr:4 * sr]
    oracle = OracleIRM(mix, target, sr)
    span = mix[int(2.5 * sr): int(6.5 * sr)]
    assert oracle._span(span) == (int(2.5 * sr), len(span))
    m = oracle.predict(span, "x").values.numpy()
    hop = 256 / sr
    assert m[:, int(0.7 / hop): int(1.3 / hop)].mean() > 0.9  # target inside 3-4 s of the mix
    assert m[:, int(3.7 / hop): int(3.9 / hop)].mean() < 0.1  # interferer-only at 6.2-6.4 s


def _per_case(path, scores):
    """A per_case.csv with textsep rows {case_id: (mode, label, si_sdri)} and one row of another method."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["case_id", "method", "status", "label", "mode", "si_sdri"])
        w.writeheader()
        for cid, (mode, label, v) in scores.items():
            w.writerow({"case_id": cid, "method": "textsep", "status": "ok", "label": label, "mode": mode,
                        "si_sdri": v})
        w.writerow({"case_id": "c0", "method": "nmf", "status": "ok", "label": "dog", "mode": "keep",
                    "si_sdri": 99})
    return path


def test_paired_comparison_of_two_results(tmp_path, capsys):
    from textsep.evaluation.paired import compare, paired_difference, read_scores

    a = _per_case(tmp_path / "a.csv", {"c0": ("keep", "dog", 5.0), "c1": ("keep", "rain", 1.0),
                                        "c2": ("remove", "dog", 4.0), "c3": ("remove", "rain", 2.0)})
    b = _per_case(tmp_path / "b.csv", {"c0": ("keep", "dog", 6.0), "c1": ("keep", "rain", 0.0),
                                        "c2": ("remove", "dog", 7.0), "c9": ("remove", "rain", 50.0)})
    g = compare(read_scores(a), read_scores(b))  # c3 and c9 are not shared: left out
    assert g["all"]["paired"].n == 3 and math.isclose(g["all"]["paired"].mean, 1.0)
    assert g["keep"]["a"] == 3.0 and g["keep"]["b"] == 3.0 and g["keep"]["paired"].better == 0.5
    assert g["remove"]["paired"].n == 1 and math.isclose(g["remove"]["paired"].mean, 3.0)
    assert math.isnan(g["remove"]["paired"].se)
    assert math.isclose(g["class:dog"]["paired"].mean, 2.0) and g["class:rain"]["paired"].mean == -1.0
    assert math.isclose(g["all"]["paired"].se, np.std([1.0, -1.0, 3.0], ddof=1) / math.sqrt(3))
    with pytest.raises(ValueError, match="share no case"):
        paired_difference({"x": 1.0}, {"y": 2.0})
    with pytest.raises(ValueError, match="no scored rows of method 'oracle-irm'"):
        read_scores(a, "oracle-irm")

    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "paired_cases", Path(__file__).resolve().parents[1] / "benchmarks" / "paired_cases.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.main([str(a), str(b), "--classes"]) == 0
    out = capsys.readouterr().out
    assert "| all | 3 | 3.33 | 4.33 | +1.00 +- 1.15 | 67 % |" in out
    assert out.index("| rain | 1 | 1.00 | 0.00 | -1.00 | 0 % |") < out.index("| dog |")  # worst class first
    assert mod.main([str(a), str(tmp_path / "missing.csv")]) == 2
    assert "error:" in capsys.readouterr().err
