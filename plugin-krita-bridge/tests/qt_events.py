"""Event-loop helpers shared by the tests that run inside Krita (krunner_bridge, and the e2e driver, beside which
e2e.sh installs this file)."""
from PyQt5.QtCore import QEventLoop, QTimer


def wait_for(signal, timeout_s):
    """Runs the event loop until `signal` fires (returns its arguments) or the time is up (returns None)."""
    got = []
    loop = QEventLoop()

    def on_signal(*args):
        got.append(args)
        loop.quit()

    signal.connect(on_signal)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec_()
    signal.disconnect(on_signal)
    return got[0] if got else None
