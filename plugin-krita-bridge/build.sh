#!/usr/bin/env bash
# Packages the plugin as target/scrim-krita.zip, the layout "Tools > Scripts > Import Python Plugin from File..."
# expects: scrim.desktop and the scrim/ package (with its icons and manual) at the top of the archive.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stage="$here/target/stage"
rm -rf "$stage" "$here/target/scrim-krita.zip"
mkdir -p "$stage/scrim/icons"
cp "$here/scrim.desktop" "$stage/"
cp "$here"/scrim/*.py "$here/scrim/manual.html" "$stage/scrim/"
cp "$here"/../icons/scrim-*.svg "$stage/scrim/icons/"
# Python's zipfile rather than zip(1), which is not always installed; directory entries matter to Krita's importer.
python3 - "$stage" "$here/target/scrim-krita.zip" <<'PY'
import os, sys, zipfile
stage, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, dirs, files in os.walk(stage):
        dirs.sort()
        rel = os.path.relpath(folder, stage)
        if rel != ".":
            z.write(folder, rel + "/")
        for name in sorted(files):
            z.write(os.path.join(folder, name), os.path.normpath(os.path.join(rel, name)))
PY
echo "$here/target/scrim-krita.zip"
