"""Plain-Python tests of the service client against a real `scrim serve` (the launcher in $SCRIM_TEST_ENGINE, by
default the checkout's ./scrim), and of the session logic that picks service, background start or command."""
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scrim"))
import engine_bridge as eb  # noqa: E402
import service  # noqa: E402
from engine_info import ENGINE, INFO  # noqa: E402


def write_png(path, size=64, seed=5):
    """A small noisy RGB PNG: texture gives the perturbation room, so a few steps move the latent."""
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(size * 3)) for _ in range(size))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def start_service(folder):
    """`scrim serve` as the plugin starts it; waits (bounded) until it answers."""
    state = os.path.join(folder, "state", "service.json")
    process = service.launch(ENGINE, os.environ, state, threads=1)
    deadline = time.monotonic() + 300       # the launcher's first run builds the project
    while time.monotonic() < deadline:
        running = service.connect(state)
        if running is not None:
            return process, state, running
        if process.poll() is not None:
            break
        time.sleep(0.2)
    with open(os.path.join(folder, "state", "service.log")) as log:
        raise AssertionError("scrim serve did not come up (exit %s): %s" % (process.poll(), log.read()[-2000:]))


class ServiceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="scrim-service-test-")
        cls.process, cls.state, cls.service = start_service(cls.dir)
        cls.image = write_png(os.path.join(cls.dir, "art.png"))

    @classmethod
    def tearDownClass(cls):
        cls.process.stdin.close()
        cls.process.wait(timeout=30)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_health_names_the_model_and_no_jobs(self):
        health = self.service.health()
        self.assertEqual(("ok", "taef2+taesana", 0), (health["status"], health["model"], health["jobs"]))
        self.assertEqual("600", oct(os.stat(self.state).st_mode & 0o777)[2:], "the state file is the user's alone")

    def test_protects_into_a_tagged_file_with_the_figures(self):
        out = os.path.join(self.dir, "art.protected.png")
        result = self.service.protect(self.image, out, eb.ProtectOptions(preset="low", decoy="pattern", seed=3,
                                                                         creator="Ann Artist"))
        print("service round trip:", result.summary())
        self.assertTrue(result.ok, result.error)
        self.assertEqual(out, result.output)
        self.assertGreater(result.closeness, 0.05, "the latent moved toward the decoy")
        with open(out, "rb") as f:
            self.assertEqual(b"\x89PNG", f.read(4))
        if shutil.which("exiftool"):
            tags = json.loads(subprocess.run(["exiftool", "-j", "-G1", out], capture_output=True,
                                             check=True).stdout)[0]
            self.assertTrue(tags["XMP-plus:DataMining"].endswith("DMI-PROHIBITED-AIMLTRAINING"), tags)
            self.assertEqual("Ann Artist", tags["XMP-dc:Creator"])

    def test_a_bad_image_is_a_failed_result_with_the_engine_words_and_no_output(self):
        bad = os.path.join(self.dir, "bad.png")
        with open(bad, "w") as f:
            f.write("not an image")
        out = os.path.join(self.dir, "bad.protected.png")
        result = self.service.protect(bad, out, eb.ProtectOptions(preset="low", decoy="pattern"))
        self.assertFalse(result.ok)
        self.assertIn("unsupported or unrecognised format", result.error)
        self.assertFalse(os.path.exists(out))
        self.assertEqual("ok", self.service.health()["status"])

    def test_a_named_job_reports_steps_and_cancel_stops_it_in_the_service(self):
        out = os.path.join(self.dir, "cancelled.png")
        outcome = []
        # A 512 px image at preset high takes minutes on one thread: only a real cancel ends it in time.
        large = write_png(os.path.join(self.dir, "large.png"), size=512)
        worker = threading.Thread(target=lambda: outcome.append(self.service.protect(
            large, out, eb.ProtectOptions(preset="high", decoy="pattern"), job="t-1")), daemon=True)
        worker.start()
        state, deadline = None, time.monotonic() + 120
        while (state is None or state["step"] < 1) and time.monotonic() < deadline:
            time.sleep(0.1)
            state = self.service.progress("t-1")
        self.assertTrue(state and state["step"] >= 1 and state["total"] > state["step"], state)
        self.assertTrue(self.service.cancel("t-1"))
        worker.join(timeout=30)
        self.assertFalse(worker.is_alive(), "the request did not end after cancel")
        self.assertFalse(outcome[0].ok)
        self.assertIn("cancelled", outcome[0].error)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(0, self.service.health()["jobs"], "the cancelled job still holds its slot")
        self.assertFalse(self.service.cancel("t-1"), "a finished job cannot be cancelled")

    def test_a_fast_preview_of_a_crop_is_untagged_and_unverified(self):
        crop = write_png(os.path.join(self.dir, "crop.png"), size=96, seed=8)
        out = os.path.join(self.dir, "preview.png")
        options = eb.preview_options(INFO, eb.ProtectOptions(decoy="pattern", max_visibility=0.12, preset="high"), 96)
        started = time.monotonic()
        result = self.service.protect(crop, out, options)
        print("service preview of a 96 px crop, %d steps: %.1f s" % (INFO.preview_steps, time.monotonic() - started))
        self.assertTrue(result.ok, result.error)
        self.assertIsNone(result.closeness, "a preview is not verified")
        with open(crop, "rb") as a, open(out, "rb") as b:
            self.assertNotEqual(a.read(), b.read())
        if shutil.which("exiftool"):
            tags = json.loads(subprocess.run(["exiftool", "-j", "-G1", out], capture_output=True,
                                             check=True).stdout)[0]
            self.assertNotIn("XMP-plus:DataMining", tags, "a preview carries no metadata")

    def test_a_session_uses_the_running_service_and_starts_none(self):
        session = service.Session(self.state)
        running = session.service(True, lambda: self.fail("no second service while one answers"))
        self.assertEqual(self.service.url, running.url)
        self.assertFalse(session.launched)

    def test_a_wrong_token_is_refused(self):
        stranger = service.Service(self.service.url, "0" * 64)
        with self.assertRaisesRegex(eb.BridgeError, "missing or wrong token"):
            stranger.health()
        self.assertFalse(stranger.alive())


