#!/usr/bin/env bash
# The Spark job's overhead and scaling on this machine: the shared images scaled to 512 px (long side), protected by
# `scrim protect DIR --threads 1` (the per-image time of one core), then by the job in Spark's local mode with one
# and with two cores (one ONNX Runtime thread per task), same options and seed. Prints wall time, seconds per image
# and images per minute for each. Needs ImageMagick's convert for the 512-px copies.
#   bench/run-spark.sh [IMAGES] [more scrim protect options]      (default: all seven shared images)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-7}; shift || true
command -v convert >/dev/null || { echo "run-spark: needs ImageMagick's convert (Debian: imagemagick)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
for f in $(ls ../shared/images/*.png ../shared/images/*.jpg | sort | head -n "$count"); do
  convert "$f" -resize 512x512 "$work/in/$(basename "$f")"
done
n=$(ls "$work/in" | wc -l)
options=(--seed 1 "$@")
./scrim --help >/dev/null               # builds the CLI on first use, outside the timing
platform-spark/run-local.sh --help >/dev/null   # and the job

now() { date +%s.%N; }
report() { awk -v what="$1" -v n="$n" -v s="$2" \
  'BEGIN { printf "%-28s %3d images %8.1f s %8.1f s/image %6.2f images/min\n", what, n, s, s / n, 60 * n / s }'; }

start=$(now)
./scrim protect --out-dir "$work/cli" --threads 1 --progress none "${options[@]}" "$work/in" >/dev/null
report "scrim protect --threads 1" "$(echo "$(now) - $start" | bc)"
for cores in 1 2; do
  start=$(now)
  line=$(SCRIM_SPARK_CORES=$cores platform-spark/run-local.sh --input "$work/in" --output "$work/spark$cores" \
    --report "$work/report$cores" "${options[@]}" 2>/dev/null | tail -n 1)
  report "spark local[$cores] ($line)" "$(echo "$(now) - $start" | bc)"
done
