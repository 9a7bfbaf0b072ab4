#!/usr/bin/env bash
# Set up TextSep on a fresh Debian/Ubuntu machine: system libraries, a virtual environment in .venv,
# CPU PyTorch (pinned, so pip does not pull a multi-GB CUDA build) and TextSep with its test tools.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
if command -v apt-get >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  pkgs="libportaudio2 libsndfile1 libtcmalloc-minimal4 libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3"
  missing=$(for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
  if [ -n "$missing" ]; then
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing
  fi
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0" -e ".[dev]"
echo "TextSep is installed in .venv: try  .venv/bin/textsep --help  or  .venv/bin/textsep-desktop"
