"""The plugin's two dialogs: protection choices for one run, and the persistent Scrim settings."""
import os

from PyQt5.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                             QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox, QVBoxLayout,
                             QWidget)

from . import engine_bridge

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


class ProtectDialog(QDialog):
    """Mode, strength, decoy, anchors and tags for one protection run; starts from the saved defaults."""

    RESULT_CHOICES = ("a new document", "a new layer")

    def __init__(self, settings, title, parent=None, ask_result=False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("scrim_protect_dialog")
        options = settings.options()
        form = QFormLayout()
        self.mode = _combo(list(engine_bridge.MODES), options.mode)
        self.mode.setToolTip("mask: hide the style from AI models; poison: pull the image toward the anchors' "
                             "concept; both: do both")
        self.preset = _combo(list(engine_bridge.PRESETS), options.preset)
        self.preset.setToolTip("Stronger presets move what the model sees further, and are more visible")
        self.decoy = QLineEdit(options.decoy)
        self.decoy.setToolTip("Name of a built-in decoy style, or 'auto'")
        self.decoy_image = QLineEdit(options.decoy_image)
        self.decoy_image.setPlaceholderText("optional: an image whose style to pull toward")
        self.anchors = QLineEdit(os.pathsep.join(options.anchors))
        self.anchors.setPlaceholderText("image or folder of the concept to poison toward (poison, both)")
        self.tags = QCheckBox("Write \"no AI training\" metadata (IPTC Data Mining)")
        self.tags.setChecked(options.tags)
        self.creator = QLineEdit(options.creator)
        self.rights = QLineEdit(options.rights)
        form.addRow("Mode:", self.mode)
        form.addRow("Strength:", self.preset)
        form.addRow("Decoy:", self.decoy)
        form.addRow("Decoy image:", _path_row(self.decoy_image, self._pick_image))
        form.addRow("Anchor:", _path_row(self.anchors, self._pick_anchor))
        form.addRow("", self.tags)
        form.addRow("Creator:", self.creator)
        form.addRow("Rights:", self.rights)
        self.result_as = None
        if ask_result:
            self.result_as = _combo(list(self.RESULT_CHOICES), settings.get("result_as"))
            form.addRow("Put the result in:", self.result_as)
        self.mode.currentTextChanged.connect(self._update)
        self.tags.toggled.connect(self._update)
        self._update()

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Protect")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _update(self):
        self.anchors.setEnabled(self.mode.currentText() in ("poison", "both"))
        self.creator.setEnabled(self.tags.isChecked())
        self.rights.setEnabled(self.tags.isChecked())

    def _pick_image(self):
        return QFileDialog.getOpenFileName(self, "Decoy image", "", IMAGE_FILTER)[0]

    def _pick_anchor(self):
        return QFileDialog.getExistingDirectory(self, "Folder of anchor images") or \
            QFileDialog.getOpenFileName(self, "Anchor image", "", IMAGE_FILTER)[0]

    def options(self):
        return engine_bridge.ProtectOptions(
            mode=self.mode.currentText(), preset=self.preset.currentText(),
            decoy=self.decoy.text().strip() or "auto", decoy_image=self.decoy_image.text().strip(),
            anchors=[a for a in self.anchors.text().split(os.pathsep) if a.strip()],
            tags=self.tags.isChecked(), creator=self.creator.text().strip(), rights=self.rights.text().strip())

    def _accept(self):
        try:
            self.options().validate()
        except engine_bridge.BridgeError as e:
            QMessageBox.warning(self, self.windowTitle(), str(e))
            return
        self.accept()


class SettingsDialog(QDialog):
    """Where Java and the engine are, default mode and strength, threads; shows what would be used now."""

    def __init__(self, settings, locate, parent=None):
        """`locate(settings) -> (java or error, engine or error)` describes what the current values find."""
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
        self.preset = _combo(list(engine_bridge.PRESETS), settings.get("preset"))
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
        self._settings.set("preset", self.preset.currentText())
        self._settings.set("threads", self.threads.value())
        self._settings.set("keep_service", self.keep_service.isChecked())
        self._settings.set("keep_unprotected", self.keep_unprotected.isChecked())

    def _refresh(self):
        trial = engine_bridge.Settings(dict(self._settings.values))
        trial.set("java", self.java.text().strip())
        trial.set("engine", self.engine.text().strip())
        java, engine = self._locate(trial)
        self.found.setText("Java: %s\nEngine: %s" % (java, engine))
