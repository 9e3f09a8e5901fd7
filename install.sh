#!/usr/bin/env bash
# One-command set-up: a virtual environment in .venv with the app, the trainer and the test tools.
#   ./install.sh                 # Python packages only
#   ./install.sh --system-deps   # also the Debian packages Qt needs for a real window, and ffmpeg
#                                # and xdotool for the tests (root/sudo)
# PyTorch is installed as the CPU build first (a bare "torch" requirement would pull a multi-GB
# CUDA build); set TORCH_SPEC / TORCH_INDEX_URL to change that, or SLR_NO_TRAIN=1 for the app only.
# Users who only want the app do not need this script: `pipx install slr-desktop` (see README).
set -euo pipefail
cd "$(dirname "$0")"

if [[ "${1:-}" == "--system-deps" ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    xvfb xauth libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 \
    libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
    libxcb-xinerama0 libxcb-xkb1 libglib2.0-0 libpulse0 ffmpeg xdotool >/dev/null
fi

PY=${PYTHON:-python3}
[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
# setuptools >= 70.1 builds wheels by itself (tests/test_install.py builds one offline)
.venv/bin/python -m pip install -q --upgrade pip "setuptools>=70.1"
if [[ "${SLR_NO_TRAIN:-0}" == "1" ]]; then
  .venv/bin/python -m pip install -q -e ".[dev,pose]"
else
  TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
  if [[ -n "${TORCH_INDEX_URL:-}" ]]; then
    .venv/bin/python -m pip install -q "$TORCH_SPEC" --index-url "$TORCH_INDEX_URL"
  else
    .venv/bin/python -m pip install -q "$TORCH_SPEC"
  fi
  # pose: .pose interchange; cluster: Ray for `slr-train extract --engine ray` (tests use both)
  .venv/bin/python -m pip install -q -e ".[train,dev,pose,cluster]"
fi
# mediapipe brings opencv-contrib-python; a second OpenCV wheel would fight over cv2.
if .venv/bin/python -m pip show -q opencv-python >/dev/null 2>&1; then
  echo "warning: opencv-python is installed beside opencv-contrib-python; removing it" >&2
  .venv/bin/python -m pip uninstall -q -y opencv-python
  .venv/bin/python -m pip install -q --force-reinstall --no-deps opencv-contrib-python
fi
echo "SLR Desktop installed in .venv — run: .venv/bin/slr-desktop"
