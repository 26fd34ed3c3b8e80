"""Runs a protection without blocking Krita: `scrim protect` out of process with QProcess (progress from stderr,
cancel kills it), or a request to a running `scrim serve` from a worker thread.

Results are written to a temp file beside the target and renamed onto it, so a cancelled or failed run never leaves
a half-written image and a protected export replaces the plain one atomically.
"""
import os
import threading
import time
import uuid

from PyQt5 import sip
from PyQt5.QtCore import QObject, QProcess, QProcessEnvironment, Qt, pyqtSignal
from PyQt5.QtWidgets import QProgressDialog

from . import engine_bridge, policy


class Job(QObject):
    """Protects one file: `source` -> `target` (the same path for protect-in-place), through a temp file beside it."""

    progressed = pyqtSignal(int, int)
    phaseChanged = pyqtSignal(str)
    succeeded = pyqtSignal(object)      # engine_bridge.FileResult, output = target
    failed = pyqtSignal(str)            # a sentence for the user; "" when cancelled

    def __init__(self, source, target, parent=None):
        super().__init__(parent)
        self.source = source
        self.target = target
        self._temp = policy.temp_beside(target)
        self._settled = False
        self.cancelled = False

    def _deliver(self, result):
        """Moves the protected temp file onto the target and reports success, or reports why it could not."""
        try:
            os.replace(self._temp, self.target)
        except OSError as e:
            self._fail("the protected result could not be moved onto %s: %s" % (self.target, e.strerror or e))
            return
        result.output = self.target
        self._settled = True
        self.succeeded.emit(result)

    def _fail(self, message):
        if self._settled:
            return
        self._settled = True
        if os.path.exists(self._temp):
            os.remove(self._temp)
        self.failed.emit(message)


class EngineProcess(QObject):
    """One `scrim` command run out of process with QProcess: its progress lines on stderr become signals, its stdout
    (the JSON report) is kept, and `ended` says how it finished; `kill()` stops it."""

    progressed = pyqtSignal(int, int)
    phaseChanged = pyqtSignal(str)
    ended = pyqtSignal(int, bool, str)  # exit code, crashed, stdout
    notStarted = pyqtSignal(str)        # a sentence: the program could not be started

    def __init__(self, argv, env, folder, parent=None):
        super().__init__(parent)
        self.argv = list(argv)
        self._env = env
        self._folder = folder
        self.parser = engine_bridge.ProgressParser()
        self._stdout = bytearray()
        self._process = QProcess(self)
        self._process.readyReadStandardError.connect(self._on_stderr)
        self._process.readyReadStandardOutput.connect(self._on_stdout)
        self._process.finished.connect(self._on_finished)
        self._process.errorOccurred.connect(self._on_error)

    def start(self):
        environment = QProcessEnvironment()
        for key, value in self._env.items():
            environment.insert(key, value)
        self._process.setProcessEnvironment(environment)
        self._process.setWorkingDirectory(self._folder)
        self._process.start(self.argv[0], self.argv[1:])

    def kill(self):
        self._process.kill()

    def explain(self, code):
        """A sentence for a failed run, with the engine's last words."""
        return engine_bridge.explain_exit(code, self.parser.other_lines)

    def _on_stderr(self):
        chunk = bytes(self._process.readAllStandardError()).decode("utf-8", "replace")
        self._dispatch(self.parser.feed(chunk))

    def _on_stdout(self):
        self._stdout += bytes(self._process.readAllStandardOutput())

    def _dispatch(self, events):
        for event in events:
            if event.kind == "progress":
                self.progressed.emit(event.step, event.total)
            elif event.kind == "phase":
                self.phaseChanged.emit(event.text)

    def _on_error(self, error):
        if error == QProcess.FailedToStart:
            self.notStarted.emit("could not start the scrim engine %s: %s" % (self.argv[0],
                                                                              self._process.errorString()))

    def _on_finished(self, code, status):
        self._on_stderr()
        self._on_stdout()
        self._dispatch(self.parser.finish())
        self.ended.emit(code, status != QProcess.NormalExit, bytes(self._stdout).decode("utf-8", "replace"))


