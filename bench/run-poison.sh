#!/usr/bin/env bash
# Poison with the default models over ../shared/images: each image pulled toward the next one in the list (another
# picture standing in for another concept), then `scrim verify` with that anchor. Prints, per image, the visibility
# and each encoder's poison closeness plain / after JPEG 75, and the AI view's.
#   bench/run-poison.sh [MODEL...]      (default: the default models; e.g. taef2 for TAEF2 alone)
set -euo pipefail
cd "$(dirname "$0")/.."
models=()
for m in "$@"; do models+=(--model "$m"); done
images=(astronaut.png chelsea.png coffee.png rocket.jpg shipwreck.jpg starry_night.jpg the_scream.jpg)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in "${!images[@]}"; do
  image=${images[$i]}
  anchor=${images[$(( (i + 1) % ${#images[@]} ))]}
  ./scrim protect "${models[@]}" --mode poison --anchor "../shared/images/$anchor" --seed 1 --no-verify \
    "../shared/images/$image" -o "$work/poisoned.png" >/dev/null 2>"$work/log" || { cat "$work/log" >&2; exit 1; }
  ./scrim verify "${models[@]}" --json --anchor "../shared/images/$anchor" "../shared/images/$image" \
    "$work/poisoned.png" > "$work/report.json"
  python3 - "$image" "$anchor" "$work/report.json" <<'PY'
import json, sys
image, anchor, path = sys.argv[1:]
report = json.load(open(path))
entry = report["files"][0] if "files" in report else report
per = entry.get("poison_encoders") or {"": entry}
figures = ", ".join("%s %.3f / %.3f" % (name or "closeness", f["poison_closeness"], f["poison_closeness_jpeg75"])
                    for name, f in per.items())
ai = entry.get("poison_ai_view_closeness")
print("%-17s -> %-17s visibility %.3f  %s  AI view %s" % (image, anchor, entry["visibility"], figures,
                                                          "-" if ai is None else "%.3f" % ai))
PY
done
