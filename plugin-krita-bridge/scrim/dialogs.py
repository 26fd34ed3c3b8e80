"""The plugin's dialogs: protection choices for one run (with a preview), a folder to protect, the verdict after a
protection, and the persistent Scrim settings."""
import os
import shutil
import tempfile

from PyQt5.QtCore import Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QFont, QPixmap
from PyQt5.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                             QGridLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSlider,
                             QSpinBox, QVBoxLayout, QWidget)

from . import engine_bridge, policy

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.tif *.tiff *.webp)"


def _path_row(edit, pick):
    """A line edit with a "..." button beside it that fills it through `pick()`."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton("...")
    button.setMaximumWidth(32)

    def on_click():
        chosen = pick()
        if chosen:
            edit.setText(chosen)

    button.clicked.connect(on_click)
    layout.addWidget(edit)
    layout.addWidget(button)
    return row


def _combo(values, current):
    combo = QComboBox()
    combo.addItems(values)
    combo.setCurrentText(current if current in values else values[0])
    return combo


# The strength slider counts thousandths of the visibility bound (SSIMULACRA), from the lowest preset's to the
# highest's; its ticks are the presets.
_SLIDER_SCALE = 1000


class StrengthSlider(QWidget):
    """The engine's presets as one slider with a continuous visibility bound; the label says what the position means
    at the effort chosen beside it."""

    changed = pyqtSignal()

    def __init__(self, engine, preset, max_visibility, parent=None):
        super().__init__(parent)
        self._engine = engine
        self.effort = "default"
        bounds = sorted(engine.bound(p) for p in engine.presets)
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("scrim_strength")
        self.slider.setRange(round(bounds[0] * _SLIDER_SCALE), round(bounds[-1] * _SLIDER_SCALE))
        self.slider.setTickPosition(QSlider.TicksBelow)
        self.slider.setTickInterval(round((bounds[1] - bounds[0]) * _SLIDER_SCALE))
        self.slider.setSingleStep(5)
        self.slider.setPageStep(10)
        self.slider.setToolTip("Stronger moves what the model sees further, and is more visible. The marks are the "
                               "presets low, default and high; between them the visibility bound is yours.")
        self.label = QLabel()
        ends = QHBoxLayout()
        ends.addWidget(QLabel("gentler"))
        ends.addStretch(1)
        ends.addWidget(QLabel("stronger"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider)
        layout.addLayout(ends)
        layout.addWidget(self.label)
        visibility = max_visibility if max_visibility is not None else engine.bound(preset)
        self.slider.setValue(round(visibility * _SLIDER_SCALE))
        self.slider.valueChanged.connect(self._moved)
        self._moved()

    def visibility(self):
        return self.slider.value() / _SLIDER_SCALE

    def set_effort(self, effort):
        self.effort = effort
        self._moved()

    def _moved(self):
        self.label.setText(engine_bridge.describe_strength(self._engine, self.visibility(), self.effort))
        self.changed.emit()


class PreviewPane(QWidget):
    """The protected look at 1:1 on a crop, beside the original: a fast preview (a few optimisation steps), redone
    shortly after any choice changes. `make_job(source, target, options)` gives a job (runner.Job) that has not
    started, or raises engine_bridge.BridgeError."""

    shown = pyqtSignal(str)         # the preview's file, once on screen (for tests and screenshots)
    DELAY_MS = 400                  # a slider dragged through many values runs once, when it rests

    def __init__(self, engine, crop, crop_work_size, make_job, options, parent=None):
        super().__init__(parent)
        self.setObjectName("scrim_preview")
        self._engine = engine
        self._crop = crop
        self._work_size = crop_work_size
        self._make_job = make_job
        self._options = options         # () -> ProtectOptions, or raises BridgeError
        self._folder = tempfile.mkdtemp(prefix="scrim-preview-")
        self._runs = 0
        self._job = None
        original = QPixmap(crop)
        self.original = QLabel()
        self.original.setPixmap(original)
        self.original.setFixedSize(original.size())
        self.protected = QLabel("")
        self.protected.setObjectName("scrim_preview_protected")
        self.protected.setFixedSize(original.size())
        self.protected.setAlignment(Qt.AlignCenter)
        self.protected.setStyleSheet("background: palette(mid)")
        self.status = QLabel()
        self.status.setObjectName("scrim_preview_status")
        self.status.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Original (1:1)"), 0, 0)
        grid.addWidget(QLabel("Protected: fast preview, %d steps" % self._engine.preview_steps), 0, 1)
        grid.addWidget(self.original, 1, 0)
        grid.addWidget(self.protected, 1, 1)
        grid.addWidget(self.status, 2, 0, 1, 2)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run)

    def _say(self, text):
        """Sets the caption under the images. A window's minimum size leaves out the lines a word-wrapped label needs
        at its width, so the dialog would lay a longer caption over the images: its height at the narrowest the pane
        gets (the images' width, fixed) is made its minimum, which the dialog keeps to."""
        self.status.setText(text)
        self.status.setMinimumHeight(self.status.heightForWidth(self.layout().minimumSize().width()))

    def request(self):
        """Redo the preview once the choices rest."""
        self._timer.start(self.DELAY_MS)

    def _run(self):
        self._stop()
        try:
            options = engine_bridge.preview_options(self._engine, self._options(), self._work_size)
            options.validate()
            self._runs += 1
            target = os.path.join(self._folder, "preview-%d.png" % self._runs)
            job = self._make_job(self._crop, target, options)
        except engine_bridge.BridgeError as e:
            self._say("No preview: %s" % e)
            return
        self._job = job
        bound = options.visibility(self._engine)
        job.succeeded.connect(lambda result: self._show(job, result, bound))
        job.failed.connect(lambda message: self._failed(job, message))
        self._say("Computing the preview (%d steps)..." % self._engine.preview_steps)
        job.start()

    def _show(self, job, result, bound):
        if job is not self._job:
            return
        self._job = None
        self.protected.setPixmap(QPixmap(result.output))
        self._say("Fast preview at %d steps, visibility bound %.3f%s. The export optimises longer: the "
                            "look is close, the protection stronger." % (
                                self._engine.preview_steps, bound,
                                ", decoy %s" % result.decoy if result.decoy else ""))
        self.shown.emit(result.output)

    def _failed(self, job, message):
        if job is self._job:
            self._job = None
            if message:
                self._say("No preview: %s" % message)

    def _stop(self):
        job, self._job = self._job, None
        if job is not None:
            job.cancel()

    def close_down(self):
        """Stops a running preview and removes its files."""
        self._timer.stop()
        self._stop()
        shutil.rmtree(self._folder, ignore_errors=True)


class ProtectDialog(QDialog):
    """Mode, strength, effort, decoy, anchors and tags for one protection run; starts from the saved defaults. With
    `preview` (crop, crop work size, make_job), a fast preview of the protected look beside the original. `engine`
    is what `scrim info` says (engine_bridge.EngineInfo)."""

    RESULT_CHOICES = ("a new document", "a new layer")

    def __init__(self, settings, engine, title, parent=None, ask_result=False, preview=None):
        super().__init__(parent)
        self.engine = engine
        self.setWindowTitle(title)
        self.setObjectName("scrim_protect_dialog")
        options = settings.options()
        form = self.form = QFormLayout()
        self.mode = _combo(list(engine_bridge.MODES), options.mode)
        self.mode.setToolTip("mask: hide the style from AI models; poison: pull the image toward the anchors' "
                             "concept; both: do both")
        self.strength = StrengthSlider(engine, options.preset, options.max_visibility)
        self.effort = _combo(list(engine.efforts), options.effort)
        self.effort.setObjectName("scrim_effort")
        self.effort.setToolTip("More effort spends more steps: more protection at the same visibility, and longer")
        self.effort.currentTextChanged.connect(self.strength.set_effort)
        self.strength.set_effort(self.effort.currentText())
        self.decoy = _combo(list(engine.decoys), options.decoy)
        self.decoy.setObjectName("scrim_decoy")
        self.decoy.setToolTip("The style AI models are shown instead of yours; auto tries each on a small copy and "
                              "keeps the one that works best for this image")
        self.decoy_image = QLineEdit(options.decoy_image)
        self.decoy_image.setPlaceholderText("optional: an image whose style to pull toward")
        self.decoy_image_row = _path_row(self.decoy_image, self._pick_image)
        self.anchors = QLineEdit(os.pathsep.join(options.anchors))
        self.anchors.setPlaceholderText("image or folder of the concept to poison toward")
        self.anchor_row = _path_row(self.anchors, self._pick_anchor)
        self.anchor_row.setObjectName("scrim_anchor_row")
        self.tags = QCheckBox("Write \"no AI training\" metadata (IPTC Data Mining)")
        self.tags.setChecked(options.tags)
        self.creator = QLineEdit(options.creator)
        self.rights = QLineEdit(options.rights)
        form.addRow("Mode:", self.mode)
        form.addRow("Strength:", self.strength)
        form.addRow("Effort:", self.effort)
        form.addRow("Decoy:", self.decoy)
        form.addRow("Decoy image:", self.decoy_image_row)
        form.addRow("Anchor:", self.anchor_row)
        form.addRow("", self.tags)
        form.addRow("Creator:", self.creator)
        form.addRow("Rights:", self.rights)
        self.result_as = None
        if ask_result:
            self.result_as = _combo(list(self.RESULT_CHOICES), settings.get("result_as"))
            form.addRow("Put the result in:", self.result_as)
        self.preview = None
        if preview is not None:
            self.preview = PreviewPane(engine, *preview, options=self.options)
            for signal in (self.mode.currentTextChanged, self.decoy.currentTextChanged, self.strength.changed,
                           self.decoy_image.editingFinished, self.anchors.editingFinished):
                signal.connect(self.preview.request)
            self.finished.connect(lambda _result: self.preview.close_down())
        self.mode.currentTextChanged.connect(self._update)
        self.decoy_image.textChanged.connect(self._update)
        self.tags.toggled.connect(self._update)
        self._update()

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Protect")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if self.preview is not None:
            columns = QHBoxLayout()
            columns.addLayout(form)
            columns.addWidget(self.preview, 0, Qt.AlignTop)
            layout.addLayout(columns)
            self.preview.request()
        else:
            layout.addLayout(form)
        layout.addWidget(buttons)

    def _update(self):
        """Only the fields the chosen mode uses can be edited: the anchor needs poison, the decoy needs mask."""
        mode = self.mode.currentText()
        self.anchor_row.setEnabled(mode in ("poison", "both"))
        self.decoy_image_row.setEnabled(mode in ("mask", "both"))
        self.decoy.setEnabled(mode in ("mask", "both") and not self.decoy_image.text().strip())
        self.creator.setEnabled(self.tags.isChecked())
        self.rights.setEnabled(self.tags.isChecked())

    def _pick_image(self):
        return QFileDialog.getOpenFileName(self, "Decoy image", "", IMAGE_FILTER)[0]

    def _pick_anchor(self):
        return QFileDialog.getExistingDirectory(self, "Folder of anchor images") or \
            QFileDialog.getOpenFileName(self, "Anchor image", "", IMAGE_FILTER)[0]

    def options(self):
        preset, max_visibility = engine_bridge.strength(self.engine, self.strength.visibility())
        return engine_bridge.ProtectOptions(
            mode=self.mode.currentText(), preset=preset, max_visibility=max_visibility,
            effort=self.effort.currentText(),
            decoy=self.decoy.currentText(), decoy_image=self.decoy_image.text().strip(),
            anchors=[a for a in self.anchors.text().split(os.pathsep) if a.strip()],
            tags=self.tags.isChecked(), creator=self.creator.text().strip(), rights=self.rights.text().strip())

    def _accept(self):
        try:
            self.options().validate()
        except engine_bridge.BridgeError as e:
            QMessageBox.warning(self, self.windowTitle(), str(e))
            return
        self.accept()


class FolderDialog(ProtectDialog):
    """Protect a Folder...: every image directly in a folder, protected into another folder with the same choices as
    one image (no preview: the images differ)."""

    def __init__(self, settings, engine, parent=None):
        super().__init__(settings, engine, "Protect a Folder", parent)
        self.readable = engine.reads
        self.setObjectName("scrim_folder_dialog")
        self.source = QLineEdit()
        self.source.setObjectName("scrim_folder_source")
        self.source.setPlaceholderText("the folder whose images to protect")
        self.target = QLineEdit()
        self.target.setObjectName("scrim_folder_target")
        self.target.setPlaceholderText("where the protected images go (same names)")
        self.found = QLabel()
        self.form.insertRow(0, "Images in:", _path_row(self.source, lambda: QFileDialog.getExistingDirectory(
            self, "Folder of images to protect")))
        self.form.insertRow(1, "Protected into:", _path_row(self.target, lambda: QFileDialog.getExistingDirectory(
            self, "Folder for the protected images")))
        self.form.insertRow(2, "", self.found)
        self.source.textChanged.connect(self._source_changed)

    def _source_changed(self, text):
        folder = text.strip()
        if not os.path.isdir(folder):
            self.found.setText("")
            return
        if not self.target.isModified():
            self.target.setText(os.path.join(folder, "protected"))
        count = len(policy.images_in(folder, self.readable))
        self.found.setText("%d image%s to protect" % (count, "" if count == 1 else "s"))

    def folders(self):
        return self.source.text().strip(), self.target.text().strip()

    def _accept(self):
        source, target = self.folders()
        problem = None
        if not os.path.isdir(source):
            problem = "Choose the folder whose images to protect."
        elif not policy.images_in(source, self.readable):
            problem = "%s has no images to protect in it (%s)." % (source, ", ".join(
                e[1:].upper() for e in self.readable))
        elif not target:
            problem = "Choose the folder for the protected images."
        elif os.path.realpath(target) == os.path.realpath(source):
            problem = "The protected images need another folder: the originals are never replaced."
        if problem:
            QMessageBox.warning(self, self.windowTitle(), problem)
            return
        super()._accept()


class VerdictWindow(QDialog):
    """The verdict after each protection, in words, until dismissed: one non-modal window for all runs. Its button
    asks for the AI view (what a model renders of the original and of the protected image)."""

    aiViewAsked = pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("scrim_verdict")
        self.setWindowTitle("Scrim: verdict")
        self.setModal(False)
        self.headline = QLabel()
        font = QFont(self.headline.font())
        font.setBold(True)
        self.headline.setFont(font)
        self.meaning = QLabel()
        self.figures = QLabel()
        self.status = QLabel()
        self.status.setObjectName("scrim_verdict_status")
        for label in (self.headline, self.meaning, self.figures, self.status):
            label.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.ai_view = QPushButton("Show the AI view")
        self.ai_view.setObjectName("scrim_ai_view")
        self.ai_view.setToolTip("Open, as a new document, what an AI model renders of the original (left) and of "
                                "the protected image (right)")
        self.ai_view.clicked.connect(self.aiViewAsked)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ai_view)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        for label in (self.headline, self.meaning, self.figures, self.status):
            layout.addWidget(label)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)

    def show_result(self, name, result):
        self.headline.setText("%s is protected: %s." % (name, result.verdict))
        self.meaning.setText(result.verdict_meaning or "")
        self.figures.setText("Figures: %s." % result.figures())
        self.set_status("", True)
        self.show()
        self.raise_()

    def set_status(self, text, ai_view_enabled):
        self.status.setText(text)
        self.ai_view.setEnabled(ai_view_enabled)

    def text(self):
        return "\n".join(label.text() for label in (self.headline, self.meaning, self.figures))


