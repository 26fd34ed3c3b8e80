"""Tests of the bridge inside Krita's Python (kritarunner, no display): Krita's flat PNG export, and the QProcess
runner against a contract stand-in (failure, model missing, cancel) and against the real engine, as a command and
as a running `scrim serve`.

Run: QT_QPA_PLATFORM=offscreen PYTHONPATH=plugin-krita-bridge:plugin-krita-bridge/tests \
     kritarunner -s krunner_bridge -f __main__ WORKDIR IMAGE [REAL_SCRIM_LAUNCHER]
kritarunner always exits 0, so the result is reported through os._exit.
"""
import filecmp
import glob
import json
import os
import shutil
import sys
import tempfile
import time
import traceback

from krita import Krita
from PyQt5 import sip
from PyQt5.QtCore import QCoreApplication, QEvent, QEventLoop, QPoint, QRect, QSize, QTimer
from PyQt5.QtGui import QImage
from PyQt5.QtWidgets import QApplication, QDialogButtonBox, QPushButton

from qt_events import wait_for
from scrim import dialogs, engine_bridge, extension, runner, service

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "fake_scrim")
failures = []
INFO = None         # the real engine's `scrim info` (engine_bridge.EngineInfo), asked in __main__


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def run_job(engine, source, target, env_extra=None, options=None, cancel_after_progress=False, timeout_s=120):
    """Runs one ProtectJob (the `scrim` command) with `run`."""
    env = engine_bridge.engine_environment(dict(os.environ, **(env_extra or {})),
                                           engine_bridge.locate_java(engine_bridge.Settings(dict(
                                               engine_bridge.DEFAULTS)), os.environ))
    job = runner.ProtectJob(engine, env, source, target, options or engine_bridge.ProtectOptions())
    return run(job, cancel_after_progress, timeout_s)


def run(job, cancel_after_progress=False, timeout_s=120):
    """Runs a job to its end inside a local event loop; returns (result, message, progress seen, job)."""
    outcome = {"result": None, "message": None, "progress": []}
    loop = QEventLoop()

    def on_progress(step, total):
        outcome["progress"].append((step, total))
        if cancel_after_progress:
            job.cancel()

    job.progressed.connect(on_progress)
    job.succeeded.connect(lambda r: (outcome.update(result=r), loop.quit()))
    job.failed.connect(lambda m: (outcome.update(message=m), loop.quit()))
    QTimer.singleShot(timeout_s * 1000, loop.quit)
    job.start()
    loop.exec_()
    return outcome["result"], outcome["message"], outcome["progress"], job


def leftovers(folder):
    return [n for n in os.listdir(folder) if ".scrim-" in n]


