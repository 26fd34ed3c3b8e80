"""Krita side of the bridge: menu actions, the Protect on Export hook, and wiring jobs to dialogs and notices."""
import os
import shutil
import tempfile

from krita import Extension, InfoObject, Krita
from PyQt5.QtCore import QByteArray, Qt, QTimer, pyqtSignal
from PyQt5.QtGui import QIcon, QImage
from PyQt5.QtWidgets import QFileDialog, QMenu, QMessageBox

from . import dialogs, engine_bridge, policy, runner, service

PLUGIN_DIR = os.path.dirname(os.path.abspath(__file__))
GROUP = "scrim"


def icon(name):
    """Icons ship in the package; in a source checkout they sit in the project's top-level icons/ folder."""
    for folder in (os.path.join(PLUGIN_DIR, "icons"), os.path.join(PLUGIN_DIR, "..", "..", "icons")):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return QIcon(path)
    return QIcon()


def document_stem(document):
    """The name the artist knows the image by, without extension: its file's, else its title, else "image"."""
    return os.path.splitext(os.path.basename(document.fileName() or document.name() or "image"))[0]


def export_flat_png(document, path):
    """Writes the document's flattened image to a PNG without any dialog (batch mode), as the engine's input."""
    info = InfoObject()
    for key, value in (("alpha", True), ("compression", 1), ("forceSRGB", False), ("saveSRGBProfile", False),
                       ("storeMetaData", False), ("storeAuthor", False), ("interlaced", False)):
        info.setProperty(key, value)
    batch = document.batchmode()
    document.setBatchmode(True)
    try:
        document.waitForDone()
        ok = document.exportImage(path, info)
    finally:
        document.setBatchmode(batch)
    if not ok or not os.path.isfile(path):
        raise engine_bridge.BridgeError("Krita could not export %s to %s" % (document.name(), path))


