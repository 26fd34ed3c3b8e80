#!/usr/bin/env bash
# End-to-end: real Krita under Xvfb, the plugin installed and enabled in a fresh HOME, Protect on Export switched on
# in kritarc; the driver plugin (tests/e2e) opens a 256 px image and exports it with File > Export. Then the exported
# file must be protected (scrim verify, closeness above a floor) and tagged (exiftool). A second run with the engine
# gone must leave no file under the export's name and say NOT protected.
#   tests/e2e.sh SCRIM_LAUNCHER [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
engine="${1:?usage: e2e.sh SCRIM_LAUNCHER [WORK_DIR]}"
work="${2:-$(mktemp -d /tmp/scrim-krita-e2e.XXXXXX)}"
python="${PYTHON:-/usr/bin/python3}"  # Debian's, which has PyQt5 (a pyenv python3 may not)
floor="${SCRIM_E2E_CLOSENESS_FLOOR:-0.15}"  # measured 0.24 at 256 px, default preset (butteraugli 2.5)
mkdir -p "$work/home" "$work/tmp" "$work/out"
export HOME="$work/home" TMPDIR="$work/tmp" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
unset XDG_RUNTIME_DIR

"$here/../install.sh" --engine "$engine" >/dev/null
data="$XDG_DATA_HOME/krita/pykrita"
cp "$here/e2e/scrim_e2e.desktop" "$data/"
cp -r "$here/e2e/scrim_e2e" "$data/"
cp "$here/qt_events.py" "$data/scrim_e2e/"
cat >> "$XDG_CONFIG_HOME/kritarc" <<CONF
enable_scrim_e2e=true

[scrim]
protect_on_export=true
engine=$engine
CONF

# A 256 px copy keeps the engine quick; Krita opens it as a plain document, then File > Export writes a PNG beside.
"$python" - "${SCRIM_E2E_SOURCE:-$here/../../../shared/images/chelsea.png}" "$work/out/cat.png" <<'PY'
import sys
from PyQt5.QtGui import QImage
from PyQt5.QtCore import Qt
image = QImage(sys.argv[1])
assert not image.isNull(), "cannot read " + sys.argv[1]
image.scaled(256, 256, Qt.KeepAspectRatio, Qt.SmoothTransformation).save(sys.argv[2])
PY

export SCRIM_E2E_IMAGE="$work/out/cat.png" SCRIM_E2E_EXPORT="$work/out/cat-export.png"
export SCRIM_E2E_RESULT="$work/result.json" SCRIM_E2E_SHOTS="$work/out"
export SCRIM_E2E_WAIT_S="${SCRIM_E2E_WAIT_S:-240}"
status=0
xvfb-run -a -s "-screen 0 1280x800x24" timeout "$((SCRIM_E2E_WAIT_S + 60))" krita --nosplash >"$work/krita.log" 2>&1 \
  || status=$?
cat "$SCRIM_E2E_RESULT" 2>/dev/null || { echo "e2e: no result from Krita (exit $status); log:"; tail -30 "$work/krita.log"; exit 1; }
[ "$status" -eq 0 ] || { echo "e2e: Krita run failed (exit $status)"; tail -30 "$work/krita.log"; exit 1; }

python3 - "$SCRIM_E2E_RESULT" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["toggle_checked"], "Protect on Export was not checked from kritarc"
assert any("FileDialog" in d for d in r["dialogs"]), "File > Export did not show its file dialog: %s" % r["dialogs"]
menu = r["file_menu"]
assert menu.index("scrim_export_protected") == menu.index("file_export_file") + 1, "File menu: %s" % menu
assert not r.get("message_boxes"), "unexpected message boxes: %s" % r["message_boxes"]
assert r["outcome"].get("ok"), "protection did not succeed: %s" % r["outcome"]
assert "Scrim protected" in r["status_bar"], "status bar says: %r" % r["status_bar"]
assert "against the models checked" in (r.get("verdict_box") or ""), "no verdict window: %r" % r.get("verdict_box")
view = r.get("ai_view") or {}
assert view.get("opened") and view.get("new_documents") == 1, "the AI view did not open as a document: %s" % view
assert any(".ai-view.png" in t for t in view["titles"]) and not any("Not Saved" in t for t in view["titles"]), \
    "the AI view's tab is not named for what it is: %s" % view["titles"]
preview = r.get("preview") or {}
assert preview.get("first") and preview.get("after_slider"), "no preview, or none after the slider moved: %s" % preview
assert preview["status"].startswith("Fast preview at "), "the preview is not labelled as such: %s" % preview
folder = r.get("folder_dialog") or {}
assert folder.get("target", "").endswith("/out/protected") and folder.get("found", "").endswith("images to protect"), folder
PY
verify="$("$engine" verify "$SCRIM_E2E_IMAGE" "$SCRIM_E2E_EXPORT" --json)"
echo "$verify"
python3 - "$floor" "$verify" <<'PY'
import json, sys
floor, report = float(sys.argv[1]), json.loads(sys.argv[2])
entry = report["files"][0] if "files" in report else report
assert entry["closeness"] >= floor, "closeness %s below the floor %s" % (entry["closeness"], floor)
PY
tag="$(exiftool -s3 -XMP-plus:DataMining "$SCRIM_E2E_EXPORT")"
echo "DataMining: $tag"
case "$tag" in *PROHIBITED*|*[Pp]rohibited*) ;; *) echo "e2e: export not tagged"; exit 1;; esac
# A protection that cannot run (the engine set in Scrim Settings is gone): Krita's plain export must not stay under
# its name, nothing may be left beside it, and the warning must say NOT protected.
sed -i "s|^engine=.*|engine=$work/no-such-scrim|" "$XDG_CONFIG_HOME/kritarc"
export SCRIM_E2E_EXPORT="$work/out/cat-failed.png" SCRIM_E2E_RESULT="$work/result-failed.json" SCRIM_E2E_EXPECT=failure
export SCRIM_E2E_SHOTS="$work/shots-failed"       # keep the first run's screenshots; take only the warning from here
mkdir -p "$SCRIM_E2E_SHOTS"
status=0
xvfb-run -a -s "-screen 0 1280x800x24" timeout "$((SCRIM_E2E_WAIT_S + 60))" krita --nosplash \
  >"$work/krita-failed.log" 2>&1 || status=$?
cat "$SCRIM_E2E_RESULT" 2>/dev/null || { echo "e2e: no result from Krita (exit $status)"; tail -30 "$work/krita-failed.log"; exit 1; }
python3 - "$SCRIM_E2E_RESULT" "$SCRIM_E2E_EXPORT" <<'PY'
import json, os, sys
r, export = json.load(open(sys.argv[1])), sys.argv[2]
assert r["outcome"] and not r["outcome"]["ok"], "the protection did not fail: %s" % r["outcome"]
boxes = r.get("message_boxes", [])
assert any(b.startswith("NOT protected: ") and "No file was written to " + export in b for b in boxes), boxes
assert not os.path.exists(export), "the plain export stayed under its name " + export
left = [n for n in os.listdir(os.path.dirname(export)) if n.startswith(".scrim")]
assert not left, "left beside the export: %s" % left
print("e2e: a failed protection left no file and said: %r" % boxes[0])
PY
[ "$status" -eq 0 ] || { echo "e2e: Krita run failed (exit $status)"; tail -30 "$work/krita-failed.log"; exit 1; }
cp "$SCRIM_E2E_SHOTS/krita-scrim-not-protected.png" "$work/out/"
echo "e2e: ok ($work)"
