#!/usr/bin/env python3
"""Check that a local, self-contained HTML page renders and stands on its own.

Usage:
    python3 scripts/check_page.py PAGE.html --screenshot OUT.png
        [--width 1280] [--height 2000] [--pdf OUT.pdf] [--timeout 60]

The page is opened in headless Chromium, driven over the DevTools protocol on
--remote-debugging-pipe (fds 3 and 4, NUL-delimited JSON). It fails (exit 1,
one line per problem on stderr) when:

  * the page is blank: fewer than 0.5 % of the screenshot's pixels differ from
    its most common colour (the PNG is decoded here, standard library only), or
    the page has no text;
  * the page has script: a <script> tag, an on* handler attribute or a
    javascript: URL (static), or it logs a console error or throws (dynamic);
  * the page asks for anything over the network, or refers to another local
    file, so it is not self-contained. Static: every URL in an attribute, in
    srcset, in CSS url()/@import/image-set(); only "#fragment" and data: URIs
    pass. Dynamic: every request Chromium makes for the page, plus a blocking
    proxy on 127.0.0.1 (loopback included) that records any connection at all.

Exit 0 prints "ok: PAGE (WxH screenshot, N% non-background pixels)".
Exit 2 when Chromium is missing (apt-get install chromium) or on a usage error.
The screenshot (and PDF) are written even when the page fails, to help see why.

Options: --allow-external-links accepts http(s):/mailto:/tel: hrefs on <a> and <area>
(navigation only, never fetched while rendering); --chromium PATH or $CHROMIUM picks
the browser. CHECK_PAGE_DEBUG=1 also lists Chromium's own background connections,
which are refused by a separate proxy and not counted against the page.
Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import html.parser
import itertools
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from array import array
from collections import Counter
from pathlib import Path

BLANK_PERCENT = 0.5      # below this share of non-background pixels the page is blank
COLOUR_TOLERANCE = 8     # a pixel within this much (per channel, 0-255) of the background counts as background
MAX_SHOT_HEIGHT = 16384  # cap for the full-page screenshot, in CSS pixels
SETTLE_SECONDS = 0.3     # extra wait after load and network idle, for late console messages

CHROMIUM_CANDIDATES = (
    "/usr/lib/chromium/chromium",  # Debian's binary, without the /usr/bin/chromium wrapper's flags
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
)


class CheckError(Exception):
    """The check itself could not be completed (timeout, Chromium crash...)."""


# --------------------------------------------------------------------------
# Static checks
# --------------------------------------------------------------------------

URL_ATTRS = {
    "src", "href", "xlink:href", "poster", "data", "action", "formaction",
    "background", "cite", "longdesc", "lowsrc", "dynsrc", "manifest", "icon",
    "profile", "usemap", "codebase",
}
URL_LIST_ATTRS = {"ping", "archive"}           # whitespace-separated URLs
SRCSET_ATTRS = {"srcset", "imagesrcset"}
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp", "sftp", "gopher"}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}  # allowed on <a>/<area> with --allow-external-links

_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CSS_COMMENT_RE = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL_RE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
_CSS_IMPORT_RE = re.compile(r"""@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^\s;)'"]+))""", re.I)
_CSS_IMAGESET_RE = re.compile(r"image-set\(([^)]*)\)", re.I)
_CSS_STRING_RE = re.compile(r""""([^"]*)"|'([^']*)'""")
_REFRESH_URL_RE = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.I)


