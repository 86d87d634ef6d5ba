"""Headless Chromium with the network off, for the tests that open pages in a browser.

- :func:`require_chromium` — the executable, or a visible skip (a failure when
  ``CI=true``: CI must not pass without the browser tests, the rule the PostgreSQL
  tests follow).
- :func:`offline_prefix` — ``unshare --net`` where this machine allows it: Chromium
  then runs in a network namespace of its own with no interface but loopback.
- :func:`chromium_command` — the command line every browser test starts from: headless,
  its own profile, told to resolve no host name and to send everything through a proxy
  that does not exist.
- :class:`DevTools` — one Chromium process driven over its DevTools pipe: load many
  pages, at any window size, evaluate a script in each, screenshot each, and see
  every request a page makes (so a test can prove that none leaves the machine) and
  every console message it gives (a script's, an error's, the browser's: a blocked
  request, a CSP violation).

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it when it is absent).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import os
import select
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

__all__ = ["DevTools", "chromium_command", "chromium_env", "offline_prefix", "require_chromium"]

_BROWSERS = ("chromium", "chromium-browser")


def _logged(params: dict[str, Any]) -> str | None:
    """A message of the browser's log (a blocked request, a CSP violation …), unless it
    is about the browser's own pages (``chrome://``, such as its note that the network
    is slow), which are not the page's."""
    entry = params["entry"]
    if str(entry.get("url", "")).startswith("chrome://"):
        return None
    return f"{entry.get('source')} {entry.get('level')}: {entry.get('text')}"


_CONSOLE: dict[str, Any] = {
    "Log.entryAdded": _logged,
    "Runtime.consoleAPICalled": lambda p: (
        f"console.{p.get('type')}: "
        + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
    ),
    "Runtime.exceptionThrown": lambda p: (
        "uncaught: "
        + str(
            p["exceptionDetails"].get("exception", {}).get("description")
            or p["exceptionDetails"].get("text")
        )
    ),
}
"""The DevTools events that are a console message, and the message of each."""


@functools.cache
def offline_prefix() -> tuple[str, ...]:
    """``unshare --net`` when this machine lets a process leave the network (root, or
    user namespaces), else nothing (the flags of :func:`chromium_command` still keep it
    off)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--user", "--map-root-user", "--net")):
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
        if done.returncode == 0:
            return prefix
    return ()


def require_chromium() -> str:
    """The Chromium executable; skip the calling test without one (fail when CI=true)."""
    for name in _BROWSERS:
        found = shutil.which(name)
        if found is not None:
            return found
    message = (
        "Chromium is not installed (Debian: apt-get install chromium), so no page is "
        "opened in a browser"
    )
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{message}. CI=true: the browser tests must run.", pytrace=False)
    pytest.skip(message)


def chromium_command(browser: str, work: Path, size: str, *extra: str) -> list[str]:
    """Headless Chromium with the network off, its profile under ``work``, a window of
    ``size`` ("width,height"), then ``extra`` arguments."""
    command = [
        *offline_prefix(),
        browser,
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--disable-background-networking",
        "--disable-component-update",
        f"--user-data-dir={work / 'profile'}",
        f"--window-size={size}",
        *extra,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(len(offline_prefix()) + 1, "--no-sandbox")  # refused as root otherwise
    return command


def chromium_env(work: Path) -> dict[str, str]:
    """The environment for Chromium: its home and caches under ``work``, so nothing is
    left anywhere else."""
    home = work / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }


class DevTools:
    """One headless Chromium (network off) driven over its DevTools pipe
    (``--remote-debugging-pipe``: it reads commands on descriptor 3 and answers on 4,
    each message JSON ended by a NUL byte), with one tab.

    :meth:`load` opens a page and waits for its ``load`` event; :meth:`evaluate` runs a
    script in it; :meth:`screenshot` writes a PNG; :meth:`resize` changes the window;
    :attr:`requests` is the URL of every request any page made, in order, and
    :attr:`console` the console messages of the page loaded last. Use it as a context
    manager.
    """

    WAIT = 120.0
    """Seconds to wait for an answer before deciding the browser hung (a guard against
    a stuck test, not a measure of speed)."""

    def __init__(self, browser: str, work: Path, width: int = 1200, height: int = 1600) -> None:
        work.mkdir(parents=True, exist_ok=True)
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def descriptors() -> None:  # in the child: its reading end on 3, writing on 4
            read, write = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self._process = subprocess.Popen(
            chromium_command(browser, work, f"{width},{height}", "--remote-debugging-pipe"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=chromium_env(work),
            close_fds=False,
            preexec_fn=descriptors,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.console: list[str] = []
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self._call(f"{domain}.enable", session=True)
        self.resize(width, height)

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """End the browser."""
        with contextlib.suppress(OSError, RuntimeError):
            self._call("Browser.close")
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)

    def resize(self, width: int, height: int) -> None:
        """The window's size from now on (a desktop's, a phone's), in CSS pixels."""
        self._call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )

    def load(self, url: str) -> None:
        """Open ``url`` in the tab and wait until its ``load`` event has fired."""
        self._events.clear()
        self.console.clear()
        answer = self._call("Page.navigate", {"url": url}, session=True)
        if answer.get("errorText"):
            raise RuntimeError(f"{url}: {answer['errorText']}")
        self._wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        answer = self._call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(json.dumps(answer["exceptionDetails"])[:2000])
        return answer["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """A PNG of the window (its size as given) into ``path`` (compressed for speed,
        not size: a third less time a page)."""
        answer = self._call(
            "Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True}, session=True
        )
        path.write_bytes(base64.b64decode(answer["data"]))

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data) :]

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._from_browser], [], [], self.WAIT)
            if not ready:
                raise RuntimeError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        decoded: dict[str, Any] = json.loads(message)
        method, params = decoded.get("method"), decoded.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method in _CONSOLE:
            said = _CONSOLE[method](params)
            if said is not None:
                self.console.append(said)
        return decoded

    def _call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        self._send(message)
        while True:
            answer = self._receive()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            if "method" in answer:
                self._events.append(answer)

    def _wait_event(self, method: str) -> dict[str, Any]:
        while True:
            for event in self._events:
                if event["method"] == method:
                    self._events.remove(event)
                    return event
            answer = self._receive()
            if "method" in answer:
                self._events.append(answer)