class ProtectJob(Job):
    """A job run by the `scrim` command in its own process."""

    def __init__(self, engine, env, source, target, options, parent=None):
        super().__init__(source, target, parent)
        self._run = EngineProcess(engine_bridge.protect_command(engine, source, self._temp, options), env,
                                  os.path.dirname(os.path.abspath(target)), self)
        self._run.progressed.connect(self.progressed)
        self._run.phaseChanged.connect(self.phaseChanged)
        self._run.notStarted.connect(self._fail)
        self._run.ended.connect(self._on_ended)

    @property
    def argv(self):
        return list(self._run.argv)

    def start(self):
        self._run.start()

    def cancel(self):
        if self._settled:
            return
        self.cancelled = True
        self._run.kill()

    def _on_ended(self, code, crashed, stdout):
        if self.cancelled:
            self._fail("")
            return
        if crashed:
            self._fail("the scrim engine crashed: " + self._run.explain(code))
            return
        try:
            results = engine_bridge.parse_report(stdout)
        except engine_bridge.BridgeError as e:
            self._fail(self._run.explain(code) if code else str(e))
            return
        result = results[0] if results else None
        if code != engine_bridge.EXIT_OK or result is None or not result.ok:
            reason = result.error if result is not None and result.error else self._run.explain(code)
            self._fail("could not protect %s: %s" % (os.path.basename(self.target), reason))
            return
        self._deliver(result)


class FolderJob(QObject):
    """Protects every image directly in a folder into another folder with one `scrim protect FOLDER --out-dir`
    (the engine's batch: the model is loaded once). `succeeded` carries a FileResult per image, failed ones
    included; `failed` means the run as a whole did not happen ("" when cancelled)."""

    progressed = pyqtSignal(int, int)
    phaseChanged = pyqtSignal(str)
    fileStarted = pyqtSignal(int, int)  # the image's number (from 1), of how many
    succeeded = pyqtSignal(object)      # [engine_bridge.FileResult]
    failed = pyqtSignal(str)

    def __init__(self, engine, env, source, target, options, count, parent=None):
        super().__init__(parent)
        self.source = source
        self.target = target
        self.count = count
        self.cancelled = False
        self._file = 0
        self._last_step = None
        self._run = EngineProcess(engine_bridge.protect_command(engine, source, target, options, out_dir=True),
                                  env, target, self)
        self._run.progressed.connect(self._on_progress)
        self._run.phaseChanged.connect(self.phaseChanged)
        self._run.notStarted.connect(self.failed)
        self._run.ended.connect(self._on_ended)

    def start(self):
        self._run.start()

    def cancel(self):
        self.cancelled = True
        self._run.kill()

    def _on_progress(self, step, total):
        # Each image counts its own steps from 1: a count that starts again is the next image.
        if self._last_step is None or step <= self._last_step:
            self._file += 1
            self.fileStarted.emit(min(self._file, self.count), self.count)
        self._last_step = step
        self.progressed.emit(step, total)

    def _on_ended(self, code, crashed, stdout):
        if self.cancelled:
            self.failed.emit("")
            return
        try:
            results = engine_bridge.parse_report(stdout)
        except engine_bridge.BridgeError as e:
            self.failed.emit(self._run.explain(code) if code or crashed else str(e))
            return
        if crashed or code not in (engine_bridge.EXIT_OK, engine_bridge.EXIT_FAILED):
            self.failed.emit(self._run.explain(code))
            return
        self.succeeded.emit(results)


