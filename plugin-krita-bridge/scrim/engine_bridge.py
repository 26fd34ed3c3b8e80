"""Talks to the scrim engine (the Java command line): settings, locating it, building commands, reading its output.

No Qt and no Krita in here, so this module is tested under plain Python and under kritarunner alike.
"""
import json
import math
import dataclasses
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Set

# The modes the dialogs know how to ask for (which fields each needs): the engine's own (`scrim info` "modes").
MODES = ("mask", "poison", "both")
# The engine's numbers and names (presets, efforts, decoys, the preview rule, formats) come from `scrim info`
# (EngineInfo): the plugin keeps no copy, so it never offers what the engine does not do.

# Every setting the plugin keeps, as Krita stores them: strings in the [scrim] group of kritarc.
DEFAULTS: Dict[str, str] = {
    "java": "",                 # path to a java executable; empty = JAVA_HOME, then PATH
    "engine": "",               # path to the scrim launcher or its install folder; empty = look it up
    "mode": "mask",
    "preset": "default",
    "max_visibility": "",       # a custom visibility bound from the strength slider; empty = the preset's
    "effort": "default",        # fast, default or max: more steps for more protection at the same visibility
    "threads": "0",             # 0 = let the engine decide
    "protect_on_export": "false",
    "keep_service": "true",     # keep `scrim serve` running between exports: the model is loaded once per session
    "keep_unprotected": "false",    # Protect on Export failed: keep Krita's plain export as NAME.unprotected.EXT
    "decoy": "auto",
    "decoy_image": "",
    "anchors": "",              # os.pathsep-separated files or folders (poison mode)
    "tags": "true",
    "creator": "",
    "rights": "",
    "result_as": "a new document",  # Protect Current Image: "a new document" or "a new layer"
}

# Exit codes of `scrim` (see `scrim --help`).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_MODEL = 0, 1, 2, 3


class BridgeError(Exception):
    """A problem the user must fix (missing Java or engine, bad setting, unreadable engine output)."""


class SetupError(BridgeError):
    """Java or the engine is missing or wrongly set: fixed in Scrim Settings, which the message outside that dialog
    points to (inside it, it would point at itself)."""


# Where to get the engine, for the message when it is missing (see README: the self-contained bundle); the caller
# adds where to set it, which differs inside and outside Scrim Settings.
ENGINE_SOURCE = ("Get the Scrim engine for your system (scrim-VERSION-linux-x64.tar.gz: it brings its own Java) "
                 "and unpack it into ~/.local/share/scrim")


def _as_bool(text: str) -> bool:
    return str(text).strip().lower() in ("true", "1", "yes", "on")


class EngineInfo:
    """What `scrim info` says of the engine: presets, efforts, decoys, the preview rule, working sizes, formats, the
    service's state file. Read with `info()`; the dialogs take their choices and numbers from here."""

    def __init__(self, doc: Mapping):
        try:
            self.presets = tuple(str(p["name"]) for p in doc["presets"])
            self._bounds = {str(p["name"]): float(p["max_visibility"]) for p in doc["presets"]}
            self._largest = [(float(p["largest_bound_taking_it"]), str(p["name"])) for p in doc["presets"]]
            self._steps = {str(e["name"]): {str(k): int(v) for k, v in e["steps"].items()} for e in doc["efforts"]}
            self.efforts = tuple(self._steps)
            self.decoys = tuple(str(d) for d in doc["decoys"])
            self.max_visibility = float(doc["max_visibility"])
            self.work_size = int(doc["work_size"]["default"])
            self.min_work_size = int(doc["work_size"]["min"])
            self.largest_view = max(int(r) for r in doc["views"]["resolutions"])
            preview = doc["preview"]
            self.preview_steps = int(preview["steps"])
            self.preview_side = int(preview["side"])
            self.preview_max_side = int(preview["max_side"])
            self.reads = tuple("." + ext for ext in doc["formats"]["reads"])
            self.writes = tuple("." + ext for ext in doc["formats"]["writes"])
            self.state_file = str(doc["service_state_file"])
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise BridgeError("the engine's `scrim info` lacks %s: plugin and engine versions may not match" % e)

    def bound(self, preset: str) -> float:
        """The preset's own visibility bound."""
        return self._bounds[preset]

    def preset_taking(self, visibility: float) -> str:
        """The preset a bound on the strength scale takes (the engine's rule, as `scrim info` states its ranges)."""
        for largest, name in self._largest:
            if visibility <= largest + 1e-9:
                return name
        return self._largest[-1][1]

    def steps(self, preset: str, effort: str) -> int:
        """The optimisation steps of a preset at an effort."""
        return self._steps[effort][preset]


