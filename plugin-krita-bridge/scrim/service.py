"""Talks to `scrim serve`, the engine kept running with its model loaded, so an export skips the JVM start and the
model load. The service writes its port and token to a state file readable by the user alone; every request sends
the token.

No Qt and no Krita in here (plain urllib and subprocess), so it is tested under plain Python against a real service.
"""
import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, List, Mapping, Optional, Tuple, Union

try:
    from . import engine_bridge
except ImportError:             # plain Python tests import the modules directly
    import engine_bridge

REPORT_HEADER = "X-Scrim-Report"
BUSY_RETRY_S = 1.0
FLAGS = ("--no-tags", "--no-verify", "--json")      # options of `scrim protect` without a value
SERVICE_WIDE = ("threads", "progress", "json")      # set when the service starts, or meaningless over HTTP


class Service:
    """A running `scrim serve`, as its state file describes it."""

    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    @classmethod
    def from_state(cls, path: str) -> Optional["Service"]:
        """The service the state file names, or None when there is no usable file."""
        try:
            with open(path, encoding="utf-8") as f:
                state = json.load(f)
            return cls(str(state["url"]), str(state["token"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _request(self, method: str, path: str, body: Optional[bytes] = None,
                 timeout: float = 10) -> Tuple[int, Mapping[str, str], bytes]:
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    @staticmethod
    def _error(status: int, body: bytes) -> str:
        try:
            return json.loads(body.decode("utf-8"))["error"]
        except (ValueError, KeyError, TypeError):
            return "HTTP %d" % status

    def health(self) -> dict:
        status, _, body = self._request("GET", "/health", timeout=3)
        if status != 200:
            raise engine_bridge.BridgeError("the Scrim service answered %s" % self._error(status, body))
        return json.loads(body.decode("utf-8"))

    def alive(self) -> bool:
        try:
            self.health()
            return True
        except (OSError, ValueError, engine_bridge.BridgeError):
            return False

    def protect(self, source: str, output: str, options: engine_bridge.ProtectOptions, job: str = "",
                timeout: float = 3600, given_up: Callable[[], bool] = lambda: False) -> engine_bridge.FileResult:
        """Protects `source` into `output` (written only on success). `job` names the job, so `progress(job)` and
        `cancel(job)` can reach it. A busy service is asked again every second until `timeout` or `given_up()`: it
        answers "busy" at once rather than queueing."""
        with open(source, "rb") as f:
            image = f.read()
        deadline = time.monotonic() + timeout
        path = "/protect?" + query(options, source, output) + ("&job=" + urllib.parse.quote(job) if job else "")
        while True:
            status, headers, body = self._request("POST", path, image, timeout=timeout)
            if status != 503 or time.monotonic() + BUSY_RETRY_S > deadline or given_up():
                break
            time.sleep(BUSY_RETRY_S)
        if status != 200:
            return engine_bridge.FileResult(input=source, output="", ok=False, error=self._error(status, body))
        result = engine_bridge.parse_report(json.dumps({"files": [json.loads(headers.get(REPORT_HEADER, "{}"))]}))[0]
        with open(output, "wb") as f:
            f.write(body)
        result.input, result.output = source, output
        return result

    def progress(self, job: str) -> Optional[dict]:
        """A named job's phase and steps (`{"phase", "step", "total", ...}`), or None when it is not running."""
        status, _, body = self._request("GET", "/jobs/" + urllib.parse.quote(job), timeout=3)
        return json.loads(body.decode("utf-8")) if status == 200 else None

    def cancel(self, job: str) -> bool:
        """Stops a named job between two steps; False when it was not running (finished, or not yet started)."""
        status, _, _ = self._request("DELETE", "/jobs/" + urllib.parse.quote(job), timeout=3)
        return status == 200

    def shutdown(self) -> None:
        self._request("POST", "/shutdown", timeout=3)


def query(options: engine_bridge.ProtectOptions, source: str, output: str) -> str:
    """The query of POST /protect: the options `protect_command` puts on the command line, by the same names, and
    the format of the output (an export hands over a temporary PNG whatever format the artist chose)."""
    argv = engine_bridge.protect_command(engine_bridge.LAUNCHER, source, "", options)[5:]
    pairs: List[Tuple[str, str]] = [("format", os.path.splitext(output)[1].lstrip(".").lower() or "png")]
    i = 0
    while i < len(argv):
        key = argv[i][2:]
        value = "true" if argv[i] in FLAGS else argv[i + 1]
        i += 1 if argv[i] in FLAGS else 2
        if key not in SERVICE_WIDE:
            pairs.append((key, value))
    return urllib.parse.urlencode(pairs)


def takes(options: engine_bridge.ProtectOptions) -> bool:
    """Whether the service can run these choices. It reads images a request names only from a folder it was given
    at start (`scrim serve --images-dir`), and the plugin gives it none: a protection with a decoy image or anchors
    runs the command, which reads them as the artist can."""
    return not options.decoy_image and not options.anchors


def connect(state_file: str) -> Optional[Service]:
    """The service the state file names, if it answers."""
    service = Service.from_state(state_file)
    return service if service is not None and service.alive() else None


def launch(engine: str, env: Mapping[str, str], state_file: str, threads: int = 0) -> subprocess.Popen:
    """Starts `scrim serve` in the background and returns at once. It stops when this process ends (its stdin is
    a pipe only we hold); its messages go to service.log beside the state file."""
    folder = os.path.dirname(os.path.abspath(state_file))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    argv = [engine, "serve", "--state-file", state_file, "--until-stdin-closes"]
    if threads > 0:
        argv += ["--threads", str(threads)]
    with open(os.path.join(folder, "service.log"), "ab") as log:
        return subprocess.Popen(argv, env=dict(env), stdin=subprocess.PIPE, stdout=log, stderr=log,
                                cwd=folder, start_new_session=True)


class Session:
    """One Krita session's use of the service: a running one when it answers, else one started in the background
    once (when the user keeps Scrim running), else none: then the export runs the `scrim` command as before."""

    def __init__(self, state_file: Union[str, Callable[[], Optional[str]]]):
        """`state_file`: the service's state file, or a function giving it (the engine's, from `scrim info`; None
        while no engine is found)."""
        self._state_file = state_file if callable(state_file) else (lambda: state_file)
        self.launched = False
        self.process: Optional[subprocess.Popen] = None     # held: its stdin pipe keeps the service alive

    def service(self, keep_running: bool,
                launcher: Callable[[], Optional[subprocess.Popen]]) -> Optional[Service]:
        if self.state_file is None:
            return None
        running = connect(self.state_file)
        if running is None and keep_running and not self.launched:
            # This export runs the command; the ones after it find the service once its model is loaded.
            self.launched = True
            self.process = launcher()
        return running

    @property
    def state_file(self) -> Optional[str]:
        return self._state_file()
