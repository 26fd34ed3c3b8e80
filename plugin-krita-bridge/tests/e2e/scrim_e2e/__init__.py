"""Test driver, installed beside the Scrim plugin in a throw-away HOME: opens an image, exports it through
File > Export (answering Krita's file and options dialogs), waits for Scrim's Protect on Export, takes screenshots,
writes what happened to $SCRIM_E2E_RESULT and quits with os._exit."""
import json
import os
import sys
import traceback

from krita import Extension, Krita
from PyQt5.QtCore import QEventLoop, QMetaObject, QPoint, Qt, QTimer
from PyQt5.QtWidgets import QApplication, QDialog, QFileDialog, QLabel, QLineEdit, QMdiArea, QMessageBox

# installed beside this package by e2e.sh, from tests/qt_events.py
from .qt_events import wait_for

RESULT = os.environ["SCRIM_E2E_RESULT"]
report = {"dialogs": [], "steps": []}


def finish(code):
    with open(RESULT, "w") as f:
        json.dump(report, f, indent=1)
    sys.stdout.flush()
    os._exit(code)


def crash(kind, value, tb):
    # An uncaught exception would open Krita's error dialog and never end: end the run instead.
    report["exception"] = "".join(traceback.format_exception(kind, value, tb))
    finish(3)


sys.excepthook = crash


def step(text):
    report["steps"].append(text)
    print("e2e: " + text, flush=True)