def info(engine: str, env: Mapping[str, str], run: Callable = subprocess.run) -> EngineInfo:
    """Asks the engine (`scrim info`) for its presets, decoys, preview rule, formats and state file."""
    try:
        done = run([engine, "info"], env=dict(env), capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise BridgeError("`scrim info` failed: %s" % (done.stderr.strip() or "exit %d" % done.returncode))
        return EngineInfo(json.loads(done.stdout))
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        raise BridgeError("cannot ask the engine what it offers (%s)" % e) from e


@dataclass
class ProtectOptions:
    """What `scrim protect` is asked to do, independent of input and output paths. The strength is a preset, or a
    custom visibility bound (then the engine takes the preset nearest it), and an effort."""
    mode: str = "mask"
    preset: str = "default"
    effort: str = "default"
    decoy: str = "auto"
    decoy_image: str = ""
    anchors: List[str] = field(default_factory=list)
    tags: bool = True
    creator: str = ""
    rights: str = ""
    threads: int = 0
    seed: Optional[int] = None
    max_visibility: Optional[float] = None  # overrides the preset's visibility bound
    steps: Optional[int] = None             # None: the preset's
    work_size: Optional[int] = None         # None: the engine's default
    verify: bool = True

    def validate(self) -> None:
        if self.mode not in MODES:
            raise BridgeError("mode must be one of %s, not %r" % ("|".join(MODES), self.mode))
        if self.max_visibility is not None and not 0 < self.max_visibility <= 1:
            raise BridgeError("the visibility bound must be above 0 and at most 1, not %r" % self.max_visibility)
        if self.threads < 0:
            raise BridgeError("threads must be 0 (automatic) or more, not %d" % self.threads)
        if self.decoy_image and not os.path.isfile(self.decoy_image):
            raise BridgeError("decoy image %s does not exist" % self.decoy_image)
        for anchor in self.anchors:
            if not os.path.exists(anchor):
                raise BridgeError("anchor %s does not exist" % anchor)
        if self.mode in ("poison", "both") and not self.anchors:
            raise BridgeError("mode %s needs at least one anchor image or folder" % self.mode)

    def visibility(self, engine: EngineInfo) -> float:
        """The visibility bound this protection keeps to."""
        return self.max_visibility if self.max_visibility is not None else engine.bound(self.preset)


def strength(engine: EngineInfo, visibility: float):
    """(preset, max_visibility) for a bound on the strength slider: the preset the engine takes for it, with the
    bound itself unless it is that preset's own (then None)."""
    preset = engine.preset_taking(visibility)
    return preset, None if math.isclose(visibility, engine.bound(preset), abs_tol=1e-4) else visibility


def describe_strength(engine: EngineInfo, visibility: float, effort: str = "default") -> str:
    """What the slider's position and the effort mean, in words, with the time against the default effort (the
    steps are nearly all of a protection's time)."""
    preset, custom = strength(engine, visibility)
    steps, usual = engine.steps(preset, effort), engine.steps(preset, "default")
    words = ("%s (visibility bound %.2f)" % (preset, visibility) if custom is None
             else "custom: visibility bound %.3f (nearest preset: %s)" % (visibility, preset))
    words += ", %d steps" % steps
    if steps != usual:
        words += " (about %.1fx the default effort's time)" % (steps / usual)
    return words


def preview_crop(engine: EngineInfo, width: int, height: int):
    """(x, y, w, h, crop work size) of the preview, by the engine's preview rule (Preview.java, through `scrim
    info`): a crop around the centre, shown at 1:1, protected at the scale the whole image is, so the preview's
    texture is the export's; on a large image the crop grows (up to its largest) until its working size reaches the
    engine's smallest. The whole image's change is shrunk to the working size and to the largest trainer view's area
    (the engine's rule, through `scrim info`'s work size and views)."""
    scale = min(1.0, engine.work_size / max(width, height, 1), engine.largest_view / math.sqrt(max(width * height, 1)))
    side = min(engine.preview_max_side, max(engine.preview_side, math.ceil(engine.min_work_size / scale)))
    w, h = min(side, width), min(side, height)
    return (width - w) // 2, (height - h) // 2, w, h, max(engine.min_work_size, math.floor(max(w, h) * scale + 0.5))


def preview_options(engine: EngineInfo, options: ProtectOptions, crop_work_size: int) -> ProtectOptions:
    """The same choices as a fast preview: the engine's preview steps, no verification, no metadata."""
    return dataclasses.replace(options, steps=engine.preview_steps, work_size=crop_work_size, verify=False,
                               tags=False, creator="", rights="")


@dataclass
class Settings:
    """The plugin's persistent settings, read through any `read(key, default) -> str` (Krita's readSetting).

    A loaded Settings is a snapshot that may be held while a dialog is open; `save` writes back only the keys set on
    it, so a snapshot never undoes what another writer stored meanwhile (Protect on Export switched on while the
    protection dialog was open must stay on)."""
    values: Dict[str, str]
    written: Set[str] = field(default_factory=set, compare=False, repr=False)     # the keys `set` on it

    @classmethod
    def load(cls, read: Callable[[str, str], str]) -> "Settings":
        return cls({key: read(key, default) or default for key, default in DEFAULTS.items()})

    def save(self, write: Callable[[str, str], None]) -> None:
        for key in sorted(self.written):
            write(key, self.values[key])

    def get(self, key: str) -> str:
        return self.values.get(key, DEFAULTS[key])

    def set(self, key: str, value) -> None:
        if key not in DEFAULTS:
            raise KeyError("unknown scrim setting %r" % key)
        self.values[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
        self.written.add(key)

    @property
    def protect_on_export(self) -> bool:
        return _as_bool(self.get("protect_on_export"))

    @property
    def keep_service(self) -> bool:
        return _as_bool(self.get("keep_service"))

    @property
    def keep_unprotected(self) -> bool:
        return _as_bool(self.get("keep_unprotected"))

    def options(self) -> ProtectOptions:
        try:
            threads = int(self.get("threads") or 0)
        except ValueError:
            raise BridgeError("threads setting %r is not a number" % self.get("threads"))
        try:
            max_visibility = float(self.get("max_visibility")) if self.get("max_visibility") else None
        except ValueError:
            raise BridgeError("max_visibility setting %r is not a number" % self.get("max_visibility"))
        return ProtectOptions(
            mode=self.get("mode"), preset=self.get("preset"), max_visibility=max_visibility,
            effort=self.get("effort") or "default",
            decoy=self.get("decoy") or "auto", decoy_image=self.get("decoy_image"),
            anchors=[a for a in self.get("anchors").split(os.pathsep) if a],
            tags=_as_bool(self.get("tags")), creator=self.get("creator"), rights=self.get("rights"),
            threads=threads)

    def store_options(self, options: ProtectOptions) -> None:
        """Remembers the choices of a dialog as the next defaults."""
        self.set("mode", options.mode)
        self.set("preset", options.preset)
        self.set("max_visibility", "" if options.max_visibility is None else "%.4f" % options.max_visibility)
        self.set("effort", options.effort)
        self.set("decoy", options.decoy)
        self.set("decoy_image", options.decoy_image)
        self.set("anchors", os.pathsep.join(options.anchors))
        self.set("tags", options.tags)
        self.set("creator", options.creator)
        self.set("rights", options.rights)


# ---- finding Java and the engine -------------------------------------------------------------------------------

LAUNCHER = "scrim"


def _launcher_in(path: str) -> Optional[str]:
    """The launcher itself, or the launcher inside an install folder (`DIR/scrim` or `DIR/bin/scrim`)."""
    if os.path.isfile(path):
        return path if os.access(path, os.X_OK) else None
    for candidate in (os.path.join(path, LAUNCHER), os.path.join(path, "bin", LAUNCHER)):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def data_home(env: Mapping[str, str]) -> str:
    """Where the self-contained engine is unpacked: $XDG_DATA_HOME/scrim, by default ~/.local/share/scrim."""
    base = env.get("XDG_DATA_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "scrim")


def bundled_java(engine: str) -> Optional[str]:
    """The Java runtime the self-contained engine carries (`runtime/` beside its `bin/`), or None."""
    java = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(engine))), "runtime", "bin", "java")
    return java if os.path.isfile(java) and os.access(java, os.X_OK) else None


