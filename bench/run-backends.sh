#!/usr/bin/env bash
# One TAEF2 loss+gradient step on every backend: ONNX Runtime (CPU, THREADS threads) and each OpenCL device found.
#   bench/run-backends.sh THREADS SIZE...      (default sizes 512 1024 2048)
. "$(dirname "$0")/lib.sh"
threads=${1:-2}; shift || true
sizes=${*:-512 1024 2048}
bench_java org.scrim.engine.bench.OpenClStepBenchmark "$threads" $sizes
