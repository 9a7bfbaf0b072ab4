"""PyInstaller runtime hook for TextSep (runs before any app code in the frozen executable).

* No hidden downloads: the app ships its MiniLM weights, so Hugging Face libraries are forced offline
  (set, not setdefault: a user's HF_HUB_OFFLINE=0 must not make the frozen app fetch anything).
* No progress bars or telemetry from transformers / huggingface_hub.
* A windowed executable has no stdout/stderr (sys.stdout is None on Windows): anything that prints
  (tqdm, warnings, argparse --help, --self-test) would crash or vanish. On Windows we first try to attach
  to the console of the shell that started us, so `TextSep.exe --self-test` from cmd/PowerShell shows
  its report; otherwise output goes to os.devnull.
"""
import os
import sys

for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("HF_DATASETS_OFFLINE", "1"),
                      ("HF_HUB_DISABLE_TELEMETRY", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                      ("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1"), ("TOKENIZERS_PARALLELISM", "false")):
    os.environ[_name] = _value


def _fix_std_streams():
    if sys.stdout is not None and sys.stderr is not None:
        return
    stream = None
    if sys.platform == "win32":
        try:
            import ctypes

            if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
                stream = open("CONOUT$", "w", encoding="utf-8", errors="replace")
        except Exception:
            stream = None
    if stream is None:
        stream = open(os.devnull, "w", encoding="utf-8")
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


_fix_std_streams()
