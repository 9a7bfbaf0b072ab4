"""Time from launching an executable to its main window being visible on an X display.

Run under a display (e.g. `xvfb-run -a python packaging/measure_startup.py dist/TextSep/TextSep`). The
program is started exactly as a double-click would start it (no extra flags); the clock stops when the X
server reports a top-level window whose name contains --title as viewable (mapped on screen), found by
polling `xwininfo` every 20 ms. The program is then terminated. Each run is printed; the exit code is 1 if
no window appeared within --timeout.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

_LINE = re.compile(r'^\s*(0x[0-9a-f]+) "([^"]*)"', re.MULTILINE)


def _viewable_window(title: str) -> str | None:
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=False).stdout
    for wid, name in _LINE.findall(tree):
        if title in name and not name.startswith("Qt "):
            info = subprocess.run(["xwininfo", "-id", wid], capture_output=True, text=True, check=False).stdout
            if "Map State: IsViewable" in info:
                return name
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads) from /proc (Linux only)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def measure(cmd: list[str], title: str, timeout: float) -> tuple[float | None, str | None, float | None]:
    """(wall seconds to a visible window, window name, CPU seconds the program had used by then)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while time.perf_counter() - t0 < timeout:
            name = _viewable_window(title)
            if name:
                return time.perf_counter() - t0, name, _cpu_seconds(proc.pid)
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-2000:]
                raise SystemExit(f"{cmd[0]} exited with code {proc.returncode} before showing a window:\n{err}")
            time.sleep(0.02)
        return None, None, None
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exe")
    ap.add_argument("args", nargs="*", help="arguments for the program (e.g. a file to open)")
    ap.add_argument("--title", default="TextSep", help="part of the main window's title")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=90.0)
    a = ap.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("error: no DISPLAY; run under xvfb-run", file=sys.stderr)
        return 2
    for _ in range(100):  # a just-started Xvfb may need a moment before it accepts clients
        if subprocess.run(["xwininfo", "-root"], capture_output=True, check=False).returncode == 0:
            break
        time.sleep(0.1)
    else:
        print(f"error: cannot connect to the X display {os.environ['DISPLAY']}", file=sys.stderr)
        return 2
    times, cpus = [], []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for i in range(a.runs):
        t, name, cpu = measure([a.exe, *a.args], a.title, a.timeout)
        if t is None:
            print(f"run {i + 1}: no visible window titled *{a.title}* within {a.timeout:g} s")
            return 1
        times.append(t)
        cpus.append(cpu)
        cpu_text = f" (the program had used {cpu:.2f} s of CPU)" if cpu is not None else ""
        print(f"run {i + 1}: window {name!r} visible after {t:.2f} s{cpu_text}")
    med = sorted(times)[len(times) // 2]
    cpu_text = ""
    if all(c is not None for c in cpus):
        cpu_text = f"; CPU used by then: median {sorted(cpus)[len(cpus) // 2]:.2f} s"
    print(f"launch to visible window: first {times[0]:.2f} s, best {min(times):.2f} s, median {med:.2f} s "
          f"over {len(times)} runs (1-min load average {load:.1f} on {os.cpu_count()} CPUs){cpu_text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
