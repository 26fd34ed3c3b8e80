#!/usr/bin/env bash
# All tests of the Krita bridge, fastest first:
#   1. the Qt-free logic under plain Python (no Krita needed), the service client against a real `scrim serve`;
#   2. the package: build.sh's zip imported with Krita's own plugin importer;
#   3. kritarunner (no display): Krita's export, the QProcess runner (stand-in and real engine), placing results;
#   4. end to end: Krita under Xvfb, File > Export with Protect on Export on, checked with scrim verify and exiftool.
# Needs: krita, xvfb, python3-pyqt5, libimage-exiftool-perl, and the scrim launcher (built: mvn package).
#   plugin-krita-bridge/test.sh [SCRIM_LAUNCHER]      (default: the checkout's ./scrim)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
engine="$(cd "$(dirname "${1:-$here/../scrim}")" && pwd)/$(basename "${1:-$here/../scrim}")"
python="${PYTHON:-/usr/bin/python3}"   # Debian's python3, the one with PyQt5 and the one Krita embeds
work="$(mktemp -d /tmp/scrim-krita-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "== logic (plain Python)"
SCRIM_TEST_ENGINE="$engine" "$python" -m unittest discover -s "$here/tests" -p 'test_*.py'

echo "== package imports with Krita's plugin importer"
"$here/build.sh" >/dev/null
(cd /usr/share/krita/pykrita/plugin_importer && "$python" - "$here/target/scrim-krita.zip" "$work/import" <<'PY'
import builtins, os, sys
builtins.i18n = lambda text: text          # Krita's importer expects Krita's translation function
from plugin_importer import PluginImporter
os.makedirs(sys.argv[2])
imported = PluginImporter(sys.argv[1], sys.argv[2], lambda plugin: True).import_all()
assert [p["name"] for p in imported] == ["scrim"], imported
root = os.path.join(sys.argv[2], "pykrita")
for name in ("scrim.desktop", "scrim/__init__.py", "scrim/manual.html", "scrim/icons/scrim-shield.svg"):
    assert os.path.isfile(os.path.join(root, name)), "missing after import: " + name
print("imported:", imported[0]["ui_name"])
PY
)

echo "== kritarunner"
mkdir -p "$work/kr/home"
HOME="$work/kr/home" TMPDIR="$work/kr" XDG_CONFIG_HOME="$work/kr/home/.config" QT_QPA_PLATFORM=offscreen \
  PYTHONPATH="$here:$here/tests" timeout 600 kritarunner -s krunner_bridge -f __main__ \
  "$work/kr/run" "$here/../../shared/images/chelsea.png" "$engine" 2>&1 | grep -E '^(ok|FAIL|     |[0-9]+ failure|Traceback|  )'
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "kritarunner tests failed ($status)"; exit 1; }

echo "== end to end (Krita under Xvfb)"
"$here/tests/e2e.sh" "$engine" "$work/e2e"
if [ "${SCRIM_UPDATE_SCREENSHOTS:-0}" = 1 ]; then
  cp "$work"/e2e/out/krita-scrim-*.png "$here/docs/"
fi
echo "Krita bridge: all tests passed"