def test_export(work, image):
    document = Krita.instance().openDocument(image)
    document.scaleImage(128, 128 * document.height() // document.width(), 72, 72, "bicubic")
    source = os.path.join(work, "source.png")
    extension.export_flat_png(document, source)
    check(os.path.getsize(source) > 1000, "Krita exports the document flat to PNG without a dialog")
    document.close()
    return source


def test_stand_in(work, source):
    target = os.path.join(work, "fake-out.png")
    result, message, progress, _ = run_job(FAKE, source, target, {"FAKE_SCRIM": "ok"})
    check(result is not None and result.ok and result.output == target, "ok run reports success: %s" % message)
    check(progress == [(1, 3), (2, 3), (3, 3)], "progress lines arrive as signals: %s" % progress)
    check(filecmp.cmp(source, target, shallow=False) and not leftovers(work), "result renamed onto the target")

    shutil.copyfile(source, target)
    before = open(target, "rb").read()
    result, message, _, _ = run_job(FAKE, source, target, {"FAKE_SCRIM": "fail"})
    check(result is None and "cannot decode image" in (message or ""), "a failed file is reported: %s" % message)
    check(open(target, "rb").read() == before and not leftovers(work), "failure leaves the target and no temp")

    result, message, _, _ = run_job(FAKE, source, target, {"FAKE_SCRIM": "model"})
    check(result is None and "model" in message and "not available offline" in message,
          "exit 3 is explained with the engine's words: %s" % message)

    result, message, progress, job = run_job(FAKE, source, target, {"FAKE_SCRIM": "slow"},
                                             cancel_after_progress=True, timeout_s=20)
    check(job.cancelled and message == "" and len(progress) == 1, "cancel kills the engine at once: %s" % progress)
    check(open(target, "rb").read() == before and not leftovers(work), "cancel leaves the target and no temp")

    result, message, _, _ = run_job(os.path.join(work, "no-such-scrim"), source, target)
    check(result is None and "could not start" in (message or ""), "a missing engine is reported: %s" % message)


def test_real_engine(work, source, engine):
    target = os.path.join(work, "real-out.png")
    result, message, progress, _ = run_job(engine, source, target, options=engine_bridge.ProtectOptions(seed=1),
                                           timeout_s=300)
    check(result is not None and result.ok, "the real engine protects a 128 px image: %s" % message)
    if result is None:
        return
    print("     " + result.summary(), flush=True)
    check(bool(progress) and progress[-1][0] == progress[-1][1], "the real engine reports progress: %s"
          % progress[-3:])
    check(os.path.isfile(target) and not filecmp.cmp(source, target, shallow=False) and not leftovers(work),
          "the protected file replaced the target and differs from the source")
    check(result.closeness is not None and result.psnr is not None and result.psnr > 20,
          "the report carries closeness and PSNR")


def test_service_job(work, source, engine):
    """The same protection through a running `scrim serve`: the result replaces the target; cancel drops the answer
    at once and leaves nothing behind when the service's answer comes later."""
    env = engine_bridge.engine_environment(os.environ, engine_bridge.locate_java(engine_bridge.Settings(dict(
        engine_bridge.DEFAULTS)), os.environ))
    state = os.path.join(work, "service", "service.json")
    process = service.launch(engine, env, state)
    try:
        running, deadline = None, time.monotonic() + 300
        while running is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            running = service.connect(state)
        check(running is not None, "scrim serve comes up and answers its health check")
        options = engine_bridge.ProtectOptions(preset="low", seed=1)
        target = os.path.join(work, "service.protected.png")
        shutil.copyfile(source, target)
        result, message, _, _ = run(runner.ServiceJob(running, source, target, options), timeout_s=300)
        check(result is not None and result.ok and result.closeness is not None and result.output == target,
              "the service protects the image: %s" % (result.summary() if result else message))
        check(not filecmp.cmp(source, target, shallow=False) and not leftovers(work),
              "the service's result replaced the target")
        dropped = os.path.join(work, "dropped.png")
        # Preset high runs 30 steps: a job the service finished would answer with a result, not "cancelled".
        job = runner.ServiceJob(running, source, dropped, engine_bridge.ProtectOptions(preset="high", decoy="pattern"))
        messages, answers = [], []
        job.failed.connect(messages.append)
        job._done.connect(lambda result, error: answers.append(error or (result.error if result else None)))
        job.start()
        asked = time.monotonic()
        job.cancel()
        check(job.cancelled and messages == [""], "cancel ends the job at once: %s" % messages)
        while not answers and time.monotonic() < deadline:
            loop = QEventLoop()
            QTimer.singleShot(200, loop.quit)
            loop.exec_()
        check(answers and "cancelled" in (answers[0] or ""),
              "the service stopped the job rather than finishing it: %s after %.1f s"
              % (answers, time.monotonic() - asked))
        check(running.health()["jobs"] == 0, "the cancelled job's slot is free")
        loop = QEventLoop()
        QTimer.singleShot(1000, loop.quit)
        loop.exec_()
        check(not os.path.exists(dropped) and not leftovers(work), "a dropped answer leaves no file")
    finally:
        process.stdin.close()
        process.wait(timeout=60)


def test_extension(work, image):
    """Protect-a-copy through the extension: our own temp export fires imageSaved and must not be protected again;
    the result goes into a new layer with the protected pixels, or into a new document."""
    app = Krita.instance()
    app.writeSetting("scrim", "engine", FAKE)
    app.writeSetting("scrim", "protect_on_export", "true")
    scrim = extension.ScrimExtension(app)
    scrim.setup()
    warnings, finished = [], []
    scrim.warn = warnings.append
    scrim.protectionFinished.connect(lambda path, ok, message: finished.append((path, ok)))
    document = app.openDocument(image)
    document.scaleImage(64, 64, 72, 72, "bicubic")
    target = os.path.join(work, "copy.protected.png")
    placed = []
    scrim.protect_copy(document, target, engine_bridge.ProtectOptions(), placed.append)
    # Krita reports saves through imageSaved; feed it our own temp export, as the GUI does for exportImage.
    temps = glob.glob(os.path.join(tempfile.gettempdir(), "scrim-export-*", "image.png"))
    for temp in temps:
        scrim.on_image_saved(temp)
    check(len(temps) == 1 and scrim.queue.busy_paths() == [target],
          "our own temp export %s is not protected again: %s" % (temps, scrim.queue.busy_paths()))
    loop = QEventLoop()
    scrim.protectionFinished.connect(lambda *_: QTimer.singleShot(500, loop.quit))
    QTimer.singleShot(30000, loop.quit)
    loop.exec_()
    check(finished == [(target, True)] and len(placed) == 1 and not warnings,
          "protect a copy runs once and succeeds: %s %s" % (finished, warnings))
    check(not [p for p in temps if os.path.exists(os.path.dirname(p))], "the temp export folder is removed")

    layers = len(document.topLevelNodes())
    scrim.add_layer(document, target)
    nodes = document.topLevelNodes()
    check(len(nodes) == layers + 1 and nodes[-1].name() == "Scrim protected", "the result is added as a new layer")
    expected = QImage(target).convertToFormat(QImage.Format_ARGB32)
    bits = expected.constBits()
    bits.setsize(expected.sizeInBytes())
    check(bytes(nodes[-1].pixelData(0, 0, 64, 64)) == bytes(bits), "the new layer holds the protected pixels")
    before = len(app.documents())
    # Without a window nothing else holds the new document: keep its wrapper, or Krita closes it.
    opened = scrim.open_document(document, target)
    check(opened is not None and len(app.documents()) == before + 1 and opened.fileName() == "",
          "or it opens as a new, unsaved document: %s %s" % ([d.fileName() for d in app.documents()], warnings))
    app.writeSetting("scrim", "protect_on_export", "false")


def test_dialog_controls():
    """Native controls: the decoy is a dropdown of the engine's decoys, the anchor row (field and button) is enabled
    only for a mode that needs an anchor, and the strength slider gives the presets or a custom bound."""
    settings = engine_bridge.Settings(dict(engine_bridge.DEFAULTS))
    dialog = dialogs.ProtectDialog(settings, INFO, "Export Protected")
    decoys = [dialog.decoy.itemText(i) for i in range(dialog.decoy.count())]
    check(decoys == list(INFO.decoys) and not dialog.decoy.isEditable(),
          "the decoy is a dropdown of the engine's decoys: %s" % decoys)
    button = [w for w in dialog.anchor_row.children() if w.metaObject().className() == "QPushButton"][0]
    states = {}
    for mode in ("mask", "poison", "both"):
        dialog.mode.setCurrentText(mode)
        states[mode] = (dialog.anchors.isEnabled(), button.isEnabled(), dialog.decoy.isEnabled())
    check(states == {"mask": (False, False, True), "poison": (True, True, False), "both": (True, True, True)},
          "the anchor field and its button are enabled together, only when the mode needs an anchor: %s" % states)
    strength = dialog.strength.slider
    picked = {}
    for value in (strength.minimum(), 90, 110, strength.maximum()):
        strength.setValue(value)
        options = dialog.options()
        picked[value] = (options.preset, options.max_visibility, dialog.strength.label.text().split(" ")[0])
    check(picked == {50: ("low", None, "low"), 90: ("default", None, "default"),
                     110: ("default", 0.11, "custom:"), 140: ("high", None, "high")},
          "the strength slider runs through the presets with a continuous bound: %s" % picked)
    dialog.effort.setCurrentText("max")
    check(dialog.options().effort == "max" and "%d steps" % INFO.steps("high", "max") in dialog.strength.label.text(),
          "the effort goes with the strength, its steps said beside it: %r" % dialog.strength.label.text())
    dialog.close()


def test_settings_strength():
    """Scrim Settings shows a custom bound the slider saved as such; choosing a preset there drops it, so the new
    preset is not paired with the old bound."""
    settings = engine_bridge.Settings(dict(engine_bridge.DEFAULTS))
    settings.set("preset", "default")
    settings.set("max_visibility", "0.1000")
    dialog = dialogs.SettingsDialog(settings, lambda trial: ("java", "engine"), INFO.presets)
    dialog.apply()
    check((settings.get("preset"), settings.get("max_visibility")) == ("default", "0.1000"),
          "left as it was, the custom bound stays: %s" % settings.values)
    dialog.preset.setCurrentText("high")
    dialog.apply()
    check((settings.get("preset"), settings.get("max_visibility")) == ("high", ""),
          "a preset chosen in Settings is that preset, without the old bound: %s" % settings.values)
    dialog.close()


def test_preview(work, source):
    """The fast preview: a crop at 1:1 beside the original, protected with a few steps, no metadata, at the
    crop's working size; moving the slider computes it again with the new bound."""
    crop = os.path.join(work, "crop.png")
    QImage(source).copy(0, 0, 64, 64).save(crop)
    asked = os.path.join(work, "preview-args.jsonl")
    os.environ.update(FAKE_SCRIM="ok", FAKE_SCRIM_ARGS=asked)
    env = engine_bridge.engine_environment(os.environ, engine_bridge.locate_java(engine_bridge.Settings(dict(
        engine_bridge.DEFAULTS)), os.environ))

    def make_job(crop_path, target, options):
        return runner.ProtectJob(FAKE, env, crop_path, target, options)

    dialog = dialogs.ProtectDialog(engine_bridge.Settings(dict(engine_bridge.DEFAULTS)), INFO, "Export Protected",
                                   preview=(crop, 64, make_job))
    shown = wait_for(dialog.preview.shown, 30)
    pixmap = dialog.preview.protected.pixmap()
    check(shown is not None and pixmap is not None and (pixmap.width(), pixmap.height()) == (64, 64)
          and dialog.preview.status.text().startswith("Fast preview at %d steps" % INFO.preview_steps),
          "the preview shows the protected crop at 1:1, labelled as a fast preview: %s"
          % dialog.preview.status.text())
    dialog.strength.slider.setValue(120)
    again = wait_for(dialog.preview.shown, 30)
    with open(asked) as f:
        runs = [json.loads(line) for line in f]

    def value(argv, flag):
        return argv[argv.index(flag) + 1] if flag in argv else None

    check(again is not None and len(runs) == 2 and again[0] != shown[0],
          "moving the slider computes the preview again, once: %d runs" % len(runs))
    check([value(runs[0], "--steps"), value(runs[0], "--work-size"), "--no-verify" in runs[0],
           "--no-tags" in runs[0]] == [str(INFO.preview_steps), "64", True, True],
          "the preview runs a few steps at the crop's working size, unverified and untagged: %s" % runs[0])
    check((value(runs[0], "--max-visibility"), value(runs[1], "--max-visibility"), value(runs[1], "--preset"))
          == (None, "0.1200", None), "the second preview keeps to the new bound: %s" % runs[1])
    dialog.reject()
    check(not os.path.exists(os.path.dirname(shown[0])), "the preview's files go with the dialog")
    del os.environ["FAKE_SCRIM"], os.environ["FAKE_SCRIM_ARGS"]


def test_preview_layout(work):
    """The preview's caption sits under both images at any size of the dialog, however many lines it wraps to: a
    crop as large as the preview gets (the images then reach below the form) with the caption of a failed preview
    (long: the engine's own words), and a small one with the caption of a shown preview. The dialog, at its minimum
    size and larger, must show the images whole and the caption whole below them."""
    os.environ["FAKE_SCRIM_ARGS"] = os.path.join(work, "layout-args.jsonl")
    shots = os.environ.get("SCRIM_KRUNNER_SHOTS", work)
    for side, behaviour in ((INFO.preview_max_side, "model"), ((INFO.preview_side + INFO.preview_max_side) // 2,
                                                               "model"), (64, "ok")):
        os.environ["FAKE_SCRIM"] = behaviour
        env = engine_bridge.engine_environment(os.environ, engine_bridge.locate_java(engine_bridge.Settings(dict(
            engine_bridge.DEFAULTS)), os.environ))
        crop = os.path.join(work, "layout-crop.png")
        image = QImage(side, side, QImage.Format_RGB32)
        image.fill(0x808080)
        image.save(crop)
        dialog = dialogs.ProtectDialog(engine_bridge.Settings(dict(engine_bridge.DEFAULTS)), INFO, "Export Protected",
                                       preview=(crop, side, lambda c, t, o: runner.ProtectJob(FAKE, env, c, t, o)))
        dialog.show()
        pane = dialog.preview
        deadline = time.monotonic() + 30
        while not pane.status.text().startswith(("Fast preview", "No preview")) and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.AllEvents, 100)
        for name, grow in (("minimum", QSize(0, 0)), ("larger", QSize(200, 150))):
            dialog.resize(dialog.minimumSize() + grow)
            loop = QEventLoop()
            QTimer.singleShot(300, loop.quit)
            loop.exec_()
            caption = _in(pane.status, dialog)
            images = [_in(label, dialog) for label in (pane.original, pane.protected)]
            path = os.path.join(shots, "preview-layout-%d-%s.png" % (side, name))
            dialog.grab().save(path)
            check(all(r.width() >= side and r.height() >= side for r in images)
                  and not any(caption.intersects(r) for r in images)
                  and caption.top() > max(r.bottom() for r in images)
                  and pane.status.height() >= pane.status.heightForWidth(pane.status.width())
                  and dialog.rect().contains(caption),
                  "a %d px preview's caption (%d chars) lies whole under its images, dialog at its %s size (%s): "
                  "caption %s, images %s" % (side, len(pane.status.text()), name, path, caption, images))
        dialog.reject()
    del os.environ["FAKE_SCRIM"], os.environ["FAKE_SCRIM_ARGS"]


