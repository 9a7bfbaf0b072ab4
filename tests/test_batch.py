"""Batch processing: good files written, bad ones reported with reasons, nothing overwritten."""
from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
import soundfile as sf
from _fakes import LocalGate

from textsep import cli
from textsep.batch import BatchError, WholeFile, plan_outputs, run_batch
from textsep.edits import EditSpec, Region
from textsep.separate import Separator

SR = 16000


def make_folder(root, durations=(3.0, 3.0, 2.0)):
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i, d in enumerate(durations):
        sf.write(str(root / f"clip{i}.wav"), rng.standard_normal(int(d * SR)) * 0.1, SR, subtype="PCM_16")
    sf.write(str(root / "stereo.flac"), rng.standard_normal((SR * 3, 2)) * 0.1, SR, subtype="PCM_24")
    (root / "corrupt.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunk")
    (root / "notes.txt").write_text("not audio, not listed")
    return root


def test_batch_writes_good_files_reports_bad_ones_and_never_overwrites(tmp_path):
    src = make_folder(tmp_path / "in", durations=(3.0, 3.0, 1.2, 0.4))
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip1.wav").write_bytes(b"an earlier result")
    regions = [Region(0.5, 1.5, "tone", "remove")]
    report = run_batch(Separator(LocalGate()), src, out, regions)
    by_name = {r.input.name: r for r in report.results}
    assert sorted(by_name) == ["clip0.wav", "clip1.wav", "clip2.wav", "clip3.wav", "corrupt.wav", "stereo.flac"]
    assert {r.input.name for r in report.written} == {"clip0.wav", "clip2.wav", "stereo.flac"}
    assert by_name["clip1.wav"].status == "skipped" and "already exists" in by_name["clip1.wav"].reason
    assert (out / "clip1.wav").read_bytes() == b"an earlier result"
    assert by_name["corrupt.wav"].status == "failed" and "not a supported audio file" in by_name["corrupt.wav"].reason
    assert by_name["clip3.wav"].status == "failed" and "starts after the end" in by_name["clip3.wav"].reason
    assert any("clipped to 1.200 s" in w for w in by_name["clip2.wav"].warnings)
    assert not (out / "corrupt.wav").exists() and not (out / "clip3.wav").exists()
    assert sf.info(str(out / "stereo.flac")).subtype == "PCM_24" and sf.info(str(out / "stereo.flac")).channels == 2
    x, y = sf.read(str(src / "clip0.wav"), dtype="int16")[0], sf.read(str(out / "clip0.wav"), dtype="int16")[0]
    assert np.array_equal(x[:8000], y[:8000]) and not np.array_equal(x[8000:24000], y[8000:24000])
    assert not report.ok
    text = report.summary()
    assert "3 written, 1 skipped, 2 failed" in text and "corrupt.wav" in text and "clip3.wav" in text
    assert sorted(p.name for p in out.iterdir()) == ["clip0.wav", "clip1.wav", "clip2.wav", "stereo.flac"]


def test_overwrite_replaces_outputs_but_never_inputs(tmp_path):
    src = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip1.wav").write_bytes(b"old")
    report = run_batch(Separator(LocalGate()), src, out, WholeFile("tone"), overwrite=True)
    assert {r.input.name for r in report.written} == {"clip0.wav", "clip1.wav", "clip2.wav", "stereo.flac"}
    assert sf.info(str(out / "clip1.wav")).frames == 3 * SR


def test_same_folder_needs_a_suffix_and_spares_inputs(tmp_path):
    src = make_folder(tmp_path / "in")
    with pytest.raises(BatchError, match="output folder is the input folder"):
        run_batch(Separator(LocalGate()), src, src, WholeFile("tone"))
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    # an input that is also the output of another input must not be overwritten, even with overwrite=True
    sf.write(str(src / "clip0_sep.wav"), np.zeros(SR), SR, subtype="PCM_16")
    before["clip0_sep.wav"] = (src / "clip0_sep.wav").read_bytes()
    report = run_batch(Separator(LocalGate()), src, src, WholeFile("tone"), suffix="_sep", overwrite=True)
    r = next(r for r in report.results if r.input.name == "clip0.wav")
    assert r.status == "skipped" and "is one of the input files" in r.reason
    for name, data in before.items():
        assert (src / name).read_bytes() == data, f"{name} was modified"
    assert (src / "clip1_sep.wav").exists() and (src / "stereo_sep.flac").exists()


def test_recursive_mirrors_folders_and_ignores_own_outputs(tmp_path):
    src = make_folder(tmp_path / "in")
    make_folder(src / "sub", durations=(1.0,))
    out = src / "edited"  # inside the input folder
    report = run_batch(Separator(LocalGate()), src, out, WholeFile("tone", "remove"), recursive=True)
    assert (out / "sub" / "clip0.wav").exists() and (out / "clip0.wav").exists()
    n_written = len(report.written)
    again = run_batch(Separator(LocalGate()), src, out, WholeFile("tone", "remove"), recursive=True)
    assert len(again.results) == len(report.results), "outputs of the first run are not new inputs"
    assert len(again.skipped) == n_written and not again.written