class ScrimExtension(Extension):
    """Tools > Scrim menu, File > Export Protected..., and Protect on Export."""

    # path, ok, message: emitted when a protection run ends (used by notices and by the end-to-end test).
    protectionFinished = pyqtSignal(str, bool, str)
    folderFinished = pyqtSignal(bool, str)      # all protected, what happened
    aiViewOpened = pyqtSignal(str)              # the AI view's file, opened as a new document

    def __init__(self, parent):
        super().__init__(parent)
        self.guard = policy.SaveGuard()
        self.queue = runner.JobQueue(self)
        self.session = service.Session(self._state_file)
        self.toggles = []
        self._progress = []
        self.verdict = None             # dialogs.VerdictWindow, made on the first verdict
        self._verdict_files = None      # (folder, original, protected, options, decoy, target) for its AI view
        self._ai_view_run = None
        self._info = None

    def engine_info(self):
        """What the engine offers (`scrim info`: presets, decoys, preview rule, formats, state file), asked once per
        Krita session; raises BridgeError when the engine cannot be found or run."""
        if self._info is None:
            engine, env = engine_bridge.locate(self.settings(), os.environ, PLUGIN_DIR)
            self._info = engine_bridge.info(engine, env)
        return self._info

    def _state_file(self):
        """Where the service keeps its port and token (the engine says where), or None without an engine."""
        try:
            return self.engine_info().state_file
        except engine_bridge.BridgeError:
            return None

    # ---- settings ----

    def settings(self):
        return engine_bridge.Settings.load(lambda key, default: Krita.instance().readSetting(GROUP, key, default))

    def save_settings(self, settings):
        settings.save(lambda key, value: Krita.instance().writeSetting(GROUP, key, value))

    def locate(self, settings):
        """(java, engine) as found with these settings, each a path or the reason it is missing."""
        try:
            engine = engine_bridge.locate_engine(settings, os.environ, PLUGIN_DIR)
        except engine_bridge.BridgeError as e:
            engine = None
            engine_text = "missing: %s. %s, or choose its folder above." % (e, engine_bridge.ENGINE_SOURCE)
        if engine is not None and engine_bridge.bundled_java(engine):
            return "the engine's own (%s)" % engine_bridge.bundled_java(engine), engine
        try:
            java = engine_bridge.locate_java(settings, os.environ)
        except engine_bridge.BridgeError as e:
            java = "missing: %s" % e
        return java, engine if engine is not None else engine_text

    # ---- Krita hooks ----

    def setup(self):
        notifier = Krita.instance().notifier()
        notifier.setActive(True)
        notifier.imageSaved.connect(self.on_image_saved)

    def createActions(self, window):
        menu_action = window.createAction("scrim_menu", "Scrim", "tools")
        menu = QMenu("Scrim", window.qwindow())
        menu_action.setMenu(menu)
        menu_action.setIcon(icon("scrim-shield.svg"))

        export = window.createAction("scrim_export_protected", "Export Protected...", "tools/scrim_menu")
        export.setIcon(icon("scrim-export.svg"))
        export.setToolTip("Export the image with Scrim's protection against AI training")
        export.triggered.connect(self.export_protected)
        current = window.createAction("scrim_protect_current", "Protect Current Image", "tools/scrim_menu")
        current.setIcon(icon("scrim-shield.svg"))
        current.setToolTip("Protect a copy of the image and open it as a new document or layer")
        current.triggered.connect(self.protect_current)
        toggle = window.createAction("scrim_protect_on_export", "Protect on Export", "tools/scrim_menu")
        toggle.setCheckable(True)
        toggle.setChecked(self.settings().protect_on_export)
        toggle.setIcon(icon("scrim-auto.svg"))
        toggle.setToolTip("Protect every PNG, JPEG, TIFF or WebP file exported with File > Export")
        toggle.toggled.connect(self.set_protect_on_export)
        self.toggles.append(toggle)
        folder = window.createAction("scrim_protect_folder", "Protect a Folder...", "tools/scrim_menu")
        folder.setIcon(icon("scrim-export.svg"))
        folder.setToolTip("Protect every image in a folder into another folder")
        folder.triggered.connect(self.protect_folder)
        settings = window.createAction("scrim_settings", "Scrim Settings...", "tools/scrim_menu")
        settings.setIcon(icon("scrim-settings.svg"))
        settings.triggered.connect(self.edit_settings)
        # Krita fills its menus after createActions: place the File menu entry once the event loop runs.
        # The Window wrapper is gone by then; its QMainWindow is not.
        main_window = window.qwindow()
        QTimer.singleShot(0, lambda: self._add_to_file_menu(main_window, export))

    def _add_to_file_menu(self, main_window, action):
        """Also offers Export Protected... right under File > Export..., where artists look for it."""
        for top in main_window.menuBar().actions():
            if top.objectName() == "file" and top.menu() is not None:
                entries = top.menu().actions()
                for i, entry in enumerate(entries):
                    if entry.objectName() == "file_export_file" and i + 1 < len(entries):
                        top.menu().insertAction(entries[i + 1], action)
                        return

    def set_protect_on_export(self, on):
        settings = self.settings()
        settings.set("protect_on_export", bool(on))
        self.save_settings(settings)
        for toggle in self.toggles:
            if toggle.isChecked() != bool(on):
                toggle.setChecked(bool(on))
        self.notify("Scrim: Protect on Export is %s" % ("on" if on else "off"))

    def on_image_saved(self, path):
        settings = self.settings()
        try:
            readable = self.engine_info().reads if settings.protect_on_export else ()
        except engine_bridge.BridgeError:
            readable = None         # the protection will say what is missing
        reason = policy.decide_on_save(path, [d.fileName() for d in Krita.instance().documents()],
                                       settings.protect_on_export, self.guard, readable)
        if reason is None:
            self.protect_export(path, settings)

    def protect_export(self, path, settings):
        """Krita has written a plain export: take it off its final name at once, protect it back into place, and on
        any failure leave nothing there (or, if the user chose it, the plain file under a name that says so)."""
        try:
            plain = policy.set_aside(path)
        except OSError as e:
            self.warn("NOT protected: %s\nScrim could not move Krita's export aside (%s), so the file there is "
                      "the plain, unprotected export." % (path, e.strerror or e))
            self.protectionFinished.emit(path, False, str(e))
            return
        self.start(plain, path, settings.options(), "Protecting the export %s" % os.path.basename(path),
                   lambda: policy.settle_unprotected(plain, path, settings.keep_unprotected),
                   lambda: shutil.rmtree(os.path.dirname(plain), ignore_errors=True))

    # ---- actions ----

    def edit_settings(self):
        settings = self.settings()
        try:
            presets = self.engine_info().presets
        except engine_bridge.BridgeError:
            presets = ()            # the dialog is where a missing engine is set
        dialog = dialogs.SettingsDialog(settings, self.locate, presets, self.main_window())
        if dialog.exec_():
            dialog.apply()
            self.save_settings(settings)

    def export_protected(self):
        document = self.document()
        if document is None:
            return
        try:
            writable = self.engine_info().writes
        except engine_bridge.BridgeError as e:
            hint = ("\n%s, or choose its folder in Tools > Scrim > Scrim Settings..." % engine_bridge.ENGINE_SOURCE
                    if isinstance(e, engine_bridge.SetupError) else "")
            self.warn("Cannot export protected: %s.%s" % (e, hint))
            return
        folder = os.path.dirname(document.fileName()) or os.path.expanduser("~")
        target, _ = QFileDialog.getSaveFileName(self.main_window(), "Export Protected",
                                                os.path.join(folder, document_stem(document) + ".protected"
                                                             + writable[0]),
                                                policy.file_filter(writable))
        if not target:
            return
        if not os.path.splitext(target)[1]:
            target += writable[0]
        if not policy.is_supported(target, writable):
            self.warn("Scrim writes %s files, not %s" % (", ".join(e[1:] for e in writable),
                                                         os.path.basename(target)))
            return
        if policy.unwritable_folder(target):
            self.warn("Cannot write into %s (it is read-only or gone): choose another folder."
                      % policy.unwritable_folder(target))
            return
        settings = self.settings()
        dialog = self.protect_dialog(document, "Export Protected", settings)
        if dialog is None or not dialog.exec_():
            return
        self.protect_copy(document, target, self._remember(dialog, settings), lambda result: None)

    def protect_current(self):
        document = self.document()
        if document is None:
            return
        settings = self.settings()
        dialog = self.protect_dialog(document, "Protect Current Image", settings, ask_result=True)
        if dialog is None or not dialog.exec_():
            return
        options = self._remember(dialog, settings)
        as_layer = dialog.result_as.currentText() == "a new layer"
        settings.set("result_as", dialog.result_as.currentText())
        self.save_settings(settings)
        folder = tempfile.mkdtemp(prefix="scrim-result-")
        target = os.path.join(folder, document_stem(document) + ".protected.png")

        def place(_result):
            try:
                (self.add_layer if as_layer else self.open_document)(document, target)
            finally:
                shutil.rmtree(folder, ignore_errors=True)

        self.protect_copy(document, target, options, place)

    def protect_dialog(self, document, title, settings, ask_result=False):
        """The choices for protecting `document`, with a fast preview of a crop of it (none if Krita cannot export
        it: the dialog works without). The preview's files go when the dialog closes. None (after saying why) when
        the engine cannot be asked what it offers."""
        try:
            engine = self.engine_info()
        except engine_bridge.BridgeError as e:
            hint = ("\n%s, or choose its folder in Tools > Scrim > Scrim Settings..." % engine_bridge.ENGINE_SOURCE
                    if isinstance(e, engine_bridge.SetupError) else "")
            self.warn("Cannot protect: %s.%s" % (e, hint))
            return None
        folder = tempfile.mkdtemp(prefix="scrim-preview-source-")
        flat = os.path.join(folder, "image.png")
        self.guard.claim(flat)
        preview = None
        try:
            export_flat_png(document, flat)
            image = QImage(flat)
            x, y, w, h, work_size = engine_bridge.preview_crop(engine, image.width(), image.height())
            crop = os.path.join(folder, "crop.png")
            if image.copy(x, y, w, h).save(crop):
                preview = (crop, work_size, self.make_job)
        except engine_bridge.BridgeError:
            pass
        dialog = dialogs.ProtectDialog(settings, engine, title, self.main_window(), ask_result=ask_result,
                                       preview=preview)

        def cleanup(_result):
            self.guard.release(flat)
            shutil.rmtree(folder, ignore_errors=True)

        dialog.finished.connect(cleanup)
        return dialog

    def _remember(self, dialog, settings):
        options = dialog.options()
        settings.store_options(options)
        self.save_settings(settings)
        options.threads = settings.options().threads
        return options

    # ---- running ----

    def protect_copy(self, document, target, options, then):
        """Exports `document` flat to a temp PNG, protects it into `target`, then calls `then(result)`."""
        folder = tempfile.mkdtemp(prefix="scrim-export-")
        source = os.path.join(folder, "image.png")
        # Our own export fires imageSaved too (maybe later); keep it claimed until the run is over.
        self.guard.claim(source)

        def cleanup():
            self.guard.release(source)
            shutil.rmtree(folder, ignore_errors=True)

        def after_failure():
            cleanup()
            return ("%s was left as it was." if os.path.exists(target) else "No file was written to %s.") % target

        try:
            export_flat_png(document, source)
        except engine_bridge.BridgeError as e:
            self.warn("NOT protected: %s\n%s" % (e, after_failure()))
            return
        job = self.start(source, target, options, "Protecting %s" % os.path.basename(target), after_failure, cleanup)
        if job is not None:
            job.succeeded.connect(then)

    def make_job(self, source, target, options):
        """A job (not started) protecting `source` into `target`: through the running service, else the command
        (the first call of a session starts the service for the next ones, if the user keeps it running). Choices
        that name images (a decoy image, anchors) always run the command: the service does not read our files."""
        settings = self.settings()
        options.validate()
        running = (self.session.service(settings.keep_service, lambda: self.launch_service(settings))
                   if service.takes(options) else None)
        if running is not None:
            return runner.ServiceJob(running, source, target, options, self)
        engine, env = engine_bridge.locate(settings, os.environ, PLUGIN_DIR)
        return runner.ProtectJob(engine, env, source, target, options, self)

    def start(self, source, target, options, title, after_failure, after_success):
        """Queues the protection of `source` into `target`. `after_failure()` cleans up and returns a sentence
        saying what is (not) at `target`; `after_success()` cleans up."""
        try:
            job = self.make_job(source, target, options)
        except engine_bridge.BridgeError as e:
            hint = ("\n%s, or choose its folder in Tools > Scrim > Scrim Settings..." % engine_bridge.ENGINE_SOURCE
                    if isinstance(e, engine_bridge.SetupError) else "")
            self.warn("NOT protected: %s.%s\n%s" % (e, hint, after_failure()))
            self.protectionFinished.emit(target, False, str(e))
            return None
        ended = self._show_progress(job, title)

        def on_success(result):
            ended()
            kept = self._keep_for_ai_view(source, target)
            after_success()
            self.notify(result.summary())
            self.show_verdict(target, result, options, kept)
            self.protectionFinished.emit(target, True, result.summary())

        def on_failure(message):
            ended()
            where = after_failure()
            if message:
                self.warn("NOT protected: %s\n%s" % (message, where))
            else:
                self.notify("Scrim: cancelled, NOT protected. %s" % where)
            self.protectionFinished.emit(target, False, message or "cancelled")

        job.succeeded.connect(on_success)
        job.failed.connect(on_failure)
        self.queue.add(job)
        return job

    def _show_progress(self, job, title):
        """Shows the job's progress window, held here until the returned function closes it."""
        progress = runner.show_progress(job, title, self.main_window())
        self._progress.append(progress)

        def ended():
            self._progress.remove(progress)
            progress.deleteLater()

        return ended

    def launch_service(self, settings):
        """Starts `scrim serve` for this Krita session; a failure to start only means exports run the command."""
        try:
            engine, env = engine_bridge.locate(settings, os.environ, PLUGIN_DIR)
            return service.launch(engine, env, self.session.state_file, settings.options().threads)
        except (OSError, engine_bridge.BridgeError) as e:
            self.notify("Scrim: could not keep the engine running (%s); each export starts it" % e)
            return None

    # ---- placing results ----

    def open_document(self, _original, path, file_name=""):
        """Opens `path` in a new view under `file_name` (none: saving asks where), not under the temp file's name:
        saving must not write into a folder deleted at exit. The name is set before the view is made, whose title
        Krita takes from it once."""
        document = Krita.instance().openDocument(path)
        if document is None:
            self.warn("Krita could not open the protected image %s" % path)
            return None
        document.setFileName(file_name)
        window = Krita.instance().activeWindow()
        if window is not None:
            window.addView(document)
        return document

    def add_layer(self, document, path):
        image = QImage(path)
        if image.isNull():
            self.warn("Cannot read the protected image %s" % path)
            return
        if (document.colorModel(), document.colorDepth()) != ("RGBA", "U8") or \
                (image.width(), image.height()) != (document.width(), document.height()):
            self.notify("Scrim: this image is not 8-bit RGBA; the result opens as a new document")
            self.open_document(document, path)
            return
        image = image.convertToFormat(QImage.Format_ARGB32)     # BGRA bytes in memory, as setPixelData wants
        bits = image.constBits()
        bits.setsize(image.sizeInBytes())
        layer = document.createNode("Scrim protected", "paintlayer")
        layer.setPixelData(QByteArray(bytes(bits)), 0, 0, image.width(), image.height())
        document.rootNode().addChildNode(layer, None)
        document.refreshProjection()

    # ---- talking to the user ----

    def main_window(self):
        window = Krita.instance().activeWindow()
        return window.qwindow() if window is not None else None

    def document(self):
        document = Krita.instance().activeDocument()
        if document is None:
            self.warn("Open an image first.")
        return document

    def notify(self, text):
        window = Krita.instance().activeWindow()
        if window is None:
            return
        window.qwindow().statusBar().showMessage(text, 20000)
        view = window.activeView()
        if view is not None:
            view.showFloatingMessage(text, icon("scrim-shield.svg"), 8000, 1)

    def show_verdict(self, target, result, options, kept):
        """The verdict in words stays on screen until dismissed (one window, updated by each export); `kept` is the
        (folder, original, protected) its AI view is rendered from, removed with the next verdict or on close."""
        if not result.verdict:
            self._drop_verdict_files()
            if kept:
                shutil.rmtree(kept[0], ignore_errors=True)
            return
        if self.verdict is None:
            self.verdict = dialogs.VerdictWindow(self.main_window())
            self.verdict.aiViewAsked.connect(self.show_ai_view)
            self.verdict.finished.connect(lambda _result: self._drop_verdict_files())
        self._drop_verdict_files()
        self._verdict_files = kept + (options, result.decoy, target) if kept else None
        self.verdict.show_result(os.path.basename(target), result)
        if kept is None:
            self.verdict.set_status("", False)

    def _keep_for_ai_view(self, source, target):
        """Copies the original and the protected file into a private folder, for the verdict's AI view (the run's
        own files are cleaned up now): (folder, original, protected), or None if they cannot be copied."""
        folder = tempfile.mkdtemp(prefix="scrim-verdict-")
        original = os.path.join(folder, "original" + os.path.splitext(source)[1])
        protected = os.path.join(folder, "protected" + os.path.splitext(target)[1])
        try:
            shutil.copyfile(source, original)
            shutil.copyfile(target, protected)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return folder, original, protected

    def _drop_verdict_files(self):
        if self._ai_view_run is not None:
            self._ai_view_run.kill()
            self._ai_view_run = None
        if self._verdict_files is not None:
            shutil.rmtree(self._verdict_files[0], ignore_errors=True)
            self._verdict_files = None

    def show_ai_view(self):
        """Renders what the model sees of the original and the protected image (`scrim verify --ai-view`) and opens
        it as a new document."""
        if self._verdict_files is None or self._ai_view_run is not None:
            return
        folder, original, protected, options, decoy, target = self._verdict_files
        view = os.path.join(folder, "ai-view.png")
        try:
            engine, env = engine_bridge.locate(self.settings(), os.environ, PLUGIN_DIR)
        except engine_bridge.BridgeError as e:
            self.verdict.set_status("No AI view: %s." % e, True)
            return
        run = runner.EngineProcess(engine_bridge.verify_command(engine, original, protected, view, options, decoy),
                                   env, folder, self)
        self._ai_view_run = run
        self.verdict.set_status("Rendering what the model sees (the engine loads its decoder: up to a minute)...",
                                False)

        def ended(code, crashed, _stdout):
            if self._ai_view_run is not run:
                return              # dropped with its verdict
            self._ai_view_run = None
            if code == engine_bridge.EXIT_OK and not crashed and os.path.isfile(view):
                # named for what it is (not "[Not Saved]"); Save writes it beside the protected file
                document = self.open_document(None, view, policy.ai_view_name(target))
                if document is not None:
                    document.setName("AI view: original (left), protected (right)")
                self.verdict.set_status("The AI view is open as a new document: left, what the model renders of "
                                        "the original; right, of the protected image.", True)
                self.aiViewOpened.emit(view)
            else:
                self.verdict.set_status("No AI view: %s." % run.explain(code), True)

        run.ended.connect(ended)
        run.notStarted.connect(lambda message: ended(-1, True, ""))
        run.start()

    def protect_folder(self):
        """Protect a Folder...: the engine's batch over every image in a folder, with a progress dialog and a list
        of what became of each image."""
        settings = self.settings()
        try:
            readable = self.engine_info().reads
        except engine_bridge.BridgeError as e:
            self.warn("Nothing was protected: %s." % e)
            return
        dialog = dialogs.FolderDialog(settings, self.engine_info(), self.main_window())
        if not dialog.exec_():
            return
        options = self._remember(dialog, settings)
        source, target = dialog.folders()
        self.start_folder(source, target, options)

    def start_folder(self, source, target, options):
        try:
            os.makedirs(target, exist_ok=True)
            engine, env = engine_bridge.locate(self.settings(), os.environ, PLUGIN_DIR)
            job = runner.FolderJob(engine, env, source, target, options,
                                   len(policy.images_in(source, self.engine_info().reads)), self)
        except (OSError, engine_bridge.BridgeError) as e:
            self.warn("Nothing was protected: %s." % e)
            self.folderFinished.emit(False, str(e))
            return None
        title = "Protecting the images in %s" % source
        ended = self._show_progress(job, title)

        def on_success(results):
            ended()
            done = [r for r in results if r.ok]
            lines = ["%s: %s" % (os.path.basename(r.input), r.verdict or "protected") if r.ok else
                     "%s: NOT protected: %s" % (os.path.basename(r.input), r.error) for r in results]
            text = "%d of %d images protected into %s" % (len(done), len(results), target)
            self.notify("Scrim: " + text)
            self.report(text, "\n".join(lines))
            self.folderFinished.emit(len(done) == len(results), text)

        def on_failure(message):
            ended()
            text = "Protect a Folder stopped: %s" % (message or "cancelled")
            if message:
                self.warn("%s\nImages done before it stopped are in %s." % (text, target))
            else:
                self.notify("Scrim: %s; images done before are in %s" % (text, target))
            self.folderFinished.emit(False, text)

        job.succeeded.connect(on_success)
        job.failed.connect(on_failure)
        self.queue.add(job)
        return job

    def warn(self, text):
        QMessageBox.warning(self.main_window(), "Scrim", text)

    def report(self, text, details):
        box = QMessageBox(QMessageBox.Information, "Scrim", text, QMessageBox.Ok, self.main_window())
        box.setObjectName("scrim_folder_report")
        box.setDetailedText(details)
        box.setWindowModality(Qt.NonModal)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.show()