def locate_engine(settings: Settings, env: Mapping[str, str], plugin_dir: str,
                  which: Callable[[str], Optional[str]] = shutil.which) -> str:
    """Settings, then $SCRIM_HOME, then `scrim` on PATH, then a launcher next to the installed plugin, then the
    self-contained engine in ~/.local/share/scrim."""
    tried = []
    configured = settings.get("engine")
    if configured:
        found = _launcher_in(os.path.expanduser(configured))
        if found:
            return found
        # A configured path that does not work is a mistake to report, not to paper over with a fallback.
        raise SetupError("the Scrim engine set in Scrim Settings (%s) is not the scrim program or a folder "
                         "holding it" % configured)
    home = env.get("SCRIM_HOME")
    if home:
        found = _launcher_in(home)
        if found:
            return found
        tried.append("$SCRIM_HOME=%s (no executable %s in it)" % (home, LAUNCHER))
    else:
        tried.append("$SCRIM_HOME (not set)")
    on_path = which(LAUNCHER)
    if on_path:
        return on_path
    tried.append("'%s' on PATH" % LAUNCHER)
    beside = os.path.join(plugin_dir, "engine")
    found = _launcher_in(beside)
    if found:
        return found
    tried.append(beside)
    unpacked = data_home(env)
    found = _launcher_in(unpacked)
    if found:
        return found
    tried.append(unpacked)
    raise SetupError("the Scrim engine is not installed (looked in " + ", ".join(tried) + ")")