def test_cancel_stops_and_reports(tmp_path):
    src = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    ev = threading.Event()
    fracs = []

    def progress(frac, msg):
        fracs.append(frac)
        if "clip1" in msg:
            ev.set()

    report = run_batch(Separator(LocalGate()), src, out, WholeFile("tone"), progress=progress, cancel=ev)
    assert report.cancelled and not report.ok
    assert [r.input.name for r in report.written] == ["clip0.wav"]
    assert report.results[-1].status == "cancelled"
    assert sorted(p.name for p in out.iterdir()) == ["clip0.wav"], "the interrupted file leaves nothing"
    assert all(b >= a for a, b in itertools.pairwise(fracs))


def test_progress_and_edit_spec(tmp_path):
    src = make_folder(tmp_path / "in")
    fracs = []
    spec = EditSpec([Region(0.1, 0.5, "tone"), Region(0.3, 0.9, "x", enabled=False)])
    report = run_batch(Separator(LocalGate()), src, tmp_path / "out", spec, progress=lambda f, m: fracs.append(f))
    assert len(report.written) == 4 and fracs[-1] == 1.0
    assert all(b >= a for a, b in itertools.pairwise(fracs))


def test_plan_outputs_errors(tmp_path):
    with pytest.raises(BatchError, match="not found"):
        plan_outputs(tmp_path / "nope", tmp_path / "out")
    (tmp_path / "file").write_text("x")
    (tmp_path / "in").mkdir()
    with pytest.raises(BatchError, match="not a folder"):
        plan_outputs(tmp_path / "in", tmp_path / "file")


def test_cli_batch_exit_codes(tmp_path, tiny_checkpoint, capsys):
    src = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    args = ["batch", "--input-dir", str(src), "--output-dir", str(out), "--prompt-text", "dog bark",
            "--time-windows", "0.5", "1.0", "--model-path", str(tiny_checkpoint), "-q"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "4 written, 0 skipped, 1 failed" in err and "FAILED" in err and "corrupt.wav" in err
    assert cli.main(args) == 1  # second run: everything skipped, the corrupt file still fails
    err = capsys.readouterr().err
    assert "0 written, 4 skipped, 1 failed" in err
    (src / "corrupt.wav").unlink()
    assert cli.main(args) == 0
    assert cli.main(args[:3] + ["--output-dir", str(src)] + args[5:]) == 4
    assert "input folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["batch", "--input-dir", str(empty), "--output-dir", str(out), "--prompt-text", "x"]) == 2
    assert "No audio files" in capsys.readouterr().err


def test_on_file_events_follow_each_file_in_order(tmp_path):
    from textsep.batch import FINAL_STATUSES, FileEvent

    src = make_folder(tmp_path / "in", durations=(3.0, 3.0, 0.05))  # clip2 ends before the region starts
    out = tmp_path / "out"
    out.mkdir()
    (out / "clip1.wav").write_bytes(b"an earlier result")
    events: list[FileEvent] = []
    texts = []
    report = run_batch(Separator(LocalGate(), chunk_s=1.0, overlap_s=0.25), src, out, [Region(0.1, 2.9, "tone")],
                       on_file=events.append, progress=lambda f, m: texts.append(m))
    names = [r.input.name for r in report.results]
    assert names == ["clip0.wav", "clip1.wav", "clip2.wav", "corrupt.wav", "stereo.flac"]
    assert texts and texts[-1].startswith("Done")  # the text progress is unchanged
    for i, res in enumerate(report.results):
        evs = [e for e in events if e.index == i]
        assert all(e.total == 5 and e.input == res.input and e.output == res.output for e in evs)
        assert evs[0].status == "started" and evs[0].fraction == 0.0
        assert evs[-1].final and evs[-1].status == res.status and evs[-1].result is res
        assert sum(e.final for e in evs) == 1, "exactly one final event per file"
        middle = evs[1:-1]
        assert all(e.status == "progress" for e in middle)
        fr = [e.fraction for e in middle]
        assert all(0.0 <= f <= 1.0 for f in fr) and fr == sorted(fr)
        if res.status == "written":
            assert len(middle) >= 3 and any("Chunk 2/" in e.message for e in middle)  # chunked: several steps
        else:
            assert not middle and evs[-1].message == res.reason and res.reason
    # files are reported one after another, never interleaved
    order = [e.index for e in events]
    assert order == sorted(order)
    assert [e.status for e in events if e.final] == ["written", "skipped", "failed", "failed", "written"]
    assert all(e.status in FINAL_STATUSES for e in events if e.final)
    # the batch fraction rises to 1 over the run
    bf = [e.batch_fraction for e in events]
    assert bf == sorted(bf) and bf[-1] == 1.0


def test_on_file_reports_the_cancelled_file_and_nothing_after(tmp_path):
    src = make_folder(tmp_path / "in")
    ev = threading.Event()
    events = []

    def on_file(e):
        events.append(e)
        if e.index == 1 and e.status == "progress":
            ev.set()

    report = run_batch(Separator(LocalGate(), chunk_s=1.0, overlap_s=0.25), src, tmp_path / "out",
                       WholeFile("tone"), cancel=ev, on_file=on_file)
    assert report.cancelled
    finals = [(e.index, e.status) for e in events if e.final]
    assert finals == [(0, "written"), (1, "cancelled")]
    assert max(e.index for e in events) == 1
