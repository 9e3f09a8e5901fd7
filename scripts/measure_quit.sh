#!/bin/bash
# Time from Ctrl+Q to the window closing and to the process exiting, in a real X window.
#   xvfb-run -a -s "-screen 0 1600x1000x24" scripts/measure_quit.sh [CHECKOUT] [CLIP] [MODEL]
# Runs the app of CHECKOUT (default: this one) with its .venv on CLIP for 6 s, presses Ctrl+Q with
# xdotool and prints both times. Needs xdotool; MediaPipe bundles from $SLR_MEDIAPIPE_DIR.
set -e
REPO=$(cd "${1:-$(dirname "$0")/..}" && pwd)
CLIP=${2:-${SLR_SHARED_DIR:-$REPO/../shared}/datasets/wlasl_clips/05732.mp4}
MODEL=${3:-models/wlasl50.onnx}
export SLR_SETTINGS_FILE=${SLR_SETTINGS_FILE:-/tmp/slr_measure_quit.ini} SLR_NO_DIALOGS=1
cd "$REPO"
.venv/bin/python -m slr_desktop.app.main --source "$CLIP" --model "$MODEL" >/dev/null 2>&1 &
APP=$!
xdotool search --sync --onlyvisible --name "SLR Desktop" >/dev/null
sleep 6
WID=$(xdotool search --onlyvisible --name "SLR Desktop" | head -1)   # not Qt's unmapped helper windows
xdotool windowfocus --sync "$WID" 2>/dev/null || true
T0=$(date +%s.%N)
xdotool key --window "$WID" ctrl+q 2>/dev/null || true   # BadWindow on key-up: already gone
while xdotool search --onlyvisible --name "SLR Desktop" >/dev/null 2>&1; do sleep 0.01; done
T1=$(date +%s.%N)
wait $APP
T2=$(date +%s.%N)
python3 -c "import sys; t0, t1, t2 = map(float, sys.argv[1:]); print(f'window closed after {t1 - t0:.2f} s, process exited after {t2 - t0:.2f} s')" "$T0" "$T1" "$T2"