class ServiceJob(Job):
    """A job sent to a running `scrim serve` (service.Service) from a worker thread instead of a new process. The
    job is named, so a second thread reads its steps from the service, and Cancel stops it there: the service frees
    its slot at once for the next export."""

    POLL_S = 0.5
    _done = pyqtSignal(object, str)     # from the worker threads, delivered on Krita's GUI thread
    _stepped = pyqtSignal(int, int)

    def __init__(self, service, source, target, options, parent=None):
        super().__init__(source, target, parent)
        self._service = service
        self._options = options
        self.job_id = "krita-" + uuid.uuid4().hex
        self._finished = threading.Event()
        self._done.connect(self._on_done)
        self._stepped.connect(self.progressed)

    def start(self):
        self.phaseChanged.emit("protecting (Scrim service)")
        threading.Thread(target=self._run, daemon=True).start()
        threading.Thread(target=self._poll, daemon=True).start()

    def _run(self):
        try:
            self._done.emit(self._service.protect(self.source, self._temp, self._options, self.job_id,
                                                  given_up=lambda: self.cancelled), "")
        except (OSError, ValueError, engine_bridge.BridgeError) as e:
            self._done.emit(None, "the Scrim service failed: %s" % e)
        finally:
            self._finished.set()

    def _poll(self):
        while not self._finished.wait(self.POLL_S):
            try:
                state = self._service.progress(self.job_id)
            except (OSError, ValueError):
                continue
            if state and state.get("total"):
                self._stepped.emit(int(state["step"]), int(state["total"]))

    def cancel(self):
        if not self._settled:
            self.cancelled = True
            self._fail("")
            # Off Krita's thread: the service answers at once, but a stuck one must not freeze the window.
            threading.Thread(target=self._cancel_in_service, daemon=True).start()

    def _cancel_in_service(self):
        # The request may not have reached the service yet: ask until it stops the job or the request is over.
        while not self._finished.is_set():
            try:
                if self._service.cancel(self.job_id):
                    return
            except OSError:
                return                  # the service is gone: nothing left to stop
            self._finished.wait(0.2)

    def _on_done(self, result, error):
        if self._settled:               # cancelled meanwhile: drop what came back
            if os.path.exists(self._temp):
                os.remove(self._temp)
        elif result is None or not result.ok:
            self._fail(error or "could not protect %s: %s" % (os.path.basename(self.target), result.error))
        else:
            self._deliver(result)


def show_progress(job, title, parent):
    """A non-modal progress dialog fed by the job; its Cancel kills the engine."""
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("Scrim")
    dialog.setWindowModality(Qt.NonModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    clock = engine_bridge.StepClock()
    heading = [title]

    def on_progress(step, total):
        if sip.isdeleted(dialog):       # Cancel closed it; the job's last signals may still be on their way
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(step, total))
        dialog.setLabelText("%s\n%s" % (heading[0], clock.describe(step, total, time.monotonic())))

    if isinstance(job, FolderJob):
        # The steps and time left are the current image's: say which image it is.
        job.fileStarted.connect(lambda number, count: heading.__setitem__(
            0, "%s\nimage %d of %d; for this image:" % (title, number, count)))
    job.progressed.connect(on_progress)
    job.phaseChanged.connect(lambda name: sip.isdeleted(dialog) or dialog.setLabelText(
        "%s\n%s" % (heading[0], name)))
    dialog.canceled.connect(job.cancel)
    job.succeeded.connect(lambda _result: dialog.close())
    job.failed.connect(lambda _message: dialog.close())
    dialog.show()
    return dialog


class JobQueue(QObject):
    """Runs protect jobs one after another: each already uses all cores it is given."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._waiting = []
        self.current = None

    def busy_paths(self):
        return [job.target for job in ([self.current] if self.current else []) + self._waiting]

    def add(self, job):
        job.succeeded.connect(self._next)
        job.failed.connect(self._next)
        self._waiting.append(job)
        if self.current is None:
            self._next()

    def _next(self, *_ignored):
        self.current = self._waiting.pop(0) if self._waiting else None
        if self.current is not None:
            self.current.start()