def _in(widget, window):
    """The widget's rectangle in the window's coordinates."""
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_verdict_and_ai_view(work, source, engine):
    """After a protection the verdict stays in a window until dismissed; its button renders the AI view with the
    real engine and opens it as a new document."""
    app = Krita.instance()
    app.writeSetting("scrim", "engine", engine)
    scrim = extension.ScrimExtension(app)
    scrim.notify = lambda text: None
    target = os.path.join(work, "verdict.protected.png")
    result, message, _, _ = run_job(engine, source, target, options=engine_bridge.ProtectOptions(
        preset="low", decoy="pattern", seed=2), timeout_s=300)
    check(result is not None and result.verdict is not None, "a protection with a verdict: %s" % message)
    if result is None:
        return
    kept = scrim._keep_for_ai_view(source, target)
    scrim.show_verdict(target, result, engine_bridge.ProtectOptions(decoy="pattern", seed=2), kept)
    verdict = scrim.verdict
    check(verdict.isVisible() and not verdict.isModal() and "against the models checked" in verdict.text(),
          "the verdict window stays open, non-modal: %r" % verdict.text())
    documents = len(app.documents())
    opened = []
    named = []      # the documents' file names while the view's is open (without a window it closes after)
    scrim.aiViewOpened.connect(lambda path: opened.append((path, QImage(path).size(), len(app.documents())))
                               or named.extend(d.fileName() for d in app.documents()))
    verdict.ai_view.click()
    check(not verdict.ai_view.isEnabled(), "the AI view button waits while the view renders")
    wait_for(scrim.aiViewOpened, 300)
    check(len(opened) == 1 and opened[0][1].width() > opened[0][1].height() and opened[0][2] == documents + 1,
          "the AI view (original and protected side by side) opens as a new document: %s %r"
          % (opened, verdict.status.text()))
    view_name = os.path.join(work, "verdict.protected.ai-view.png")
    check(view_name in named and not os.path.exists(view_name),
          "the AI view's document is named beside the protected file (not '[Not Saved]'), written only if saved: %r"
          % named)
    verdict.close()
    check(not os.path.exists(kept[0]), "closing the verdict removes its copies")