def wait(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec_()


def grab(name, widget=None, width=None):
    """The whole screen (menus are separate windows), or one dialog; scaled to `width` if given."""
    QApplication.processEvents()
    path = os.path.join(os.environ["SCRIM_E2E_SHOTS"], name)
    picture = widget.grab() if widget is not None else QApplication.primaryScreen().grabWindow(0)
    (picture.scaledToWidth(width, Qt.SmoothTransformation) if width else picture).save(path)
    step("screenshot " + path)


def answer_dialogs(target):
    """Plays the user at File > Export: types the file name, then accepts the format's options dialog."""
    widget = QApplication.activeModalWidget()
    if widget is None:
        return
    seen = "%s %r" % (type(widget).__name__, widget.windowTitle())
    if not report["dialogs"] or report["dialogs"][-1] != seen:
        report["dialogs"].append(seen)
    if isinstance(widget, QFileDialog):
        # Krita selects its own suggestion after showing the dialog: select ours until the dialog holds it, then
        # accept (setting the name field's text alone is not enough, the dialog goes by its selection).
        selected = [os.path.abspath(p) for p in widget.selectedFiles()]
        report["file_dialog_selected"] = selected
        if selected != [os.path.abspath(target)]:
            widget.selectFile(target)
            # Sometimes the selection does not take while the folder loads; typing does (textEdited drives it).
            edit = widget.findChild(QLineEdit, "fileNameEdit")
            if edit is not None:
                edit.setText(os.path.basename(target))
                edit.textEdited.emit(os.path.basename(target))
            return
    elif isinstance(widget, QMessageBox):
        # A Scrim warning (expected only when the run expects a failure): keep its text and picture, then close it.
        if widget.text() not in report.setdefault("message_boxes", []):
            report["message_boxes"].append(widget.text())
            grab("krita-scrim-not-protected.png", widget)
        QMetaObject.invokeMethod(widget, "reject", Qt.QueuedConnection)
        return
    elif not isinstance(widget, QDialog):
        return
    QMetaObject.invokeMethod(widget, "accept", Qt.QueuedConnection)


def scrim_extension():
    for extension in Krita.instance().extensions():
        if hasattr(extension, "protectionFinished"):
            return extension
    raise RuntimeError("the Scrim extension is not loaded (is enable_scrim=true in kritarc?)")


def show_menu(window):
    """Opens Tools > Scrim for the screenshot."""
    bar = window.qwindow().menuBar()
    tools = next(a for a in bar.actions() if a.objectName() == "tools")
    tools.menu().popup(bar.mapToGlobal(bar.actionGeometry(tools).bottomLeft()))
    wait(300)
    scrim = next(a for a in tools.menu().actions() if a.objectName() == "scrim_menu")
    tools.menu().setActiveAction(scrim)
    scrim.menu().popup(tools.menu().mapToGlobal(tools.menu().actionGeometry(scrim).topRight() + QPoint(2, 0)))
    wait(500)
    return tools.menu(), scrim.menu()


def show_ai_view(app, window, scrim, verdict):
    """The verdict's AI view button: the rendering opens as a new document (screenshot of the whole window)."""
    documents = len(app.documents())
    verdict.ai_view.click()
    step("asked for the AI view")
    opened = wait_for(scrim.aiViewOpened, 180)
    report["ai_view"] = {"opened": opened[0] if opened else None, "new_documents": len(app.documents()) - documents,
                         "status": verdict.findChild(QLabel, "scrim_verdict_status").text(),
                         "titles": [w.windowTitle() for w in window.qwindow().findChild(QMdiArea).subWindowList()]}
    verdict.hide()                      # it would cover the picture
    window.qwindow().statusBar().clearMessage()
    wait(1500)
    grab("krita-scrim-ai-view.png", width=800)
    verdict.show()
    for document in app.documents():    # back to the image alone, for the next screenshots
        if not document.fileName() or document.fileName().endswith(".ai-view.png"):
            document.setModified(False)
            document.close()


def show_preview(window, scrim, document):
    """Export Protected's dialog with its fast preview, after the slider moves to a custom bound."""
    dialog = scrim.protect_dialog(document, "Export Protected", scrim.settings())
    dialog.show()
    step("waiting for the preview")
    first = wait_for(dialog.preview.shown, 180)
    dialog.strength.slider.setValue(120)
    second = wait_for(dialog.preview.shown, 180)
    report["preview"] = {"first": bool(first), "after_slider": bool(second),
                         "status": dialog.preview.status.text()}
    wait(300)
    grab("krita-scrim-preview.png", dialog)
    dialog.reject()


def give_up():
    widget = QApplication.activeModalWidget()
    report["gave_up_with_modal"] = "%s %r" % (type(widget).__name__, widget.windowTitle()) if widget else None
    report["top_level"] = ["%s %r" % (type(w).__name__, w.windowTitle()) for w in QApplication.topLevelWidgets()
                           if w.isVisible()]
    finish(4)


def run():
    target = os.environ["SCRIM_E2E_EXPORT"]
    # Ends the run with a report before the outer timeout, e.g. when an unexpected dialog waits for an answer.
    watchdog = QTimer(QApplication.instance())
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(give_up)
    watchdog.start(int(os.environ.get("SCRIM_E2E_WAIT_S", "240")) * 1000)
    app = Krita.instance()
    window = app.activeWindow()
    # No window manager under Xvfb, so showMaximized() does nothing: fill the screen for the screenshots.
    window.qwindow().setGeometry(QApplication.primaryScreen().availableGeometry())
    document = app.openDocument(os.environ["SCRIM_E2E_IMAGE"])
    window.addView(document)
    step("opened %s (%dx%d)" % (document.fileName(), document.width(), document.height()))
    scrim = scrim_extension()
    file_menu = next(a for a in window.qwindow().menuBar().actions() if a.objectName() == "file").menu()
    report["file_menu"] = [a.objectName() for a in file_menu.actions()]
    toggle = app.action("scrim_protect_on_export")
    report["toggle_checked"] = bool(toggle and toggle.isChecked())
    outcome = {}
    scrim.protectionFinished.connect(lambda path, ok, message: outcome.update(path=path, ok=ok, message=message))

    answerer = QTimer()
    answerer.timeout.connect(lambda: answer_dialogs(target))
    answerer.start(250)
    step("File > Export to " + target)
    app.action("file_export_file").trigger()
    deadline = int(os.environ.get("SCRIM_E2E_WAIT_S", "240")) * 10
    while not outcome and deadline > 0:
        wait(100)
        deadline -= 1
    wait(1000)                          # a warning opens right after the outcome: let the answerer see it
    answerer.stop()
    report["outcome"] = outcome
    report["status_bar"] = window.qwindow().statusBar().currentMessage()
    step("protection finished: %s" % outcome)

    verdict = next((w for w in QApplication.topLevelWidgets() if w.objectName() == "scrim_verdict"
                    and w.isVisible()), None)
    report["verdict_box"] = verdict.text() if verdict is not None else None
    if verdict is not None:
        grab("krita-scrim-verdict.png", verdict)
        show_ai_view(app, window, scrim, verdict)
        verdict.close()
    tools, submenu = show_menu(window)
    grab("krita-scrim-menu.png")
    submenu.hide()
    tools.hide()
    if outcome.get("ok"):
        show_preview(window, scrim, document)
    from scrim import dialogs
    presets = scrim.engine_info().presets if expected_ok() else ()
    settings = dialogs.SettingsDialog(scrim.settings(), scrim.locate, presets, window.qwindow())
    settings.show()
    wait(300)
    grab("krita-scrim-settings.png", settings)
    settings.close()
    # the folder dialog offers the engine's choices: the run without an engine has none to offer
    if expected_ok():
        folder = dialogs.FolderDialog(scrim.settings(), scrim.engine_info(), window.qwindow())
        folder.source.setText(os.path.dirname(target))
        report["folder_dialog"] = {"target": folder.target.text(), "found": folder.found.text()}
        folder.show()
        wait(300)
        grab("krita-scrim-folder.png", folder)
        folder.close()
    finish(0 if outcome and bool(outcome.get("ok")) == expected_ok() else 1)


def expected_ok():
    """Whether this run's export is meant to be protected (else it is the run without an engine)."""
    return os.environ.get("SCRIM_E2E_EXPECT", "success") == "success"


class E2EDriver(Extension):
    def setup(self):
        Krita.instance().notifier().windowCreated.connect(lambda: QTimer.singleShot(1500, run))

    def createActions(self, window):
        pass


Krita.instance().addExtension(E2EDriver(Krita.instance()))
