"""Plain-Python tests of the plugin's Qt-free logic: settings, locating Java and the engine, commands, parsing."""
import os
import stat
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scrim"))
import engine_bridge as eb  # noqa: E402
import policy  # noqa: E402
from engine_info import INFO  # noqa: E402

# What the engine reads and writes (InfoTest checks them against its `scrim info`).
READS = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".tif", ".tiff", ".webp")
WRITES = READS[:-1]


def executable(path):
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path


class SettingsTest(unittest.TestCase):
    def test_defaults_fill_missing_and_empty_values(self):
        stored = {"mode": "both", "preset": ""}
        settings = eb.Settings.load(lambda key, default: stored.get(key, default))
        self.assertEqual("both", settings.get("mode"))
        self.assertEqual("default", settings.get("preset"))
        self.assertFalse(settings.protect_on_export)

    def test_round_trip_through_a_store(self):
        store = {}
        settings = eb.Settings.load(lambda key, default: store.get(key, default))
        settings.set("protect_on_export", True)
        settings.store_options(eb.ProtectOptions(mode="poison", anchors=["/a", "/b"], tags=False, creator="Ann"))
        settings.save(store.__setitem__)
        again = eb.Settings.load(lambda key, default: store.get(key, default))
        self.assertTrue(again.protect_on_export)
        options = again.options()
        self.assertEqual(("poison", ["/a", "/b"], False, "Ann"),
                         (options.mode, options.anchors, options.tags, options.creator))

    def test_a_held_snapshot_writes_back_only_what_it_set(self):
        store = {}
        dialogs_copy = eb.Settings.load(lambda key, default: store.get(key, default))
        toggle = eb.Settings.load(lambda key, default: store.get(key, default))
        toggle.set("protect_on_export", True)       # switched on while a dialog holds its older copy
        toggle.save(store.__setitem__)
        dialogs_copy.store_options(eb.ProtectOptions(mode="both"))
        dialogs_copy.save(store.__setitem__)
        again = eb.Settings.load(lambda key, default: store.get(key, default))
        self.assertTrue(again.protect_on_export, "the dialog's snapshot switched Protect on Export off again")
        self.assertEqual("both", again.get("mode"))

    def test_unknown_key_and_bad_threads_are_errors(self):
        settings = eb.Settings(dict(eb.DEFAULTS))
        with self.assertRaises(KeyError):
            settings.set("colour", "red")
        settings.set("threads", "many")
        with self.assertRaisesRegex(eb.BridgeError, "threads"):
            settings.options()


class LocateTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.root = self.dir.name
        self.settings = eb.Settings(dict(eb.DEFAULTS))

    def tearDown(self):
        self.dir.cleanup()

    def test_order_settings_then_home_then_path_then_beside_plugin(self):
        home = os.path.join(self.root, "home")
        os.makedirs(os.path.join(home, "bin"))
        in_home = executable(os.path.join(home, "bin", "scrim"))
        plugin = os.path.join(self.root, "plugin")
        os.makedirs(os.path.join(plugin, "engine"))
        beside = executable(os.path.join(plugin, "engine", "scrim"))
        nothing = lambda name: None  # noqa: E731
        self.assertEqual(beside, eb.locate_engine(self.settings, {}, plugin, nothing))
        self.assertEqual("/usr/bin/scrim", eb.locate_engine(self.settings, {}, plugin, lambda n: "/usr/bin/" + n))
        self.assertEqual(in_home, eb.locate_engine(self.settings, {"SCRIM_HOME": home}, plugin, nothing))
        self.settings.set("engine", beside)
        self.assertEqual(beside, eb.locate_engine(self.settings, {"SCRIM_HOME": home}, plugin, nothing))

    def test_the_unpacked_bundle_is_found_and_runs_its_own_java(self):
        bundle = os.path.join(self.root, "data", "scrim")
        os.makedirs(os.path.join(bundle, "bin"))
        os.makedirs(os.path.join(bundle, "runtime", "bin"))
        launcher = executable(os.path.join(bundle, "bin", "scrim"))
        java = executable(os.path.join(bundle, "runtime", "bin", "java"))
        env = {"XDG_DATA_HOME": os.path.join(self.root, "data"), "PATH": "/nowhere"}
        engine, engine_env = eb.locate(self.settings, env, self.root, lambda name: None)
        self.assertEqual(launcher, engine)
        self.assertEqual(os.path.dirname(java), engine_env["PATH"].split(os.pathsep)[0], "no Java needed on PATH")

    def test_missing_engine_says_what_was_tried(self):
        with self.assertRaises(eb.SetupError) as caught:
            eb.locate_engine(self.settings, {"SCRIM_HOME": self.root, "HOME": self.root}, self.root,
                             lambda name: None)
        message = str(caught.exception)
        self.assertIn("SCRIM_HOME=" + self.root, message)
        self.assertIn("on PATH", message)
        self.assertIn(os.path.join(self.root, ".local", "share", "scrim"), message)
        self.assertNotIn("Scrim Settings", message, "shown inside Scrim Settings too: must not point to itself")

    def test_a_configured_engine_that_does_not_exist_is_reported_not_skipped(self):
        self.settings.set("engine", os.path.join(self.root, "nope"))
        with self.assertRaisesRegex(eb.BridgeError, "set in Scrim Settings"):
            eb.locate_engine(self.settings, {}, self.root, lambda name: "/usr/bin/scrim")

    def test_java_from_settings_folder_java_home_or_path(self):
        jdk = os.path.join(self.root, "jdk")
        os.makedirs(os.path.join(jdk, "bin"))
        java = executable(os.path.join(jdk, "bin", "java"))
        self.assertEqual(java, eb.locate_java(self.settings, {"JAVA_HOME": jdk}, lambda n: None))
        self.assertEqual("/opt/java", eb.locate_java(self.settings, {}, lambda n: "/opt/java"))
        self.settings.set("java", jdk)
        self.assertEqual(java, eb.locate_java(self.settings, {}, lambda n: None))
        self.settings.set("java", "")
        with self.assertRaisesRegex(eb.BridgeError, "Java 17"):
            eb.locate_java(self.settings, {}, lambda n: None)

    def test_environment_puts_chosen_java_first(self):
        env = eb.engine_environment({"PATH": "/usr/bin", "HOME": "/h"}, "/opt/jdk/bin/java")
        self.assertEqual("/opt/jdk/bin" + os.pathsep + "/usr/bin", env["PATH"])
        self.assertEqual("/opt/jdk", env["JAVA_HOME"])
        self.assertEqual("/h", env["HOME"])