class SettingsDialog(QDialog):
    """Where Java and the engine are, default mode and strength, threads; shows what would be used now."""

    def __init__(self, settings, locate, presets=(), parent=None):
        """`locate(settings) -> (java or error, engine or error)` describes what the current values find; `presets`
        are the engine's (none when it is not found: then the saved strength is all the dialog offers)."""
        super().__init__(parent)
        self.setWindowTitle("Scrim Settings")
        self.setObjectName("scrim_settings_dialog")
        self._settings = settings
        self._locate = locate
        self.java = QLineEdit(settings.get("java"))
        self.java.setPlaceholderText("automatic: $JAVA_HOME, then java on PATH")
        self.engine = QLineEdit(settings.get("engine"))
        self.engine.setPlaceholderText("automatic: $SCRIM_HOME, scrim on PATH, beside the plugin")
        self.mode = _combo(list(engine_bridge.MODES), settings.get("mode"))
        # The default strength: a preset, or the custom bound the strength slider saved last. Choosing a preset here
        # drops that bound, which would otherwise stay paired with the new preset.
        self._custom = ""
        if settings.get("max_visibility"):
            self._custom = "custom: visibility bound %s (set with the strength slider)" % settings.get("max_visibility")
        names = list(presets) or [settings.get("preset")]
        self.preset = _combo(names + ([self._custom] if self._custom else []), self._custom or settings.get("preset"))
        self.preset.setObjectName("scrim_default_strength")
        self.threads = QSpinBox()
        self.threads.setRange(0, 256)
        self.threads.setSpecialValueText("automatic")
        try:
            self.threads.setValue(int(settings.get("threads") or 0))
        except ValueError:
            self.threads.setValue(0)
        self.keep_service = QCheckBox("Keep Scrim running between exports")
        self.keep_service.setToolTip("The first export starts the engine in the background; later exports skip "
                                     "starting Java and loading the model. It stops when Krita quits.")
        self.keep_service.setChecked(settings.keep_service)
        self.keep_unprotected = QCheckBox("If Protect on Export fails, keep the plain export as NAME.unprotected")
        self.keep_unprotected.setToolTip("Off: a failed or cancelled protection leaves no file under the export's "
                                         "name. On: the unprotected export is kept under a name that says so.")
        self.keep_unprotected.setChecked(settings.keep_unprotected)
        self.found = QLabel()
        self.found.setWordWrap(True)
        self.found.setObjectName("scrim_found")
        form = QFormLayout()
        form.addRow("Java:", _path_row(self.java, lambda: QFileDialog.getOpenFileName(self, "java executable")[0]))
        form.addRow("Scrim engine:", _path_row(
            self.engine, lambda: QFileDialog.getOpenFileName(self, "scrim launcher")[0]))
        form.addRow("Default mode:", self.mode)
        form.addRow("Default strength:", self.preset)
        form.addRow("Threads:", self.threads)
        form.addRow("", self.keep_service)
        form.addRow("", self.keep_unprotected)
        form.addRow("In use:", self.found)
        self.java.editingFinished.connect(self._refresh)
        self.engine.editingFinished.connect(self._refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._refresh()

    def apply(self):
        """Copies the dialog's values into the settings object (the caller persists it)."""
        self._settings.set("java", self.java.text().strip())
        self._settings.set("engine", self.engine.text().strip())
        self._settings.set("mode", self.mode.currentText())
        if self.preset.currentText() != self._custom:
            self._settings.set("preset", self.preset.currentText())
            self._settings.set("max_visibility", "")
        self._settings.set("threads", self.threads.value())
        self._settings.set("keep_service", self.keep_service.isChecked())
        self._settings.set("keep_unprotected", self.keep_unprotected.isChecked())

    def _refresh(self):
        trial = engine_bridge.Settings(dict(self._settings.values))
        trial.set("java", self.java.text().strip())
        trial.set("engine", self.engine.text().strip())
        java, engine = self._locate(trial)
        self.found.setText("Java: %s\nEngine: %s" % (java, engine))