def test_folder(work, source, engine):
    """Protect a Folder through the engine's batch: each image protected into the other folder under its name."""
    app = Krita.instance()
    app.writeSetting("scrim", "engine", engine)
    scrim = extension.ScrimExtension(app)
    reports, warnings = [], []
    scrim.notify = lambda text: None
    scrim.report = lambda text, details: reports.append((text, details))
    scrim.warn = warnings.append
    folder, out = os.path.join(work, "folder"), os.path.join(work, "folder", "protected")
    os.makedirs(folder)
    image = QImage(source)
    for name, x in (("a.png", 0), ("b.png", 32)):
        image.copy(x, 0, 64, 64).save(os.path.join(folder, name))
    dialog = dialogs.FolderDialog(engine_bridge.Settings(dict(engine_bridge.DEFAULTS)), INFO)
    dialog.source.setText(folder)
    check(dialog.folders() == (folder, out) and dialog.found.text() == "2 images to protect",
          "the folder dialog counts the images and proposes FOLDER/protected: %s %r"
          % (dialog.folders(), dialog.found.text()))
    dialog.close()
    job = scrim.start_folder(folder, out, engine_bridge.ProtectOptions(preset="low", decoy="pattern", steps=2))
    started, labels = [], []
    job.fileStarted.connect(lambda number, count: started.append((number, count)))
    progress = scrim._progress[-1]
    job.progressed.connect(lambda step, total: labels.append(progress.labelText()))
    finished = wait_for(scrim.folderFinished, 300)
    check(finished is not None and finished[0] and sorted(os.listdir(out)) == ["a.png", "b.png"],
          "every image of the folder is protected into the other folder: %s %s %s"
          % (finished, os.listdir(out) if os.path.isdir(out) else None, warnings))
    check(started == [(1, 2), (2, 2)] and "image 2 of 2; for this image:\nstep 2 of 2" in labels[-1],
          "the progress counts the images: %s %r" % (started, labels[-1:]))
    check(all(not filecmp.cmp(os.path.join(folder, n), os.path.join(out, n), shallow=False) for n in ("a.png", "b.png")
              if os.path.exists(os.path.join(out, n))), "the protected images differ from the originals")
    check(len(reports) == 1 and reports[0][0].startswith("2 of 2 images protected")
          and "a.png: " in reports[0][1], "the report lists each image: %s" % reports)