class CommandTest(unittest.TestCase):
    def test_full_command(self):
        with tempfile.TemporaryDirectory() as anchors:
            options = eb.ProtectOptions(mode="both", preset="high", decoy="mosaic", anchors=[anchors], tags=False,
                                        creator="Ann", rights="All rights reserved", threads=4, seed=7)
            argv = eb.protect_command("/x/scrim", "in.png", "out.png", options)
        self.assertEqual(["/x/scrim", "protect", "in.png", "-o", "out.png", "--mode", "both", "--preset", "high",
                          "--decoy", "mosaic", "--anchor", anchors, "--seed", "7", "--no-tags", "--creator", "Ann",
                          "--rights", "All rights reserved", "--threads", "4", "--progress", "lines", "--json"],
                         argv)

    def test_defaults_and_decoy_image_wins_over_name(self):
        with tempfile.NamedTemporaryFile(suffix=".png") as decoy:
            argv = eb.protect_command("scrim", "a.png", "b.png", eb.ProtectOptions(decoy_image=decoy.name))
        self.assertIn("--decoy-image", argv)
        self.assertNotIn("--decoy", argv)
        self.assertNotIn("--threads", argv)
        self.assertNotIn("--no-tags", argv)
        self.assertNotIn("--anchor", argv)

    def test_invalid_options_are_refused_before_running(self):
        for options, needle in ((eb.ProtectOptions(mode="blur"), "mode"),
                                (eb.ProtectOptions(mode="poison"), "anchor"),
                                (eb.ProtectOptions(mode="poison", anchors=["/no/such/dir"]), "does not exist"),
                                (eb.ProtectOptions(max_visibility=0.0), "visibility bound")):
            with self.assertRaisesRegex(eb.BridgeError, needle):
                eb.protect_command("scrim", "a.png", "b.png", options)


    def test_a_custom_bound_a_preview_and_a_folder(self):
        options = eb.ProtectOptions(preset="default", max_visibility=0.11, decoy="sketch", creator="Ann")
        argv = eb.protect_command("scrim", "folder", "out", options, out_dir=True)
        self.assertEqual(["scrim", "protect", "folder", "--out-dir", "out", "--mode", "mask", "--max-visibility",
                          "0.1100"], argv[:9], "a custom bound alone: the engine takes the preset for it")
        self.assertNotIn("--preset", argv)
        preview = eb.preview_options(INFO, options, 96)
        argv = eb.protect_command("scrim", "crop.png", "p.png", preview)
        for expected in (["--steps", str(INFO.preview_steps)], ["--work-size", "96"], ["--no-verify"], ["--no-tags"],
                         ["--max-visibility", "0.1100"], ["--decoy", "sketch"]):
            self.assertTrue(any(argv[i:i + len(expected)] == expected for i in range(len(argv))), (expected, argv))
        self.assertNotIn("--creator", argv, "a preview writes no metadata")
        self.assertEqual((None, None, True), (options.steps, options.work_size, options.verify), "options kept")

    def test_the_verify_command_asks_for_the_ai_view(self):
        self.assertEqual(["s", "verify", "a.png", "b.png", "--ai-view", "v.png", "--json", "--decoy", "mosaic"],
                         eb.verify_command("s", "a.png", "b.png", "v.png", eb.ProtectOptions(), "mosaic"))
        with tempfile.TemporaryDirectory() as anchors:
            argv = eb.verify_command("s", "a.png", "b.png", "v.png",
                                     eb.ProtectOptions(mode="poison", anchors=[anchors], seed=7), None)
        self.assertEqual(["--anchor", anchors, "--seed", "7"], argv[7:])


