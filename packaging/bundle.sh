#!/usr/bin/env bash
# Builds the self-contained Scrim engine for Linux x64: scrim-VERSION-linux-x64.tar.gz holding bin/scrim, a jlink
# Java runtime (nothing to install: no Java needed on the machine), the CLI's jars with the linux-x64 natives only,
# and the default models (the taef2 and taesana encoders, taef2's decoder) when a folder of them is given or
# ../shared/models exists (else they are downloaded on first use). Needs a JDK 17+ (jlink, jdeps), zip,
# binutils' strip, python3, and the project built (mvn -DskipTests package).
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

# The launcher: the checkout's own, which finds lib/, runtime/ and models/ beside its bin/.
cp "$root/scrim" "$dir/bin/scrim"
# The default protection's models (both encoders, and TAEF2's decoder, whose rendering it pulls too), by the names
# the engine's model store gives them (scrim info).
files="$("$dir/bin/scrim" info | python3 -c 'import json, sys
models = json.load(sys.stdin)["models"]
print(" ".join(f for m in models["default"] for f in models["files"][m]))')"
have=1
for f in $files; do [ -f "$models/$f" ] || have=0; done
if [ "$have" = 1 ]; then
  mkdir -p "$dir/models"
  for f in $files; do cp "$models/$f" "$dir/models/"; done
  [ -f "$models/LICENSE-taesd.txt" ] && cp "$models/LICENSE-taesd.txt" "$dir/models/"
fi
chmod 755 "$dir/bin/scrim"
cp "$root/packaging/README-bundle.txt" "$dir/README.txt"

tar -C "$stage" -cf - "$name" | gzip -9 > "$out/$name.tar.gz"
echo "$out/$name.tar.gz ($(du -m "$out/$name.tar.gz" | cut -f1) MiB)"