def locate_java(settings: Settings, env: Mapping[str, str],
                which: Callable[[str], Optional[str]] = shutil.which) -> str:
    """Settings, then $JAVA_HOME/bin/java, then `java` on PATH."""
    configured = settings.get("java")
    if configured:
        path = os.path.expanduser(configured)
        if os.path.isdir(path):
            path = os.path.join(path, "bin", "java")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise SetupError("the Java set in Scrim Settings (%s) is not an executable java" % configured)
    java_home = env.get("JAVA_HOME")
    if java_home:
        path = os.path.join(java_home, "bin", "java")
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    on_path = which("java")
    if on_path:
        return on_path
    raise SetupError("cannot find Java 17 or later (not set in Scrim Settings, not in $JAVA_HOME, not on PATH)")


def locate(settings: Settings, env: Mapping[str, str], plugin_dir: str,
           which: Callable[[str], Optional[str]] = shutil.which):
    """(engine launcher, its environment): the self-contained engine runs its own Java, any other gets the Java
    from settings, $JAVA_HOME or PATH put first on its PATH."""
    engine = locate_engine(settings, env, plugin_dir, which)
    java = bundled_java(engine) or locate_java(settings, env, which)
    return engine, engine_environment(env, java)


def engine_environment(base: Mapping[str, str], java: str) -> Dict[str, str]:
    """The environment for the launcher, which runs `java` from PATH: put the chosen Java first."""
    env = dict(base)
    java_bin = os.path.dirname(os.path.abspath(java))
    env["PATH"] = java_bin + os.pathsep + base.get("PATH", "")
    env["JAVA_HOME"] = os.path.dirname(java_bin)
    return env


# ---- building the command --------------------------------------------------------------------------------------

