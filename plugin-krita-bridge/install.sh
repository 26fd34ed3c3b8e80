#!/usr/bin/env bash
# Installs the Scrim plugin for the current user (or HOME=...), enables it, and links the engine beside it.
#   plugin-krita-bridge/install.sh [--engine DIR_OR_LAUNCHER]
# Without --engine, the launcher of this checkout (../scrim) is linked when it exists; the plugin also finds the
# engine through its settings, $SCRIM_HOME or PATH.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
engine="$here/.."
if [ "${1:-}" = "--engine" ]; then engine="${2:?--engine needs a folder or launcher}"; fi

"$here/build.sh" >/dev/null
data="${XDG_DATA_HOME:-$HOME/.local/share}/krita/pykrita"
config="${XDG_CONFIG_HOME:-$HOME/.config}/kritarc"
mkdir -p "$data" "$(dirname "$config")"
rm -rf "$data/scrim"
cp -r "$here/target/stage/scrim" "$data/scrim"
cp "$here/target/stage/scrim.desktop" "$data/scrim.desktop"

[ -f "$engine" ] && engine="$(dirname "$engine")"
if [ -x "$engine/scrim" ]; then
  ln -sfn "$(cd "$engine" && pwd)" "$data/scrim/engine"
else
  echo "install.sh: no scrim launcher in $engine; set the engine in Tools > Scrim > Scrim Settings..." >&2
fi

# Enable the plugin: set enable_scrim=true in [python], keeping everything else in kritarc as it is.
python3 - "$config" <<'PY'
import sys
path = sys.argv[1]
try:
    lines = open(path).read().splitlines()
except FileNotFoundError:
    lines = []
out, group, done = [], None, False
for line in lines:
    stripped = line.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        if group == "[python]" and not done:
            out.append("enable_scrim=true")
            done = True
        group = stripped
    elif group == "[python]" and stripped.split("=", 1)[0].strip() == "enable_scrim":
        if not done:
            out.append("enable_scrim=true")
            done = True
        continue
    out.append(line)
if not done:
    if group != "[python]":
        out += ["", "[python]"] if out else ["[python]"]
    out.append("enable_scrim=true")
open(path, "w").write("\n".join(out) + "\n")
PY
echo "Installed Scrim into $data and enabled it in $config; restart Krita."
