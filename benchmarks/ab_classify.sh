#!/bin/bash
# `slr-desktop classify` of two checkouts on one clip, alternating A B B A, `REPS` times; prints each
# run's wall seconds and the ratio B / A of the sums, and whether the JSON (timing aside) is identical.
#   benchmarks/ab_classify.sh /tmp/old_checkout /work/wt/speed2 clip.mp4 models/wlasl50.onnx [REPS]
# (an old checkout: `mkdir /tmp/old && git archive COMMIT | tar -x -C /tmp/old`; both run with this
# shell's `python`, each from its own folder, so each imports its own slr_desktop)
set -euo pipefail
A=$(realpath "$1"); B=$(realpath "$2"); CLIP=$(realpath "$3"); MODEL=$(realpath "$4"); REPS=${5:-3}
PY=${PYTHON:-python}
OUT=$(mktemp -d)
declare -A SUM=([A]=0 [B]=0)
for rep in $(seq "$REPS"); do
  for who in A B B A; do
    dir=${!who}
    s=$(date +%s.%N)
    (cd "$dir" && "$PY" -m slr_desktop.cli classify "$CLIP" --model "$MODEL" --json --no-progress > "$OUT/$who.json")
    e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    SUM[$who]=$(echo "${SUM[$who]} + $t" | bc)
    echo "$who $t"
  done
done
echo "B / A = $(echo "scale=4; ${SUM[B]} / ${SUM[A]}" | bc) (sums of $((2 * REPS)) runs each)"
"$PY" - "$OUT/A.json" "$OUT/B.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
same = [k for k in a if k != "timing" and a[k] == b.get(k)]
diff = [k for k in a if k != "timing" and a[k] != b.get(k)]
print("identical apart from timing" if not diff else f"differ in: {', '.join(diff)}")
PY
rm -rf "$OUT"