def classify_url(raw: str, allow_link: bool = False) -> str | None:
    """None when the URL is fine in a self-contained page, else why it is not."""
    url = re.sub(r"[\t\n\r]", "", raw.strip())
    if url == "" or url.startswith("#"):
        return None
    if url.startswith("//") or url.startswith("\\\\"):
        return f"loads {url} over the network"
    m = _SCHEME_RE.match(url)
    if not m:
        return f"refers to the local file {url!r} (the page must be self-contained)"
    scheme = m.group(1).lower()
    if scheme == "data":
        return None
    if allow_link and scheme in LINK_SCHEMES:
        return None
    if scheme == "javascript":
        return f"has a javascript: URL ({url[:60]})"
    if scheme in NETWORK_SCHEMES:
        return f"loads {url} over the network"
    if scheme == "file":
        return f"refers to the local file {url} (the page must be self-contained)"
    if scheme == "about" and url.lower() in ("about:blank", "about:srcdoc"):
        return None
    return f"refers to {url} (only #fragments and data: URIs are allowed)"


def parse_srcset(value: str) -> list[str]:
    """URLs of a srcset value, per the HTML spec's parsing (data: URIs keep their commas)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        i = j
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0  # skip descriptors up to the next top-level comma
            while i < n and not (value[i] == "," and depth == 0):
                depth += value[i] == "("
                depth -= value[i] == ")" and depth > 0
                i += 1
        if url:
            urls.append(url)
    return urls


def css_problems(css: str) -> list[str]:
    css = _CSS_COMMENT_RE.sub(" ", css)
    out, imports = [], []
    for m in _CSS_IMPORT_RE.finditer(css):
        url = next(g for g in m.groups() if g is not None)
        imports.append(m.span())
        why = classify_url(url)
        out.append(f"CSS @import {why}" if why else f"CSS @import of {url[:60]}")
    for m in _CSS_URL_RE.finditer(css):
        if any(a <= m.start() < b for a, b in imports):
            continue  # the url( of an @import, reported above
        url = next((g for g in m.groups() if g is not None), "")
        why = classify_url(url)
        if why:
            out.append(f"CSS url() {why}")
    for m in _CSS_IMAGESET_RE.finditer(css):
        for s in _CSS_STRING_RE.finditer(m.group(1)):
            why = classify_url(s.group(1) if s.group(1) is not None else s.group(2))
            if why:
                out.append(f"CSS image-set() {why}")
    return list(dict.fromkeys(out))


class StaticChecker(html.parser.HTMLParser):
    def __init__(self, allow_links: bool, where: str = ""):
        super().__init__(convert_charrefs=True)
        self.allow_links = allow_links
        self.where = where
        self.problems: list[str] = []
        self._in_style = 0

    def _add(self, msg: str) -> None:
        self.problems.append(f"{self.where}line {self.getpos()[0]}: {msg}")

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if tag == "style" or tag.endswith(":style"):
            self._in_style += 1

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if (tag == "style" or tag.endswith(":style")) and self._in_style:
            self._in_style -= 1

    def handle_data(self, data):
        if self._in_style:
            for p in css_problems(data):
                self._add(f"<style> {p}")

    def _tag(self, tag, attrs):
        if tag == "script" or tag.endswith(":script"):
            self._add("has a <script> tag (the page must have no script)")
        is_link = tag in ("a", "area")
        attr_map = {}
        for name, value in attrs:
            value = value or ""
            attr_map[name] = value
            if name.startswith("on") and len(name) > 2:
                self._add(f"<{tag}> has an event handler attribute {name}= (the page must have no script)")
                continue
            if name == "xmlns" or name.startswith("xmlns:"):
                continue  # namespace names (http://www.w3.org/2000/svg) are never fetched
            if name in URL_ATTRS:
                why = classify_url(value, allow_link=self.allow_links and is_link and name == "href")
                if why and is_link and name == "href" and not value.strip().lower().startswith("javascript:"):
                    why = (f"links to {value.strip()[:80]} outside the page"
                           " (--allow-external-links accepts http(s):, mailto: and tel: links)")
                if why:
                    self._add(f"<{tag} {name}> {why}")
            elif name in URL_LIST_ATTRS:
                for url in value.replace(",", " ").split():
                    why = classify_url(url)
                    if why:
                        self._add(f"<{tag} {name}> {why}")
            elif name in SRCSET_ATTRS:
                for url in parse_srcset(value):
                    why = classify_url(url)
                    if why:
                        self._add(f"<{tag} {name}> {why}")
            elif name == "style" or "url(" in value.lower() or "image-set(" in value.lower():
                for p in css_problems(value):  # style="", and SVG fill="url(...)" & co.
                    self._add(f"<{tag} {name}=> {p}")
            if name == "srcdoc":
                sub = StaticChecker(self.allow_links, where=f"{self.where}line {self.getpos()[0]}: <{tag} srcdoc> ")
                sub.feed(value)
                sub.close()
                self.problems.extend(sub.problems)
        if tag == "meta" and attr_map.get("http-equiv", "").lower() == "refresh":
            m = _REFRESH_URL_RE.search(attr_map.get("content", ""))
            if m:
                why = classify_url(m.group(1))
                if why:
                    self._add(f"<meta http-equiv=refresh> {why}")
        if tag == "base" and attr_map.get("href"):
            self._add(f"<base href> changes where relative URLs point ({attr_map['href'][:60]})")


def static_check(text: str, allow_links: bool) -> list[str]:
    checker = StaticChecker(allow_links)
    checker.feed(text)
    checker.close()
    return list(dict.fromkeys(checker.problems))


# --------------------------------------------------------------------------
# PNG decoding (colour types 0, 2, 4, 6; bit depth 8; no interlace)
# --------------------------------------------------------------------------

def _unfilter_sub(line: bytes, bpp: int) -> bytearray:
    out = bytearray(len(line))
    mask = (255).__and__
    for c in range(bpp):
        out[c::bpp] = bytes(map(mask, itertools.accumulate(line[c::bpp])))
    return out


def _add_bytes(a: bytes, b: bytes) -> bytes:
    """Bytewise (a + b) mod 256, done on one big integer (SWAR)."""
    n = len(a)
    x, y = int.from_bytes(a, "big"), int.from_bytes(b, "big")
    lo = int.from_bytes(b"\x7f" * n, "big")
    hi = int.from_bytes(b"\x80" * n, "big")
    return (((x & lo) + (y & lo)) ^ ((x ^ y) & hi)).to_bytes(n, "big")


def decode_png(data: bytes) -> tuple[int, int, bytes]:
    """Return (width, height, RGBA bytes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype == b"IEND":
            break
    if ihdr is None:
        raise ValueError("PNG has no IHDR chunk")
    width, height, depth, colour, _comp, _filt, interlace = ihdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError(f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = channels, width * channels
    if len(raw) < height * (stride + 1):
        raise ValueError("PNG image data is truncated")
    prev = bytes(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], raw[start + 1:start + 1 + stride]
        if ftype == 0:
            cur = line
        elif ftype == 1:
            cur = bytes(_unfilter_sub(line, bpp))
        elif ftype == 2:
            cur = _add_bytes(line, prev)
        elif ftype == 3:
            out = bytearray(line)
            for i in range(stride):
                left = out[i - bpp] if i >= bpp else 0
                out[i] = (out[i] + ((left + prev[i]) >> 1)) & 255
            cur = bytes(out)
        elif ftype == 4:
            out = bytearray(line)
            for i in range(stride):
                a = out[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                out[i] = (out[i] + pred) & 255
            cur = bytes(out)
        else:
            raise ValueError(f"bad PNG filter type {ftype} on row {y}")
        rows.append(cur)
        prev = cur
    pix = b"".join(rows)
    if channels == 4:
        return width, height, pix
    n = width * height
    rgba = bytearray(b"\xff" * (n * 4))
    if channels == 3:
        rgba[0::4], rgba[1::4], rgba[2::4] = pix[0::3], pix[1::3], pix[2::3]
    elif channels == 1:
        rgba[0::4] = rgba[1::4] = rgba[2::4] = pix
    else:  # grey + alpha
        rgba[0::4] = rgba[1::4] = rgba[2::4] = pix[0::2]
        rgba[3::4] = pix[1::2]
    return width, height, bytes(rgba)


def non_background_percent(png: bytes) -> tuple[int, int, float]:
    width, height, rgba = decode_png(png)
    total = width * height
    if total == 0:
        return width, height, 0.0
    counts = Counter(array("I", rgba))  # one 32-bit int per RGBA pixel
    bg, _ = counts.most_common(1)[0]
    bgc = bg.to_bytes(4, sys.byteorder)
    near = 0
    for colour, n in counts.items():
        cc = colour.to_bytes(4, sys.byteorder)
        if max(abs(cc[k] - bgc[k]) for k in range(4)) <= COLOUR_TOLERANCE:
            near += n
    return width, height, 100.0 * (total - near) / total


# --------------------------------------------------------------------------
# Blocking proxy: records every connection Chromium makes
# --------------------------------------------------------------------------

class BlockingProxy:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="blocking-proxy", daemon=True)

    def start(self):
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                line = ""
                try:
                    conn.settimeout(1.0)
                    data = b""
                    while b"\n" not in data and len(data) < 8192:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    line = data.split(b"\r\n", 1)[0].split(b"\n", 1)[0].decode("latin-1").strip()
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass
                with self._lock:
                    self.seen.append(line or "(a connection with no request line)")

    def stop(self) -> list[str]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self.sock.close()
        with self._lock:
            return list(self.seen)


# --------------------------------------------------------------------------
# DevTools protocol over --remote-debugging-pipe
# --------------------------------------------------------------------------

class DevTools:
    def __init__(self, wfd: int, rfd: int, deadline: float):
        self.wfd, self.rfd, self.deadline = wfd, rfd, deadline
        self.next_id = 0
        self.buf = bytearray()
        self.scan = 0
        self.events: list[dict] = []
        self.on_event = None
        self.stage = "starting Chromium"

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            _, w, _ = select.select([], [self.wfd], [], max(0.0, self.deadline - time.monotonic()))
            if not w:
                raise CheckError(f"timed out while {self.stage}")
            data = data[os.write(self.wfd, data):]
        return self.next_id

    def _read(self) -> dict:
        while True:
            end = self.buf.find(b"\0", self.scan)
            if end >= 0:
                raw = bytes(self.buf[:end])
                del self.buf[:end + 1]
                self.scan = 0
                return json.loads(raw)
            self.scan = len(self.buf)
            remaining = self.deadline - time.monotonic()
            r = select.select([self.rfd], [], [], remaining)[0] if remaining > 0 else []
            if not r:
                raise CheckError(f"timed out while {self.stage}")
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                raise CheckError("Chromium closed the DevTools pipe (it exited or crashed)")
            self.buf += chunk

    def _pump(self) -> dict:
        msg = self._read()
        if "method" in msg:
            self.events.append(msg)
            if self.on_event:
                self.on_event(msg)
        return msg

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        want = self.send(method, params, session)
        while True:
            msg = self._pump()
            if msg.get("id") == want:
                if "error" in msg:
                    raise CheckError(f"{method} failed: {msg['error'].get('message', msg['error'])}")
                return msg.get("result", {})

    def wait_event(self, pred, until: float) -> dict | None:
        """First event (already received or new) matching pred, or None at `until`."""
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if pred(ev):
                    return ev
            seen = len(self.events)
            if time.monotonic() >= until:
                return None
            saved = self.deadline
            self.deadline = min(saved, until)
            try:
                self._pump()
            except CheckError:
                if time.monotonic() >= saved:
                    raise
                if time.monotonic() < until:
                    raise
            finally:
                self.deadline = saved


def find_chromium(explicit: str | None) -> str | None:
    explicit = explicit or os.environ.get("CHROMIUM")
    for cand in [explicit] if explicit else CHROMIUM_CANDIDATES:
        if not cand:
            continue
        path = cand if os.sep in cand else shutil.which(cand)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def _describe_remote(obj: dict) -> str:
    if "value" in obj:
        return str(obj["value"])
    return str(obj.get("description") or obj.get("unserializableValue") or obj.get("type", "?"))


def render(chromium: str, page: Path, args, tmp: str) -> tuple[list[str], bytes | None, bytes | None]:
    """Open the page; return (problems, screenshot PNG, PDF)."""
    deadline = time.monotonic() + args.timeout
    problems: list[str] = []
    page_url = page.as_uri()
    # Two blocking proxies. The page gets its own browser context whose proxy is `proxy`: any
    # connection there is the page's. Chromium's own background traffic (IdentityManager's
    # ListAccounts, update_client, network time...), which flags do not fully stop, goes through
    # the browser-wide proxy, the sink, and is refused there too but not held against the page.
    proxy = BlockingProxy()
    sink = BlockingProxy()
    profile = os.path.join(tmp, "profile")
    os.mkdir(profile)
    cmd = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--mute-audio",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--metrics-recording-only",
        "--disable-extensions",
        "--disable-breakpad",
        "--disable-crash-reporter",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--disable-dev-shm-usage",
        "--no-pings",
        "--password-store=basic",
        "--force-color-profile=srgb",
        "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
        "AutofillServerCommunication,NetworkTimeServiceQuerying,CertificateTransparencyComponentUpdater",
        f"--proxy-server=http://127.0.0.1:{sink.port}",
        "--proxy-bypass-list=<-loopback>",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--window-size={args.width},{args.height}",
        "--remote-debugging-pipe",
        "about:blank",
    ]
    # fds the child sees as 3 (commands in) and 4 (replies out); parked high so dup2 cannot clobber them.
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    child_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10)
    child_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(to_child_r)
    os.close(from_child_w)

    def in_child():
        os.dup2(child_in, 3)
        os.dup2(child_out, 4)

    log_path = os.path.join(tmp, "chromium.log")
    proc = None
    try:
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                pass_fds=(3, 4), preexec_fn=in_child, start_new_session=True, cwd=tmp,
            )
        os.close(child_in)
        os.close(child_out)
        child_in = child_out = -1
        proxy.start()  # after the fork: no thread is running while preexec_fn runs
        sink.start()
        dt = DevTools(to_child_w, from_child_r, deadline)
        try:
            png, pdf = _drive(dt, page_url, args, problems, proxy.port)
        except CheckError as exc:
            tail = _log_tail(log_path) if proc.poll() is not None else ""
            raise CheckError(f"{exc} (--timeout {args.timeout:g} s){'; Chromium said: ' + tail if tail else ''}") from None
        try:
            dt.deadline = min(deadline, time.monotonic() + 3)
            dt.send("Browser.close")
            proc.wait(timeout=max(0.1, min(3, deadline - time.monotonic())))
        except (CheckError, OSError, subprocess.TimeoutExpired):
            pass
    finally:
        for fd in (child_in, child_out):
            if fd >= 0:
                os.close(fd)
        if proc is not None:
            _kill(proc)
        for fd in (to_child_w, from_child_r):
            try:
                os.close(fd)
            except OSError:
                pass
        seen = proxy.stop()
        background = sink.stop()
    if os.environ.get("CHECK_PAGE_DEBUG"):
        for line in background:
            print(f"check_page: debug: Chromium background connection (refused, not the page's): {line}",
                  file=sys.stderr)
    for line in dict.fromkeys(seen):
        problems.append(f"tried to reach the network (the blocking proxy saw: {line})")
    return problems, png, pdf


