#!/usr/bin/env bash
# Runs the Scrim Spark job in Spark's local mode on this machine, with Spark as Maven resolves it (no Spark install):
#   platform-spark/run-local.sh --input IN --output OUT --report REPORT [scrim protect options]
# builds the job on first use, uses every core (SCRIM_SPARK_CORES=N for fewer), ends with the line
# "protected N, skipped N, failed N". Any other option of the job: run-local.sh --help.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
target="$here/target"
find_jar() { ls "$target"/scrim-spark-*.jar 2>/dev/null | grep -v '/original-' | head -n 1 || true; }
jar="$(find_jar)"
if [ -z "$jar" ] || [ ! -f "$target/spark-classpath" ] || [ ! -f "$target/spark-jvm-flags" ]; then
  echo "run-local: first run, building the job and fetching Spark through Maven (a few minutes)..." >&2
  (cd "$root" && mvn -q -pl platform-spark -am -DskipTests package) >&2
  jar="$(find_jar)"
fi
# Shared data beside the checkout holds the default models' weights; use it when present (executors never download).
if [ -z "${SCRIM_MODELS:-}" ] && [ -d "$root/../shared/models" ]; then
  export SCRIM_MODELS="$root/../shared/models"
fi
# The class path goes through the environment, not -cp: ONNX Runtime reads the process's command line when it
# starts, and one this long (Spark's 200 jars) overflows a task thread's 1 MiB stack in it (a crash, no Java error).
export CLASSPATH="$jar:$(cat "$target/spark-classpath")"
# Spark's JVM options on Java 17 (spark-submit adds them itself), its log at warnings only, and a heap that gives
# back what it no longer holds, as ./scrim starts the CLI.
# shellcheck disable=SC2046
exec java $(cat "$target/spark-jvm-flags") -Dlog4j.configurationFile="$here/src/launcher/log4j2.properties" \
  -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -Dspark.master="local[${SCRIM_SPARK_CORES:-*}]" \
  -Dspark.ui.enabled=false ${SCRIM_JAVA_OPTS:-} org.scrim.spark.ScrimSparkJob "$@"
