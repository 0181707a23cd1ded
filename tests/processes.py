"""Helper processes on the loopback, for the tests and the benches alike (bench/ scripts import
this module with the checkout on sys.path): a free port, waiting until a port answers,
stopping a process for sure, and a private redis-server (never the shared one on 6379).

Plain functions with no Django and no pytest, so a bench can use them before Django is set up.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time


def free_port() -> int:
    """A TCP port nothing listens on now (the OS's pick) on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 10, host: str = "127.0.0.1") -> bool:
    """Wait until something accepts connections on `port`; False when `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_until_ready(proc: subprocess.Popen, probe, *, timeout: float, log: str, pause=0.0):
    """Call `probe()` until it returns without raising (its result is returned): the server
    `proc` started is ready. RuntimeError naming `log` if `proc` exits first; the probe's
    own error once `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}; see {log}")
        try:
            return probe()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(pause)


def stop_process(proc: subprocess.Popen | None, *, timeout: float = 15) -> None:
    """Terminate `proc` and wait for it; killed when it does not exit within `timeout`."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


class PrivateRedis:
    """A redis-server of its own on a free port (no persistence): `start()`, `kill()` (kill -9,
    as a crash), `start()` again on the same port, `stop()`."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_for_port(self.port, timeout=10):
            raise RuntimeError(f"redis-server did not start on {self.port}")
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        stop_process(self.proc, timeout=5)