def _log_tail(path: str) -> str:
    try:
        lines = [l for l in Path(path).read_text(errors="replace").splitlines() if l.strip() and "dbus" not in l]
    except OSError:
        return ""
    return " | ".join(lines[-3:])[:600]


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except OSError:
            proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass
    # the group may still hold helpers (zygote, renderer, crashpad) even if the browser is gone
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(timeout=3)
    except subprocess.TimeoutExpired:
        pass


def _drive(dt: DevTools, page_url: str, args, problems: list[str], proxy_port: int) -> tuple[bytes, bytes | None]:
    session_box: dict = {}

    def on_event(ev):
        if ev.get("method") == "Page.javascriptDialogOpening" and ev.get("sessionId") == session_box.get("id"):
            problems.append(f"opened a JavaScript dialog: {ev['params'].get('message', '')[:120]}")
            dt.send("Page.handleJavaScriptDialog", {"accept": False}, ev["sessionId"])

    dt.on_event = on_event
    context = dt.call("Target.createBrowserContext", {
        "disposeOnDetach": True,
        "proxyServer": f"http://127.0.0.1:{proxy_port}",
        "proxyBypassList": "<-loopback>",
    })["browserContextId"]
    target = dt.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
    session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    session_box["id"] = session
    for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
        dt.call(method, {}, session)
    dt.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
    dt.call("Emulation.setDeviceMetricsOverride",
            {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False}, session)
    dt.stage = "loading the page"
    mark = len(dt.events)
    nav = dt.call("Page.navigate", {"url": page_url}, session)
    if nav.get("errorText"):
        raise CheckError(f"could not open the page: {nav['errorText']}")
    frame = nav.get("frameId")

    def mine(ev, method, name=None):
        return (ev.get("sessionId") == session and ev.get("method") == method
                and (name is None or ev["params"].get("name") == name)
                and (frame is None or ev["params"].get("frameId", frame) == frame))

    if dt.wait_event(lambda e: mine(e, "Page.loadEventFired"), dt.deadline) is None:
        raise CheckError("the page did not finish loading")
    # let late requests and messages arrive: network idle (500 ms quiet), at most 5 s
    dt.wait_event(lambda e: mine(e, "Page.lifecycleEvent", "networkIdle"), min(dt.deadline, time.monotonic() + 5))
    dt.call("Runtime.evaluate", {"expression": "document.fonts ? document.fonts.ready.then(() => 1) : 1",
                                 "awaitPromise": True, "returnByValue": True}, session)
    dt.wait_event(lambda e: False, min(dt.deadline, time.monotonic() + SETTLE_SECONDS))

    dt.stage = "inspecting the rendered page"
    text = dt.call("Runtime.evaluate", {"expression": (
        "(() => { const b = document.body; if (!b) return 0;"
        " let n = (b.innerText || '').trim().length;"
        " for (const t of document.querySelectorAll('svg text')) n += (t.textContent || '').trim().length;"
        " return n; })()"), "returnByValue": True}, session)
    text_len = text.get("result", {}).get("value", 0) or 0

    metrics = dt.call("Page.getLayoutMetrics", {}, session)
    size = metrics.get("cssContentSize") or metrics.get("contentSize") or {}
    height = int(min(MAX_SHOT_HEIGHT, max(1, round(size.get("height", args.height)))))
    dt.stage = "taking the screenshot"
    shot = dt.call("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": args.width, "height": height, "scale": 1},
    }, session)
    png = base64.b64decode(shot["data"])
    pdf = None
    if args.pdf:
        dt.stage = "printing to PDF"
        res = dt.call("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                          "printBackground": True, "preferCSSPageSize": False}, session)
        pdf = base64.b64decode(res["data"])
    # anything logged while printing counts too
    dt.wait_event(lambda e: False, min(dt.deadline, time.monotonic() + 0.1))

    if text_len == 0:
        problems.append("the page has no text (blank page)")
    page_no_frag = page_url.split("#", 1)[0]
    for ev in dt.events[mark:]:
        if ev.get("sessionId") != session:
            continue
        method, p = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            msg = " ".join(_describe_remote(a) for a in p.get("args", []))
            problems.append(f"logged a console {p['type']}: {msg[:200]}")
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            desc = _describe_remote(d.get("exception", {})) if d.get("exception") else d.get("text", "")
            problems.append(f"threw an uncaught JavaScript exception: {desc.splitlines()[0][:200] if desc else '?'}")
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            where = f" ({e['url']})" if e.get("url") else ""
            problems.append(f"Chromium logged an error [{e.get('source', '?')}]: {e.get('text', '')[:200]}{where}")
        elif method == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            scheme = url.split(":", 1)[0].lower()
            if scheme in ("data", "about", "blob") or url.split("#", 1)[0] == page_no_frag:
                continue
            if scheme == "file":
                problems.append(f"loaded the local file {url} (the page must be self-contained)")
            else:
                problems.append(f"requested {url} over the network")
        elif method == "Network.webSocketCreated":
            problems.append(f"opened a WebSocket to {p.get('url', '?')}")
        elif method == "Inspector.targetCrashed":
            problems.append("the page's renderer crashed")
    return png, pdf


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render a self-contained HTML page in headless Chromium and check it.")
    ap.add_argument("page", help="the local HTML file")
    ap.add_argument("--screenshot", required=True, metavar="OUT.png", help="where to write the full-page screenshot")
    ap.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels (default 1280)")
    ap.add_argument("--height", type=int, default=2000, help="viewport height in CSS pixels (default 2000)")
    ap.add_argument("--pdf", metavar="OUT.pdf", help="also print the page to an A4 PDF")
    ap.add_argument("--timeout", type=float, default=60, help="seconds for the whole browser run (default 60)")
    ap.add_argument("--chromium", help="path to the Chromium binary (default: $CHROMIUM, then Debian's)")
    ap.add_argument("--allow-external-links", action="store_true",
                    help="accept http(s):, mailto: and tel: in <a>/<area> href (never fetched when rendering)")
    args = ap.parse_args(argv)
    if not (16 <= args.width <= 10000 and 16 <= args.height <= 10000):
        ap.error("--width and --height must be between 16 and 10000")
    if args.timeout <= 0:
        ap.error("--timeout must be positive")

    page = Path(args.page).resolve()
    label = args.page
    if not page.is_file():
        print(f"check_page: {label}: no such file", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        where = f" at {args.chromium or os.environ.get('CHROMIUM')}" if (args.chromium or os.environ.get("CHROMIUM")) else ""
        print(f"check_page: Chromium not found{where}; install it with: apt-get install chromium", file=sys.stderr)
        return 2

    problems = static_check(page.read_bytes().decode("utf-8", errors="replace"), args.allow_external_links)
    problems = [f"static: {p}" for p in problems]

    # SIGTERM/SIGHUP unwind through the finally blocks (kill Chromium, remove the temp dir)
    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)

    tmp = tempfile.mkdtemp(prefix="check_page.")
    png = pdf = None
    try:
        try:
            dyn, png, pdf = render(chromium, page, args, tmp)
            problems += dyn
        except CheckError as exc:
            problems.append(f"check failed: {exc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    summary = None
    if png is not None:
        Path(args.screenshot).write_bytes(png)
        try:
            w, h, pct = non_background_percent(png)
            summary = (w, h, pct)
            if pct < BLANK_PERCENT:
                problems.append(f"the page looks blank: only {pct:.2f}% of pixels differ from the background "
                                f"(need {BLANK_PERCENT}%)")
        except (ValueError, zlib.error) as exc:
            problems.append(f"could not decode the screenshot: {exc}")
    if pdf is not None:
        Path(args.pdf).write_bytes(pdf)

    if problems:
        for p in dict.fromkeys(problems):
            print(f"FAIL: {label}: {p}", file=sys.stderr)
        return 1
    w, h, pct = summary
    print(f"ok: {label} ({w}x{h} screenshot, {pct:.1f}% non-background pixels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
