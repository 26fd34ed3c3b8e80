# The one way the bench/run-*.sh scripts build and start a benchmark; source it (`. "$(dirname "$0")/lib.sh"`).
# It moves to the checkout's root, and bench_java builds the engine with its test classes (offline, the engine and
# what it needs: -pl engine -am) and asks Maven for the class path, both once per script, then runs java in engine/,
# where the benchmarks write their tables (target/...), with the shared data beside the checkout.
#   bench_java [JVM OPTIONS] MAIN_CLASS [ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bench_root=$PWD
bench_classpath=

bench_java() {
  if [ -z "$bench_classpath" ]; then
    mvn -B -q -o -DskipTests -pl engine -am test-compile
    # to a file, not standard output, where Maven's console adds colour codes around what the plugin prints
    mvn -B -q -o -pl engine dependency:build-classpath -Dmdep.outputFile="$bench_root/engine/target/bench.classpath"
    bench_classpath="$bench_root/engine/target/test-classes:$bench_root/engine/target/classes:$(
      cat "$bench_root/engine/target/bench.classpath")"
  fi
  (cd "$bench_root/engine" && java -Dscrim.shared="$bench_root/../shared" -cp "$bench_classpath" "$@")
}