class LaunchTest(unittest.TestCase):
    def test_a_launched_service_ends_with_its_owner_and_removes_its_state_file(self):
        folder = tempfile.mkdtemp(prefix="scrim-service-test-")
        try:
            process, state, _ = start_service(folder)
            process.stdin.close()           # what happens when Krita exits, however it exits
            self.assertEqual(0, process.wait(timeout=30))
            self.assertFalse(os.path.exists(state))
            self.assertIsNone(service.connect(state))
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class QueryAndSessionTest(unittest.TestCase):
    def test_the_query_carries_the_command_line_choices(self):
        query = service.query(eb.ProtectOptions(mode="mask", preset="high", decoy="mosaic", tags=False,
                                                creator="A & B", threads=2, seed=7), "/tmp/export.png",
                              "/x/art.protected.JPG")
        self.assertEqual("format=jpg&mode=mask&preset=high&decoy=mosaic&seed=7&no-tags=true&creator=A+%26+B",
                         query)

    def test_choices_that_name_images_are_not_for_the_service(self):
        self.assertTrue(service.takes(eb.ProtectOptions(decoy="sketch")))
        self.assertFalse(service.takes(eb.ProtectOptions(decoy_image="/x/style.png")))
        self.assertFalse(service.takes(eb.ProtectOptions(mode="poison", anchors=["/x/anchors"])))

    def test_the_query_carries_a_custom_bound_and_a_previews_settings(self):
        query = service.query(eb.preview_options(INFO, eb.ProtectOptions(decoy="sketch", max_visibility=0.11,
                                                                          effort="max"), 80), "/x/crop.png",
                              "/x/crop.protected.png")
        self.assertEqual("format=png&mode=mask&max-visibility=0.1100&effort=max&steps=%d&work-size=80"
                         "&no-verify=true&decoy=sketch&no-tags=true" % INFO.preview_steps, query)

    def test_the_decoys_offered_are_the_engines(self):
        shown = subprocess.run([ENGINE, "protect", "--help"], capture_output=True, text=True, timeout=300).stdout
        described = " ".join(shown.split())
        for decoy in INFO.decoys:
            self.assertIn(decoy, described)
        listed = described.split("or one of ", 1)[1].split(".", 1)[0]
        self.assertEqual(list(INFO.decoys[1:]), [d.strip() for d in listed.split(",")])

    def test_running_service_else_one_background_start_else_the_command(self):
        folder = tempfile.mkdtemp(prefix="scrim-session-test-")
        self.addCleanup(shutil.rmtree, folder, True)
        launched = []
        session = service.Session(os.path.join(folder, "service.json"))
        launch = lambda: launched.append(1) or "process"  # noqa: E731
        self.assertIsNone(session.service(False, launch))
        self.assertEqual([], launched, "not kept running: every export runs the command")
        self.assertIsNone(session.service(True, launch), "this export runs the command...")
        self.assertIsNone(session.service(True, launch))
        self.assertEqual([1], launched, "...while the service starts, once per session")
        with open(session.state_file, "w") as f:
            json.dump({"url": "http://127.0.0.1:9", "token": "t"}, f)
        self.assertIsNone(session.service(True, launch), "a stale state file is no service")


class StrengthTest(unittest.TestCase):
    """A strength from Krita's slider and effort makes the request the engine's one rule makes, as the CLI's
    --max-visibility and ImageJ's slider do (cli's StrengthOptionsTest, plugin-imagej's ProtectImageTest)."""

    @staticmethod
    def engine_strength(flags):
        done = subprocess.run([ENGINE, "info"] + flags, capture_output=True, text=True, timeout=300)
        return json.loads(done.stdout)["strength"]

    def test_the_same_strength_makes_the_same_request_as_the_command_line(self):
        high, default = INFO.bound("high"), INFO.bound("default")
        for visibility in (high, (high + default) / 2 + 0.001):
            for effort in ("default", "max"):
                preset, custom = eb.strength(INFO, visibility)
                argv = eb.protect_command(ENGINE, "a.png", "b.png", eb.ProtectOptions(
                    preset=preset, max_visibility=custom, effort=effort))
                flags = []
                for name in ("--preset", "--max-visibility", "--effort"):
                    flags += [name, argv[argv.index(name) + 1]] if name in argv else []
                from_krita = self.engine_strength(flags)
                from_cli = self.engine_strength(["--max-visibility", "%.4f" % visibility, "--effort", effort])
                self.assertEqual(from_cli, from_krita, flags)
                self.assertEqual(("high", INFO.steps("high", effort)), (from_krita["preset"], from_krita["steps"]),
                                 "a bound nearest high is high, with high's steps at this effort")


if __name__ == "__main__":
    unittest.main()
