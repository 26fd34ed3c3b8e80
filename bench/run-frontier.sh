#!/usr/bin/env bash
# The frontier: closeness of the weaker encoder against butteraugli at each preset's bound, for each shape of the
# budget (see FrontierBenchmark), then the table (Markdown, medians) and the plot (engine/target/frontier/frontier.png;
# copy it to docs/ to publish). Rows are appended to engine/target/frontier/frontier.tsv; delete it to start afresh.
# Usage: bench/run-frontier.sh [PRESETS] [IMAGES] [SIZE] [SHAPES]   e.g. low,default all 512 channels,evened
# TUNING (environment): the images the shaping was tuned on, reported apart (default astronaut.png,chelsea.png,coffee.png).
. "$(dirname "$0")/lib.sh"
bench_java org.scrim.engine.bench.FrontierBenchmark "${1:-low,default,high}" "${2:-all}" "${3:-512}" \
  "${4:-channels,evened}"
bench_java -Djava.awt.headless=true org.scrim.engine.bench.FrontierPlot target/frontier/frontier.tsv \
  target/frontier/frontier.png "${TUNING:-astronaut.png,chelsea.png,coffee.png}"
