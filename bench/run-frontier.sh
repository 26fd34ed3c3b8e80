#!/usr/bin/env bash
# The frontier: closeness of the weaker encoder against butteraugli at each preset's bound, for each shape of the
# budget (see FrontierBenchmark), then the table (Markdown, medians) and the plot (engine/target/frontier/frontier.png;
# copy it to docs/ to publish). Rows are appended to engine/target/frontier/frontier.tsv; delete it to start afresh.
# Usage: bench/run-frontier.sh [PRESETS] [IMAGES] [SIZE] [SHAPES]   e.g. low,default all 512 channels,evened
# TUNING (environment): the images the shaping was tuned on, reported apart (default astronaut.png,chelsea.png,coffee.png).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -o -DskipTests test-compile -pl engine -am
cp=$(mvn -q -o -pl engine dependency:build-classpath -Dmdep.outputFile=/dev/stdout)
images=${2:-all}
[ "$images" = all ] && images=astronaut.png,chelsea.png,coffee.png,rocket.jpg,shipwreck.jpg,starry_night.jpg,the_scream.jpg
cd engine
java -Dscrim.shared="$PWD/../../shared" -cp "target/test-classes:target/classes:$cp" \
  org.scrim.engine.bench.FrontierBenchmark "${1:-low,default,high}" "$images" "${3:-512}" \
  "${4:-channels,evened}"
java -Djava.awt.headless=true -cp "target/test-classes:target/classes:$cp" org.scrim.engine.bench.FrontierPlot \
  target/frontier/frontier.tsv target/frontier/frontier.png "${TUNING:-astronaut.png,chelsea.png,coffee.png}"