def test_protect_on_export(work, source):
    """Protect on Export with the real extension: Krita's plain export leaves its final name at once, and a failed,
    cancelled or impossible protection leaves no file there (or the plain one under a name that says so, if asked),
    with a message that says plainly it is NOT protected."""
    app = Krita.instance()
    folder = os.path.join(work, "exports")
    os.makedirs(folder)
    target = os.path.join(folder, "art.png")
    app.writeSetting("scrim", "protect_on_export", "true")
    app.writeSetting("scrim", "keep_service", "false")
    scrim = extension.ScrimExtension(app)
    warnings, notes = [], []
    scrim.warn = warnings.append
    scrim.notify = notes.append

    def export(behaviour, engine=FAKE, keep="false", cancel=False):
        del warnings[:], notes[:]
        app.writeSetting("scrim", "engine", engine)
        app.writeSetting("scrim", "keep_unprotected", keep)
        os.environ["FAKE_SCRIM"] = behaviour
        shutil.copyfile(source, target)         # what Krita's File > Export has just written
        finished = []
        loop = QEventLoop()
        scrim.protectionFinished.connect(lambda path, ok, message: (finished.append(ok), loop.quit()))
        scrim.on_image_saved(target)
        during = os.path.exists(target)
        if cancel and scrim.queue.current is not None:
            QTimer.singleShot(500, scrim.queue.current.cancel)
        if not finished:
            QTimer.singleShot(60000, loop.quit)
            loop.exec_()
        scrim.protectionFinished.disconnect()
        return during, finished

    during, finished = export("slow", cancel=True)
    check(not during, "the plain export leaves its final name while the protection runs")
    check(finished == [False] and not os.path.exists(target) and os.listdir(folder) == []
          and any("NOT protected" in n for n in notes),
          "cancel leaves no file under the final name and says NOT protected: %s %s" % (os.listdir(folder), notes))
    for behaviour, engine, what in (("model", FAKE, "a missing model"),
                                    ("ok", os.path.join(work, "no-such-scrim"), "a missing engine")):
        _, finished = export(behaviour, engine)
        check(finished == [False] and os.listdir(folder) == [] and len(warnings) == 1
              and warnings[0].startswith("NOT protected: ") and ("No file was written to " + target) in warnings[0],
              "%s leaves no file and says NOT protected: %s %s" % (what, os.listdir(folder), warnings))
    _, finished = export("model", keep="true")
    kept = os.path.join(folder, "art.unprotected.png")
    check(finished == [False] and os.listdir(folder) == ["art.unprotected.png"]
          and filecmp.cmp(source, kept, shallow=False) and kept in warnings[0],
          "if the user asked, the plain export is kept under a name that says so: %s" % warnings)
    os.remove(kept)
    _, finished = export("ok")
    check(finished == [True] and os.listdir(folder) == ["art.png"] and not warnings,
          "a protection that succeeds puts the result under the final name: %s" % os.listdir(folder))
    app.writeSetting("scrim", "protect_on_export", "false")
    del os.environ["FAKE_SCRIM"]