class StrengthAndPreviewTest(unittest.TestCase):
    def test_the_slider_is_the_engines_presets_with_custom_bounds_between(self):
        for preset in INFO.presets:
            self.assertEqual((preset, None), eb.strength(INFO, INFO.bound(preset)))
            self.assertEqual(INFO.bound(preset), eb.ProtectOptions(preset=preset).visibility(INFO))
            self.assertIn(preset, eb.describe_strength(INFO, INFO.bound(preset)))
        for weaker, stronger in zip(INFO.presets, INFO.presets[1:]):
            low, high = INFO.bound(weaker), INFO.bound(stronger)
            near_low, near_high, halfway = low + 0.3 * (high - low), low + 0.7 * (high - low), (low + high) / 2
            self.assertEqual((weaker, near_low), eb.strength(INFO, near_low), "the nearer preset's cap")
            self.assertEqual((stronger, near_high), eb.strength(INFO, near_high))
            self.assertEqual((weaker, halfway), eb.strength(INFO, halfway), "halfway: the gentler preset")
            self.assertIn("custom", eb.describe_strength(INFO, near_low))
        self.assertEqual(0.1, eb.ProtectOptions(preset="default", max_visibility=0.1).visibility(INFO))

    def test_effort_is_sent_and_said_with_its_time(self):
        argv = eb.protect_command("scrim", "a.png", "b.png", eb.ProtectOptions(preset="high", effort="max"))
        self.assertEqual(["--preset", "high", "--effort", "max"], argv[7:11])
        self.assertNotIn("--effort", eb.protect_command("scrim", "a.png", "b.png", eb.ProtectOptions()))
        words = eb.describe_strength(INFO, INFO.bound("high"), "max")
        self.assertIn("%d steps" % INFO.steps("high", "max"), words)
        self.assertIn("the default effort's time", words)

    def test_a_custom_bound_is_remembered(self):
        store = {}
        settings = eb.Settings.load(lambda key, default: store.get(key, default))
        settings.store_options(eb.ProtectOptions(preset="high", max_visibility=0.12, effort="fast"))
        settings.save(store.__setitem__)
        again = eb.Settings.load(lambda key, default: store.get(key, default)).options()
        self.assertEqual(("high", 0.12, "fast"), (again.preset, again.max_visibility, again.effort))
        settings.store_options(eb.ProtectOptions(preset="low"))
        self.assertIsNone(settings.options().max_visibility)

    def test_the_preview_crop_is_taken_at_the_exports_scale(self):
        self.assertEqual((97, 22, 256, 256, 256), eb.preview_crop(INFO, 451, 300), "a small image: 1:1, the centre")
        self.assertEqual((0, 0, 100, 80, 100), eb.preview_crop(INFO, 100, 80), "smaller than the crop: all of it")
        # an image 4x the engine's working size is protected shrunk 4x: so is its preview's crop
        big = 4 * INFO.work_size
        x, y, w, h, work = eb.preview_crop(INFO, big, big // 4)
        self.assertEqual((256, 256, 64), (w, h, work), "shrunk 4x as the export is")
        self.assertEqual(((big - 256) // 2, (big // 4 - 256) // 2), (x, y), "around the centre")
        # a photo whose largest trainer view is smaller than the working size is shrunk to that view's size
        x, y, w, h, work = eb.preview_crop(INFO, 4 * INFO.largest_view, 4 * INFO.largest_view)
        self.assertEqual((256, 256, 64), (w, h, work), "shrunk 4x to its largest trainer view, as the export is")
        x, y, w, h, work = eb.preview_crop(INFO, 100 * INFO.work_size, 75 * INFO.work_size)
        self.assertEqual((512, 512, 64), (w, h, work), "at most the largest crop, at the engine's smallest work size")


class ParseTest(unittest.TestCase):
    def test_progress_lines_split_across_chunks(self):
        parser = eb.ProgressParser()
        events = parser.feed("phase enc") + parser.feed("oding\nprogress 3 1") + parser.feed("0\nWARNING: x\n")
        events += parser.finish()
        self.assertEqual([eb.Event("phase", text="encoding"), eb.Event("progress", step=3, total=10),
                          eb.Event("text", text="WARNING: x")], events)
        self.assertEqual(["WARNING: x"], parser.other_lines)

    def test_unterminated_last_line_is_kept(self):
        parser = eb.ProgressParser()
        self.assertEqual([], parser.feed("progress 5 5"))
        self.assertEqual([(5, 5)], [(e.step, e.total) for e in parser.finish()])

    def test_report(self):
        results = eb.parse_report('{"files":[{"input":"a.png","output":"b.png","ok":true,"error":null,'
                                  '"closeness":0.82,"closeness_jpeg75":0.6,"closeness_downscale":0.5,'
                                  '"psnr":34.25,"ssim":0.97,"visibility":0.08,"butteraugli":2.41,'
                                  '"seen":"faint on flat areas","seconds":3.5}]}\n')
        self.assertEqual(1, len(results))
        self.assertTrue(results[0].ok)
        self.assertEqual("Scrim protected b.png: closeness 0.82 (JPEG 75 0.60, downscaled 0.50), PSNR 34.2 dB, "
                         "SSIM 0.970, faint on flat areas (butteraugli 2.4), visibility 0.080, 3.5 s",
                         results[0].summary())

    def test_the_verdict_leads_the_summary(self):
        result = eb.parse_report('{"files":[{"input":"a.png","output":"b.png","ok":true,'
                                 '"verdict":"moderate against the models checked (taef2)",'
                                 '"verdict_meaning":"JPEG takes back much of it","closeness":0.46}]}')[0]
        self.assertEqual("JPEG takes back much of it", result.verdict_meaning)
        self.assertEqual("Scrim protected b.png: moderate against the models checked (taef2); closeness 0.46",
                         result.summary())

    def test_the_step_clock_tells_steps_and_time_left_from_the_pace(self):
        clock = eb.StepClock()
        self.assertEqual("step 1 of 11", clock.describe(1, 11, 100.0))
        self.assertEqual("step 3 of 11, about 40 s of steps left, then finishing and checking",
                         clock.describe(3, 11, 110.0))
        self.assertEqual("step 3 of 200, about 16 min of steps left, then finishing and checking", _clock_at(3, 200))
        self.assertEqual("step 11 of 11", clock.describe(11, 11, 150.0))
        self.assertEqual("step 1 of 11", clock.describe(1, 11, 151.0), "the next image of a folder starts afresh")
        self.assertEqual("step 2 of 11, about 9 s of steps left, then finishing and checking",
                         clock.describe(2, 11, 152.0))

    def test_failed_file(self):
        result = eb.parse_report('{"files":[{"input":"a.png","output":null,"ok":false,"error":"bad PNG"}]}')[0]
        self.assertFalse(result.ok)
        self.assertEqual("Scrim could not protect a.png: bad PNG", result.summary())

    def test_bad_reports(self):
        for text, needle in (("", "no report"), ("progress 1 2", "not JSON"), ('{"x":1}', "files"),
                             ('{"files":[{"input":"a"}]}', "malformed"),
                             ('{"files":[{"ok":true,"psnr":"high"}]}', "psnr")):
            with self.assertRaisesRegex(eb.BridgeError, needle):
                eb.parse_report(text)

    def test_exit_codes_are_explained_with_the_engine_words(self):
        self.assertIn("model", eb.explain_exit(3, ["scrim: taef2 not found"]))
        self.assertIn("taef2 not found", eb.explain_exit(3, ["scrim: taef2 not found"]))
        self.assertIn("exit code 9", eb.explain_exit(9, []))


def _clock_at(step, total):
    clock = eb.StepClock()
    clock.describe(1, total, 0.0)
    return clock.describe(step, total, 10.0)


class InfoTest(unittest.TestCase):
    def test_the_engines_answer_becomes_its_choices(self):
        self.assertEqual((READS, WRITES), (INFO.reads, INFO.writes), "WebP is read, never offered as an output")
        self.assertEqual("auto", INFO.decoys[0])
        self.assertIn("default", INFO.presets)
        self.assertEqual(("fast", "default", "max"), INFO.efforts)
        self.assertTrue(INFO.state_file.endswith("service.json"))

    def test_a_failing_or_garbled_engine_is_a_bridge_error(self):
        class Failed:
            returncode, stdout, stderr = 3, "", "no Java"
        with self.assertRaisesRegex(eb.BridgeError, "no Java"):
            eb.info("scrim", {}, run=lambda argv, **kw: Failed())

        class Garbled:
            returncode, stdout, stderr = 0, "Picked up JAVA_TOOL_OPTIONS", ""
        with self.assertRaises(eb.BridgeError):
            eb.info("scrim", {}, run=lambda argv, **kw: Garbled())

        class Older:
            returncode, stdout, stderr = 0, '{"reads": ["png"], "writes": ["png"]}', ""
        with self.assertRaisesRegex(eb.BridgeError, "versions may not match"):
            eb.info("scrim", {}, run=lambda argv, **kw: Older())


class PolicyTest(unittest.TestCase):
    def test_an_unwritable_destination_is_found_before_the_work(self):
        with tempfile.TemporaryDirectory() as folder:
            self.assertIsNone(policy.unwritable_folder(os.path.join(folder, "a.protected.png")))
            self.assertEqual(os.path.join(folder, "gone"),
                             policy.unwritable_folder(os.path.join(folder, "gone", "a.protected.png")))
            locked = os.path.join(folder, "locked")
            os.mkdir(locked, 0o500)
            try:
                if os.access(locked, os.W_OK):      # root writes anywhere: nothing to refuse
                    self.skipTest("running as root")
                self.assertEqual(locked, policy.unwritable_folder(os.path.join(locked, "a.png")))
            finally:
                os.chmod(locked, 0o700)

    def test_supported_extensions_any_case(self):
        for name in ("a.png", "a.JPG", "a.jpeg", "a.tif", "a.TIFF", "a.webp"):
            self.assertTrue(policy.is_supported(name, READS), name)
        for name in ("a.kra", "a.psd", "a.gif", "png"):
            self.assertFalse(policy.is_supported(name, READS), name)
        self.assertFalse(policy.is_supported("a.webp", WRITES))
        self.assertEqual("Images (*.png *.jpg)", policy.file_filter((".png", ".jpg")))

    def test_export_is_a_path_no_document_owns(self):
        with tempfile.TemporaryDirectory() as root:
            own = os.path.join(root, "art.png")
            self.assertFalse(policy.is_export(own, [os.path.join(root, ".", "art.png")]))
            self.assertTrue(policy.is_export(os.path.join(root, "art.jpg"), [own, ""]))
            self.assertTrue(policy.is_export(own, []))

    def test_decisions(self):
        guard = policy.SaveGuard()
        with tempfile.TemporaryDirectory() as root:
            export, kra = os.path.join(root, "out.png"), os.path.join(root, "art.kra")
            self.assertIsNone(policy.decide_on_save(export, [kra], True, guard, READS))
            self.assertIn("off", policy.decide_on_save(export, [kra], False, guard, READS))
            self.assertIn("not a format", policy.decide_on_save(kra, [], True, guard, READS))
            # the engine could not be asked: the export goes to the protection, which says what is missing
            self.assertIsNone(policy.decide_on_save(os.path.join(root, "out.psd"), [kra], True, guard, None))
            self.assertIn("not an export", policy.decide_on_save(export, [export], True, guard, READS))
            guard.claim(export)
            guard.claim(export)
            guard.release(export)
            self.assertIn("Scrim itself", policy.decide_on_save(export, [kra], True, guard, READS))
            guard.release(export)
            self.assertIsNone(policy.decide_on_save(export, [kra], True, guard, READS))

    def test_an_export_is_set_aside_privately_then_dropped_or_kept_under_a_name_that_says_so(self):
        with tempfile.TemporaryDirectory() as root:
            export = os.path.join(root, "out.png")
            for keep in (False, True):
                with open(export, "wb") as f:
                    f.write(b"plain pixels")
                plain = policy.set_aside(export)
                self.assertFalse(os.path.exists(export))
                self.assertEqual(0o700, os.stat(os.path.dirname(plain)).st_mode & 0o777)
                self.assertEqual(root, os.path.dirname(os.path.dirname(plain)))
                said = policy.settle_unprotected(plain, export, keep)
                self.assertFalse(os.path.exists(export))
                self.assertFalse(os.path.exists(os.path.dirname(plain)))
                if keep:
                    kept = os.path.join(root, "out.unprotected.png")
                    self.assertIn(kept, said)
                    with open(kept, "rb") as f:
                        self.assertEqual(b"plain pixels", f.read())
                else:
                    self.assertIn("No file was written", said)
                    self.assertEqual([], os.listdir(root))

    def test_a_folders_images_are_the_ones_the_engine_takes(self):
        with tempfile.TemporaryDirectory() as folder:
            for name in ("b.png", "a.JPG", ".hidden.png", "a.protected.png", "notes.txt"):
                open(os.path.join(folder, name), "w").close()
            os.makedirs(os.path.join(folder, "sub.png"))
            self.assertEqual([os.path.join(folder, "a.JPG"), os.path.join(folder, "b.png")],
                             policy.images_in(folder, (".png", ".jpg")))
        self.assertEqual([], policy.images_in(os.path.join(folder, "gone"), (".png",)))

    def test_temp_beside_keeps_folder_and_extension(self):
        temp = policy.temp_beside("/data/pics/cat.jpeg")
        self.assertEqual("/data/pics", os.path.dirname(temp))
        self.assertTrue(os.path.basename(temp).startswith(".cat.scrim-"))
        self.assertTrue(temp.endswith(".jpeg"))
        self.assertNotEqual(temp, policy.temp_beside("/data/pics/cat.jpeg"))

    def test_the_ai_view_is_named_beside_the_protected_file_and_never_over_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            target = os.path.join(folder, "cat.protected.jpg")
            self.assertEqual(os.path.join(folder, "cat.protected.ai-view.png"), policy.ai_view_name(target))
            open(os.path.join(folder, "cat.protected.ai-view.png"), "w").close()
            self.assertEqual(os.path.join(folder, "cat.protected.ai-view-2.png"), policy.ai_view_name(target))
        # Protect Current Image's result lives in a temporary folder, gone by the time the view is asked for
        self.assertEqual("", policy.ai_view_name(os.path.join(folder, "cat.protected.png")))


if __name__ == "__main__":
    unittest.main()
