"""The real engine's `scrim info` (the launcher in $SCRIM_TEST_ENGINE, by default the checkout's ./scrim), asked
once for all plain-Python tests: they take the engine's presets, efforts and preview rule from it as the plugin
does, instead of copies."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scrim"))
import engine_bridge as eb  # noqa: E402

ENGINE = os.environ.get("SCRIM_TEST_ENGINE") or os.path.join(HERE, "..", "..", "scrim")
INFO = eb.info(ENGINE, os.environ)