def when_dialog_opens(name, act):
    """Calls `act(dialog)` once the modal dialog with this object name is on screen (the code under test opens it
    with exec_, which returns only when the dialog closes)."""
    def look():
        dialog = QApplication.activeModalWidget()
        if dialog is not None and dialog.objectName() == name:
            act(dialog)
        else:
            QTimer.singleShot(100, look)

    QTimer.singleShot(100, look)


def test_toggle_outlives_dialogs(image):
    """Protect on Export switched on while a dialog is open stays on when the dialog closes: the dialogs hold a copy
    of the settings taken as they opened, and saving their choices must not write that copy's older toggle back (the
    next exports would then be written plain, with no word)."""
    app = Krita.instance()
    app.writeSetting("scrim", "engine", FAKE)
    app.writeSetting("scrim", "keep_service", "false")
    os.environ["FAKE_SCRIM"] = "ok"
    scrim = extension.ScrimExtension(app)
    scrim._info = INFO
    scrim.notify = lambda text: None
    warnings = []
    scrim.warn = warnings.append
    document = app.openDocument(image)
    document.scaleImage(64, 64, 72, 72, "bicubic")
    scrim.document = lambda: document

    def switch_on_then(press):
        def act(dialog):
            scrim.set_protect_on_export(True)       # what the Tools > Scrim toggle does
            press(dialog)
        return act

    def protect(dialog):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()

    app.writeSetting("scrim", "protect_on_export", "false")
    when_dialog_opens("scrim_protect_dialog", switch_on_then(protect))
    scrim.protect_current()
    finished = wait_for(scrim.protectionFinished, 60)
    check(finished is not None and finished[1] and not warnings, "Protect Current Image ran: %s %s"
          % (finished, warnings))
    check(finished is not None and os.path.basename(finished[0]) == "chelsea.protected.png",
          "its result is named after the image's file, not 'image': %s" % (finished and finished[0]))
    check(app.readSetting("scrim", "protect_on_export", "") == "true" and scrim.settings().protect_on_export,
          "Protect on Export switched on during Protect Current Image's dialog stays on: %r"
          % app.readSetting("scrim", "protect_on_export", ""))

    app.writeSetting("scrim", "protect_on_export", "false")
    when_dialog_opens("scrim_settings_dialog", switch_on_then(lambda dialog: dialog.accept()))
    scrim.edit_settings()
    check(app.readSetting("scrim", "protect_on_export", "") == "true",
          "Protect on Export switched on while Scrim Settings is open stays on after its OK: %r"
          % app.readSetting("scrim", "protect_on_export", ""))
    app.writeSetting("scrim", "protect_on_export", "false")
    del os.environ["FAKE_SCRIM"]


