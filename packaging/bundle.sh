#!/usr/bin/env bash
# Builds the self-contained Scrim engine for Linux x64: scrim-VERSION-linux-x64.tar.gz holding bin/scrim, a jlink
# Java runtime (nothing to install: no Java needed on the machine), the CLI's jars with the linux-x64 natives only,
# and the default models (the taef2 and taesana encoders, taef2's decoder) when a folder of them is given or
# ../shared/models exists (else they are downloaded on first use). Needs a JDK 17+ (jlink, jdeps), zip,
# binutils' strip, and the project built (mvn -DskipTests package).
#   packaging/bundle.sh [OUT_DIR] [MODELS_DIR]      (default OUT_DIR: target/dist)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$root/target/dist}" && cd "${1:-$root/target/dist}" && pwd)"
models="${2:-$root/../shared/models}"
jar="$(ls "$root"/cli/target/scrim-cli-*.jar 2>/dev/null | head -n 1 || true)"
[ -n "$jar" ] && [ -d "$root/cli/target/lib" ] || { echo "bundle: build first: mvn -DskipTests package" >&2; exit 1; }
version="$(basename "$jar" .jar)"
version="${version#scrim-cli-}"
name="scrim-$version-linux-x64"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dir="$stage/$name"
mkdir -p "$dir/bin" "$dir/lib"

cp "$jar" "$root"/cli/target/lib/*.jar "$dir/lib/"
# One platform's natives: ONNX Runtime ships five platforms (and macOS debug symbols), JOCL five.
(cd "$dir/lib"
 zip -q -d onnxruntime-*.jar 'ai/onnxruntime/native/linux-aarch64/*' 'ai/onnxruntime/native/osx-*' \
   'ai/onnxruntime/native/win-*'
 zip -q -d jocl-*.jar 'lib/*windows*' 'lib/*apple*' 'lib/*linux-arm64*'
 zip -q -d jna-*.jar $(unzip -Z1 jna-*.jar | grep 'jnidispatch\.' | grep -v '/linux-x86-64/')
 # BouncyCastle's post-quantum algorithms: Scrim signs with ECDSA through the lightweight API and never registers
 # the BC provider, so nothing loads them.
 zip -q -d bcprov-*.jar 'org/bouncycastle/pqc/*')

# The modules the jars use, plus the TLS elliptic-curve provider a model download needs (a service jdeps misses)
# and jdk.unsupported, through which the engine frees ONNX Runtime's input buffers (looked up by reflection).
modules="$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps --recursive \
  --class-path "$(ls "$dir"/lib/*.jar | tr '\n' ':')" "$dir/lib/$(basename "$jar")")"
# No --compress: the tarball is gzipped as a whole, which takes more from uncompressed modules than jlink's zip does.
jlink --add-modules "$modules,jdk.crypto.ec,jdk.unsupported" --strip-debug --no-header-files --no-man-pages \
  --compress=0 --output "$dir/runtime"
# The JDK's native libraries carry their symbol tables (4 MB in libjvm.so alone); a runtime does not need them.
find "$dir/runtime" -name '*.so' -exec strip --strip-unneeded {} +

# The default protection's models: both encoders, and TAEF2's decoder, whose rendering it pulls too.
if [ -f "$models/taef2_encoder.pth" ] && [ -f "$models/taef2_decoder.pth" ] && [ -f "$models/taesana_encoder.pth" ]
then
  mkdir -p "$dir/models"
  cp "$models"/taef2_encoder.pth "$models"/taef2_decoder.pth "$models"/taesana_encoder.pth "$dir/models/"
  [ -f "$models/LICENSE-taesd.txt" ] && cp "$models/LICENSE-taesd.txt" "$dir/models/"
fi

cat > "$dir/bin/scrim" <<'LAUNCHER'
#!/bin/sh
# The Scrim engine with its own Java runtime: no Java is needed on the machine.
here="$(dirname "$(dirname "$(readlink -f "$0")")")"
# The models shipped in the bundle, unless the user keeps models elsewhere.
if [ -z "${SCRIM_MODELS:-}" ] && [ -d "$here/models" ]; then
  SCRIM_MODELS="$here/models"
  export SCRIM_MODELS
fi
# A heap that gives back what it no longer holds (after the collection a protection makes before its steps)
# instead of keeping up to 70% free: resident memory is what the work needs, not its high-water mark.
exec "$here/runtime/bin/java" -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 ${SCRIM_JAVA_OPTS:-} -cp "$here/lib/*" org.scrim.cli.ScrimCommand "$@"
LAUNCHER
chmod 755 "$dir/bin/scrim"
cp "$root/packaging/README-bundle.txt" "$dir/README.txt"

tar -C "$stage" -cf - "$name" | gzip -9 > "$out/$name.tar.gz"
echo "$out/$name.tar.gz ($(du -m "$out/$name.tar.gz" | cut -f1) MiB)"
