#!/usr/bin/env bash
# Transfer benchmark over ../shared/images (see TransferBenchmark): protect with one set of encoders, measure on
# every encoder and the AI view. Default: leave-one-out both ways (taef2, then taesana) at 512 px.
# Needs ssimulacra_main (libjxl-devtools). Usage: bench/run-transfer.sh [SETS] [IMAGES] [SIZE] [STEPS]
# (STEPS: the optimisation's length, default the preset's)
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.TransferBenchmark "$@"