def test_named_images_run_the_command(work, source):
    """A protection with a decoy image or anchors runs the command even while a service is running: the service
    reads no image a request names unless it was started with --images-dir, which the plugin does not give it."""
    app = Krita.instance()
    app.writeSetting("scrim", "engine", FAKE)
    scrim = extension.ScrimExtension(app)
    scrim.session.service = lambda keep_running, launcher: service.Service("http://127.0.0.1:9", "token")
    target = os.path.join(work, "named.protected.png")
    kinds = [type(scrim.make_job(source, target, options)).__name__ for options in (
        engine_bridge.ProtectOptions(), engine_bridge.ProtectOptions(decoy_image=source),
        engine_bridge.ProtectOptions(mode="poison", anchors=[source]))]
    check(kinds == ["ServiceJob", "ProtectJob", "ProtectJob"],
          "a decoy image or anchors go to the command, the rest to the running service: %s" % kinds)


class SteppingService:
    """A stand-in for a running `scrim serve` whose job runs until cancelled, reporting a step at every poll. Like
    the service, it stops between two steps: the step under way when Cancel came still takes its time, and the job's
    progress keeps coming from ServiceJob's polling thread after Cancel has ended the job in Krita."""

    STEP_S = 1.5

    def __init__(self):
        self.cancelled = False

    def protect(self, source, output, options, job, given_up):
        while not self.cancelled:
            time.sleep(0.05)
        time.sleep(self.STEP_S)
        return engine_bridge.FileResult(input=source, output="", ok=False, error="cancelled")

    def progress(self, job):
        return {"phase": "protecting", "step": 1, "total": 30}

    def cancel(self, job):
        self.cancelled = True
        return True


