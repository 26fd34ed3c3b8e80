"""Decisions about saved files: is this save an export Scrim should protect, and where does a safe temp file go.

No Qt and no Krita in here (tested under plain Python).
"""
import os
import shutil
import tempfile
import uuid
from typing import Iterable, List, Optional


def _norm(path: str) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path))) if path else ""


def is_supported(path: str, extensions: Iterable[str]) -> bool:
    """Whether the path ends in one of `extensions` (".png", ...: the engine's, from `engine_bridge.formats`)."""
    return os.path.splitext(path)[1].lower() in tuple(extensions)


def file_filter(extensions: Iterable[str]) -> str:
    """A Qt file dialog filter for these extensions."""
    return "Images (%s)" % " ".join("*" + e for e in extensions)


def images_in(folder: str, extensions: Iterable[str]) -> List[str]:
    """The images `scrim protect FOLDER` takes: files directly in it with one of `extensions` (the engine's
    readable ones), not hidden, not earlier results."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names if not n.startswith(".") and ".protected." not in n
            and is_supported(n, extensions) and os.path.isfile(os.path.join(folder, n))]


def is_export(saved_path: str, document_paths: Iterable[str]) -> bool:
    """Krita reports saves and exports alike; an export writes a file that is no open document's own file."""
    saved = _norm(saved_path)
    return bool(saved) and all(_norm(p) != saved for p in document_paths if p)


class SaveGuard:
    """Paths the plugin writes itself (temp exports, protected results), so their imageSaved is not acted on."""

    def __init__(self):
        self._paths = {}                 # normalised path -> number of claims (all on Krita's GUI thread)

    def claim(self, path: str) -> None:
        key = _norm(path)
        self._paths[key] = self._paths.get(key, 0) + 1

    def release(self, path: str) -> None:
        key = _norm(path)
        left = self._paths.get(key, 0) - 1
        if left > 0:
            self._paths[key] = left
        else:
            self._paths.pop(key, None)

    def holds(self, path: str) -> bool:
        return _norm(path) in self._paths


def decide_on_save(saved_path: str, document_paths: Iterable[str], enabled: bool, guard: SaveGuard,
                   readable: Optional[Iterable[str]]) -> Optional[str]:
    """None when the saved file should be protected in place, else the reason it is left alone. `readable`: the
    extensions the engine reads (one it cannot write back, WebP, goes to it all the same, so the artist hears why
    the export is not protected); None when the engine could not be asked, so that the protection says why."""
    if not enabled:
        return "Protect on Export is off"
    if guard.holds(saved_path):
        return "written by Scrim itself"
    if readable is not None and not is_supported(saved_path, readable):
        return "not a format Scrim protects (%s)" % ", ".join(e[1:] for e in readable)
    if not is_export(saved_path, document_paths):
        return "a save of the document itself, not an export"
    return None


def unwritable_folder(target: str) -> Optional[str]:
    """The folder `target` would go into when Scrim cannot write there (missing, read-only), else None: checked
    before the protection runs, not found out after it."""
    folder = os.path.dirname(os.path.abspath(target))
    return None if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK) else folder


def temp_beside(target: str, tag: str = "scrim") -> str:
    """A hidden file in the target's folder with the same extension, so a rename onto the target is atomic and the
    engine picks the same format."""
    folder, name = os.path.split(os.path.abspath(target))
    stem, ext = os.path.splitext(name)
    return os.path.join(folder, ".%s.%s-%s%s" % (stem, tag, uuid.uuid4().hex[:8], ext))


def set_aside(export: str) -> str:
    """Moves Krita's plain export off its final name at once, into a private (0700) folder beside it, and returns
    where it went: nothing unprotected sits under the final name while the protection runs, and the same file system
    keeps the moves renames."""
    folder = tempfile.mkdtemp(prefix=".scrim-plain-", dir=os.path.dirname(os.path.abspath(export)))
    plain = os.path.join(folder, os.path.basename(export))
    try:
        os.replace(export, plain)
    except OSError:
        os.rmdir(folder)
        raise
    return plain


def unprotected_name(target: str) -> str:
    """Where a plain export is kept when its protection failed and the user asked to keep it: a name that says so."""
    stem, ext = os.path.splitext(target)
    return stem + ".unprotected" + ext


def ai_view_name(target: str) -> str:
    """The name the AI view's document carries: beside the protected file, saying what it is, and not a file that
    exists, so Krita's Save writes it there as a new file and never over another. Empty where the protected file's
    folder is gone or not writable (Protect Current Image works in a temporary folder): Save then asks where."""
    if unwritable_folder(target):
        return ""
    stem = os.path.splitext(target)[0] + ".ai-view"
    name, n = stem + ".png", 1
    while os.path.lexists(name):
        n += 1
        name = "%s-%d.png" % (stem, n)
    return name


def settle_unprotected(plain: str, target: str, keep: bool) -> str:
    """After a failed protection of an export: drops the plain copy set aside, or keeps it under a name that says it
    is unprotected. Returns the sentence telling the user where things are."""
    try:
        if keep:
            kept = unprotected_name(target)
            os.replace(plain, kept)
            return "The plain export is kept as %s (NOT protected)." % kept
        return "No file was written to %s." % target
    finally:
        shutil.rmtree(os.path.dirname(plain), ignore_errors=True)