def protect_command(engine: str, source: str, output: str, options: ProtectOptions,
                    out_dir: bool = False) -> List[str]:
    """argv for `scrim protect`, always asking for progress lines on stderr and a JSON report on stdout. With
    `out_dir`, `source` is a folder and `output` the folder its protected images go to."""
    options.validate()
    argv = [engine, "protect", source, "--out-dir" if out_dir else "-o", output, "--mode", options.mode]
    # The strength as the user set it: the engine makes the request from it by the rule every front end shares.
    if options.max_visibility is not None:
        argv += ["--max-visibility", "%.4f" % options.max_visibility]
    else:
        argv += ["--preset", options.preset]
    if options.effort != "default":
        argv += ["--effort", options.effort]
    if options.steps is not None:
        argv += ["--steps", str(options.steps)]
    if options.work_size is not None:
        argv += ["--work-size", str(options.work_size)]
    if not options.verify:
        argv.append("--no-verify")
    if options.decoy_image:
        argv += ["--decoy-image", options.decoy_image]
    elif options.decoy:
        argv += ["--decoy", options.decoy]
    if options.mode in ("poison", "both"):
        for anchor in options.anchors:
            argv += ["--anchor", anchor]
    if options.seed is not None:
        argv += ["--seed", str(options.seed)]
    if not options.tags:
        argv.append("--no-tags")
    if options.creator:
        argv += ["--creator", options.creator]
    if options.rights:
        argv += ["--rights", options.rights]
    if options.threads > 0:
        argv += ["--threads", str(options.threads)]
    argv += ["--progress", "lines", "--json"]
    return argv


def verify_command(engine: str, original: str, protected: str, ai_view: str, options: ProtectOptions,
                   decoy: Optional[str]) -> List[str]:
    """argv for `scrim verify` writing the AI view: what the model renders of the original and of the protected
    image, side by side, into `ai_view`. The protection's target is given (`decoy`: the one the engine used), so a
    file saved without Scrim's metadata is verified against it too."""
    argv = [engine, "verify", original, protected, "--ai-view", ai_view, "--json"]
    if options.decoy_image:
        argv += ["--decoy-image", options.decoy_image]
    elif decoy:
        argv += ["--decoy", decoy]
    if options.mode in ("poison", "both"):
        for anchor in options.anchors:
            argv += ["--anchor", anchor]
    if options.seed is not None:
        argv += ["--seed", str(options.seed)]
    return argv


# ---- reading the engine's output -------------------------------------------------------------------------------

@dataclass
class Event:
    kind: str                  # "progress", "phase" or "text"
    step: int = 0
    total: int = 0
    text: str = ""


class ProgressParser:
    """Turns the engine's stderr, arriving in arbitrary chunks, into events; keeps other lines for error messages."""

    def __init__(self, keep_lines: int = 40):
        self._pending = ""
        self._keep = keep_lines
        self.other_lines: List[str] = []

    def feed(self, chunk: str) -> List[Event]:
        self._pending += chunk
        *lines, self._pending = self._pending.split("\n")
        return [e for e in (self._parse(line.rstrip("\r")) for line in lines) if e is not None]

    def finish(self) -> List[Event]:
        rest, self._pending = self._pending, ""
        event = self._parse(rest.rstrip("\r"))
        return [event] if event is not None else []

    def _parse(self, line: str) -> Optional[Event]:
        if not line.strip():
            return None
        parts = line.split()
        if parts[0] == "progress" and len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            return Event("progress", step=int(parts[1]), total=int(parts[2]))
        if parts[0] == "phase" and len(parts) >= 2:
            return Event("phase", text=line.split(None, 1)[1].strip())
        self.other_lines.append(line)
        del self.other_lines[:-self._keep]
        return Event("text", text=line)


class StepClock:
    """Steps done of total and the time the steps have left, from the pace since the first step seen (the model load
    and the decoy choice before it are not steps). The finishing and the check after the last step take from a few
    seconds to as long as the steps (the check reads every trainer view), so the text says they follow rather than
    add a guess: a figure that read as the whole time left ran out seconds before the result came."""

    def __init__(self):
        self._first = None          # (time, step) of the first report
        self._last = 0

    def describe(self, step: int, total: int, now: float) -> str:
        # Steps that go back are a new run (the next image of a folder): its pace starts afresh.
        if self._first is None or step < self._last:
            self._first = (now, step)
        self._last = step
        text = "step %d of %d" % (step, total)
        since, first_step = self._first
        if step > first_step and total > step:
            left = (now - since) / (step - first_step) * (total - step)
            text += ", about %s of steps left, then finishing and checking" % (
                "%d s" % round(left) if left < 90 else "%d min" % round(left / 60))
        return text


