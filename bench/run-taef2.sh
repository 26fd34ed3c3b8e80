#!/usr/bin/env bash
# TAEF2 encoder timings, Scrim (ONNX Runtime) next to PyTorch (Debian python3-torch), same threads and sizes:
#   bench/run-taef2.sh encode THREADS SIZE...   forward-only encode
#   bench/run-taef2.sh step THREADS SIZE...     one loss+gradient step (what every protection step costs)
. "$(dirname "$0")/lib.sh"
mode=${1:?encode or step}; threads=${2:-2}; shift 2 || true
sizes=${*:-512 1024}
case "$mode" in
  encode) main=org.scrim.engine.bench.EncodeBenchmark ;;
  step) main=org.scrim.engine.bench.StepBenchmark ;;
  *) echo "usage: $0 encode|step THREADS SIZE..." >&2; exit 2 ;;
esac
bench_java "$main" "$threads" $sizes
/usr/bin/python3 bench/taef2_torch.py "$mode" "$threads" $sizes
