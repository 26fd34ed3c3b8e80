#!/usr/bin/env bash
# Closeness at the trainers' views (see ViewsBenchmark): each shared image at its own size and at 1024 px on the long
# side, protected with the default encoders and with TAEF2 alone (read on TAESana), per encoder and per view (own size
# capped at 1024, the 768 and 512 buckets, mirrored, cropped off-grid, JPEG 75, 0.5x), then medians and ranges as a
# markdown table. Needs ssimulacra_main and butteraugli_main (libjxl-devtools). About a minute per protection on two
# cores: the defaults (7 images x 2 sizes x 2 sets, less starry_night's own 1024) take around half an hour.
# Usage: bench/run-views.sh [SETS] [IMAGES] [SIZES]   e.g. bench/run-views.sh taef2+taesana astronaut.png,rocket.jpg own
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.ViewsBenchmark "$@"
