"""One error hierarchy: every engine error is a kind of textsep.errors error, the CLI maps kinds to exit codes
in one table, and the engine's atomic writes leave no debris."""
from __future__ import annotations

import os
import stat

import pytest

from textsep import atomic, audio, batch, cli, detect, errors, nmf, separate
from textsep.data.cases import CaseError
from textsep.data.corpus import DatasetError
from textsep.edits import EditError, EditSpec, Region
from textsep.model.checkpoint import CheckpointError
from textsep.text import TextEncoderError


@pytest.mark.parametrize("cls,kind", [
    (audio.AudioError, errors.InputError), (EditError, errors.InputError), (CaseError, errors.InputError),
    (DatasetError, errors.InputError), (batch.BatchInputError, errors.InputError),
    (detect.DetectInputError, errors.InputError),
    (CheckpointError, errors.ModelError), (nmf.NMFError, errors.ModelError), (TextEncoderError, errors.ModelError),
    (detect.DetectModelError, errors.ModelError),
    (batch.BatchOutputError, errors.OutputError),
])
def test_every_engine_error_has_its_kind(cls, kind):
    assert issubclass(cls, kind)
    others = {errors.InputError, errors.ModelError, errors.OutputError, errors.Cancelled} - {kind}
    assert not any(issubclass(cls, o) for o in others), f"{cls.__name__} has more than one kind"


def test_compatible_names_are_the_same_classes():
    assert audio.OutputError is errors.OutputError
    assert separate.Cancelled is errors.Cancelled
    assert issubclass(EditError, ValueError)  # form validation catches ValueError
    assert issubclass(batch.BatchOutputError, batch.BatchError) and issubclass(detect.DetectInputError,
                                                                               detect.DetectError)
    assert not issubclass(audio.OutputError, audio.AudioError)  # output problems are not input problems


@pytest.mark.parametrize("exc,code", [
    (audio.AudioError("x"), 2), (EditError("x"), 2), (batch.BatchInputError("x"), 2),
    (detect.DetectInputError("x"), 2), (CheckpointError("x"), 3), (detect.DetectModelError("x"), 3),
    (TextEncoderError("x"), 3), (audio.OutputError("x"), 4), (batch.BatchOutputError("x"), 4),
    (errors.Cancelled("x"), 130), (KeyboardInterrupt(), 130), (RuntimeError("x"), 1),
])
def test_exit_code_table(exc, code):
    assert cli.exit_code(exc) == code


def test_edit_spec_save_is_atomic_and_keeps_the_mode(tmp_path, monkeypatch):
    spec = EditSpec([Region(0, 1, "dog bark")])
    path = tmp_path / "edits.json"
    old = os.umask(0o022)
    try:
        spec.save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    path.chmod(0o600)
    spec.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and EditSpec.load(path) == spec

    def broken_replace(a, b):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        EditSpec([Region(2, 3, "rain")]).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edits.json"] and EditSpec.load(path) == spec
    assert atomic.remove_pending() == []


def test_commit_without_overwrite_never_clobbers(tmp_path):
    target = tmp_path / "t.txt"
    tmp = atomic.temp_path_for(target)
    tmp.write_text("new")
    target.write_text("theirs")
    with pytest.raises(FileExistsError):
        atomic.commit(tmp, target, overwrite=False)
    atomic.discard(tmp)
    assert target.read_text() == "theirs" and sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]
    tmp = atomic.temp_path_for(tmp_path / "u.txt")
    tmp.write_text("mine")
    atomic.commit(tmp, tmp_path / "u.txt", overwrite=False)
    assert (tmp_path / "u.txt").read_text() == "mine" and not tmp.exists()
    assert atomic.remove_pending() == []