def test_cancel_with_late_progress(work, source):
    """Cancel in the progress window ends the job and closes (deletes) the window; progress already on its way
    from the service must then be dropped, not raise 'wrapped C/C++ object of type QProgressDialog has been
    deleted' (Krita shows that as a Script error)."""
    app = Krita.instance()
    scrim = extension.ScrimExtension(app)
    notes = []
    scrim.notify = notes.append
    scrim.warn = notes.append
    stand_in = SteppingService()
    scrim.make_job = lambda s, t, o: runner.ServiceJob(stand_in, s, t, o)
    target = os.path.join(work, "cancelled.protected.png")
    errors = []
    hook, sys.excepthook = sys.excepthook, lambda kind, value, tb: errors.append("%s: %s" % (kind.__name__, value))
    try:
        job = scrim.start(source, target, engine_bridge.ProtectOptions(), "Protecting", lambda: "", lambda: None)
        dialog = scrim._progress[-1]
        check(wait_for(job.progressed, 10) is not None, "the stand-in service reports progress")
        dialog.findChild(QPushButton).click()       # its Cancel button
        check(sip.isdeleted(dialog) or not dialog.isVisible(), "Cancel closes the progress window")
        for _ in range(8):                          # the polling thread's next steps arrive (every 0.5 s)
            QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
            loop = QEventLoop()
            QTimer.singleShot(250, loop.quit)
            loop.exec_()
        check(sip.isdeleted(dialog) and stand_in.cancelled, "the window is gone and the service was told to stop")
    finally:
        sys.excepthook = hook
    check(not errors and any("cancelled, NOT protected" in n for n in notes),
          "progress arriving after Cancel raises no Python error: %s %s" % (errors, notes))


def __main__(args):
    try:
        work, image = args[0], args[1]
        engine = args[2] if len(args) > 2 else ""
        os.makedirs(work, exist_ok=True)
        source = test_export(work, image)
        global INFO
        if engine:
            INFO = engine_bridge.info(engine, os.environ)
        # SCRIM_KRUNNER_ONLY=protect_on_export,extension runs those tests (Krita's start is the slow part of the
        # others).
        only = os.environ.get("SCRIM_KRUNNER_ONLY")
        if only:
            given = {"work": work, "source": source, "image": image, "engine": engine}
            for name in only.split(","):
                test = globals()["test_" + name]
                test(*[given[arg] for arg in test.__code__.co_varnames[:test.__code__.co_argcount]])
            return finish()
        test_stand_in(work, source)
        test_protect_on_export(work, source)
        test_cancel_with_late_progress(work, source)
        test_named_images_run_the_command(work, source)
        test_extension(work, image)
        if engine:
            test_toggle_outlives_dialogs(image)
            test_dialog_controls()
            test_settings_strength()
            test_preview(work, source)
            test_preview_layout(work)
            test_real_engine(work, source, engine)
            test_service_job(work, source, engine)
            test_verdict_and_ai_view(work, source, engine)
            test_folder(work, source, engine)
        else:
            check(False, "no real scrim launcher given")
    except Exception:
        traceback.print_exc()
        failures.append("exception")
    finish()


def finish():
    sys.stdout.flush()
    print("%d failure(s)" % len(failures), flush=True)
    os._exit(1 if failures else 0)