@dataclass
class FileResult:
    input: str
    output: str
    ok: bool
    error: Optional[str] = None
    closeness: Optional[float] = None
    closeness_jpeg75: Optional[float] = None
    closeness_downscale: Optional[float] = None
    psnr: Optional[float] = None
    ssim: Optional[float] = None
    visibility: Optional[float] = None
    butteraugli: Optional[float] = None     # butteraugli's max distance: about 1.0 is just noticeable
    seen: Optional[str] = None              # how visible the change is, in words: "invisible at 100%", ...
    seconds: Optional[float] = None
    decoy: Optional[str] = None             # the decoy style the engine used (its choice, for "auto")
    verdict: Optional[str] = None           # "moderate against the models checked (taef2)"
    verdict_meaning: Optional[str] = None   # one line on what that means for the artist

    def summary(self) -> str:
        """One line for a status bar: what was done and how well it held."""
        name = os.path.basename(self.output or self.input)
        if not self.ok:
            return "Scrim could not protect %s: %s" % (name, self.error or "unknown error")
        verdict = "%s; " % self.verdict if self.verdict else ""
        return "Scrim protected %s: %s%s" % (name, verdict, self.figures() or "done")

    def figures(self) -> str:
        """The measured figures, in one line."""
        figures = []
        if self.closeness is not None:
            robust = ", ".join("%s %.2f" % (label, value) for label, value in
                               (("JPEG 75", self.closeness_jpeg75), ("downscaled", self.closeness_downscale))
                               if value is not None)
            figures.append("closeness %.2f%s" % (self.closeness, " (%s)" % robust if robust else ""))
        if self.psnr is not None:
            figures.append("PSNR %.1f dB" % self.psnr)
        if self.ssim is not None:
            figures.append("SSIM %.3f" % self.ssim)
        if self.seen is not None:
            figures.append("%s (butteraugli %.1f)" % (self.seen, self.butteraugli) if self.butteraugli is not None
                           else self.seen)
        if self.visibility is not None:
            figures.append("visibility %.3f" % self.visibility)
        if self.seconds is not None:
            figures.append("%.1f s" % self.seconds)
        return ", ".join(figures)


def _number(entry: Mapping, key: str) -> Optional[float]:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BridgeError("engine report: %r is not a number for %s" % (value, key))
    return float(value)


def _text(entry: Mapping, key: str) -> Optional[str]:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise BridgeError("engine report: %r is not text for %s" % (value, key))
    return value


def parse_report(stdout: str) -> List[FileResult]:
    """Reads the `--json` report: {"files": [{"input", "output", "ok", "error", figures...}]}."""
    text = stdout.strip()
    if not text:
        raise BridgeError("the engine printed no report")
    try:
        report = json.loads(text)
    except ValueError as e:
        raise BridgeError("the engine's report is not JSON (%s): %s" % (e, text[:200]))
    files = report.get("files") if isinstance(report, dict) else None
    if not isinstance(files, list):
        raise BridgeError("the engine's report has no \"files\" list: %s" % text[:200])
    results = []
    for entry in files:
        if not isinstance(entry, dict) or "ok" not in entry:
            raise BridgeError("the engine's report has a malformed file entry: %r" % (entry,))
        results.append(FileResult(
            input=str(entry.get("input", "")), output=str(entry.get("output") or ""), ok=bool(entry["ok"]),
            error=entry.get("error"), decoy=_text(entry, "decoy"),
            verdict=_text(entry, "verdict"), verdict_meaning=_text(entry, "verdict_meaning"), seen=_text(entry, "seen"),
            **{key: _number(entry, key) for key in ("closeness", "closeness_jpeg75", "closeness_downscale",
                                                    "psnr", "ssim", "visibility", "butteraugli", "seconds")}))
    return results


def explain_exit(code: int, stderr_lines: Iterable[str]) -> str:
    """A sentence for a failed run, with the engine's own last words."""
    meaning = {EXIT_FAILED: "the image could not be protected",
               EXIT_USAGE: "the engine did not accept the command (plugin and engine versions may not match)",
               EXIT_MODEL: "the engine could not load its AI model (it is downloaded once, on first use: check the "
                           "internet connection)"}
    detail = " ".join(line.strip() for line in list(stderr_lines)[-3:])
    text = meaning.get(code, "the engine stopped with exit code %d" % code)
    return text + (": " + detail if detail else "")
