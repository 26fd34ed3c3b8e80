#!/usr/bin/env bash
# Tests a bundle from bundle.sh as a clean machine would use it: under 60 MiB, unpacked into a fresh folder, run
# with a PATH that has no java (and no JAVA_HOME) and a fresh home, it protects a small image, and the result moved.
#   packaging/test-bundle.sh scrim-VERSION-linux-x64.tar.gz
set -euo pipefail
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
mib=$(( $(stat -c %s "$tarball") / 1048576 ))
[ "$mib" -lt 60 ] || { echo "test-bundle: $tarball is $mib MiB, over the 60 MiB aim"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xzf "$tarball" -C "$work"
scrim="$(echo "$work"/scrim-*/bin/scrim)"
# A PATH with only what the launcher uses: java must not be found there.
mkdir -p "$work/path" "$work/home"
for tool in sh dirname readlink; do ln -s "$(command -v "$tool")" "$work/path/$tool"; done
/usr/bin/python3 - "$work/small.png" <<'PY'
import random, struct, sys, zlib
rng, size = random.Random(7), 64
rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3)) for _ in range(size))
chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
models=""
[ -d "$(dirname "$scrim")/../models" ] || models="SCRIM_MODELS=$(cd "$(dirname "$0")/../.." && pwd)/shared/models"
report="$(env -i PATH="$work/path" HOME="$work/home" SCRIM_JAVA_OPTS="-Duser.home=$work/home" $models \
  sh -c 'if command -v java >/dev/null; then echo "java is on the test PATH" >&2; exit 9; fi; exec "$0" "$@"' \
  "$scrim" protect "$work/small.png" -o "$work/small.protected.png" --preset low --seed 1 --json)"
/usr/bin/python3 - "$report" <<'PY'
import json, sys
entry = json.loads(sys.argv[1])["files"][0]
assert entry["ok"] and entry["closeness"] > 0.05, entry
print("test-bundle: protected with no Java on PATH, closeness %.3f" % entry["closeness"])
PY
echo "test-bundle: ok ($mib MiB)"
