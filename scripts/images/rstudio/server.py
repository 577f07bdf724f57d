"""Container Labs stand-in for rocker/rstudio.

RStudio Server cannot be installed offline from Debian's archive, so this small server copies
what the lessons can observe from outside the container:

* it listens on 0.0.0.0:8787;
* with DISABLE_AUTH=true, ``/`` answers 200 with the IDE page straight away;
* otherwise ``/`` redirects (302) to ``/auth-sign-in``, a sign-in form for the user ``rstudio``
  (or $USER) with the password from $PASSWORD;
* when auth is on and PASSWORD is unset, a password is generated and written to the log;
* SIGTERM and SIGINT end it at once, so ``docker stop`` and Ctrl+C are quick.

It is not R and not the real IDE; the pages say so.
"""

import html
import os
import secrets
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PORT = 8787
COOKIE = "cl-rstudio-session"
MAX_FORM_BYTES = 16 * 1024


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def auth_disabled():
    return os.environ.get("DISABLE_AUTH", "").strip().lower() in ("true", "1", "yes")


class Settings:
    def __init__(self):
        self.user = os.environ.get("USER") or os.environ.get("DEFAULT_USER") or "rstudio"
        self.auth = not auth_disabled()
        password = os.environ.get("PASSWORD", "")
        self.generated = False
        if self.auth and not password:
            password = secrets.token_urlsafe(12)
            self.generated = True
        self.password = password
        self.sessions = set()
        self.lock = threading.Lock()


SETTINGS = Settings()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
{body}
<p><small>Container Labs offline stand-in for rocker/rstudio (not the real RStudio IDE).</small></p>
</body>
</html>
"""


def ide_page(user):
    body = (
        '<div id="rstudio" class="rstudio-ide">\n'
        "<h1>RStudio</h1>\n"
        "<p>Signed in as <b>{user}</b>. Console, Environment and Files panes would be here.</p>\n"
        '<p><a href="/auth-sign-out">Sign out</a></p>\n'
        "</div>"
    ).format(user=html.escape(user))
    return PAGE.format(title="RStudio Server", body=body)


def sign_in_page(error):
    message = ""
    if error:
        message = '<p id="errortext" role="alert">Incorrect or invalid username/password.</p>\n'
    body = (
        "<h1>Sign in to RStudio</h1>\n"
        + message
        + '<form method="POST" action="/auth-do-sign-in">\n'
        '<label>Username: <input type="text" name="username" id="username"></label><br>\n'
        '<label>Password: <input type="password" name="password" id="password"></label><br>\n'
        '<input type="hidden" name="appUri" value="">\n'
        '<button type="submit" id="buttonpanel">Sign In</button>\n'
        "</form>"
    )
    return PAGE.format(title="RStudio Sign In", body=body)


class Handler(BaseHTTPRequestHandler):
    server_version = "RStudio-standin/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        log("%s - %s" % (self.address_string(), format % args))

    # --- helpers -------------------------------------------------------------------------

    def send_page(self, status, text, extra_headers=()):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def redirect(self, location, extra_headers=()):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()

    def read_body(self):
        """The request body (Content-Length or chunked), or None when it is too large."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size_line = self.rfile.readline(64)
                try:
                    size = int(size_line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    return None
                if size == 0:
                    # skip trailers up to the blank line
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                if len(data) + size > MAX_FORM_BYTES:
                    return None
                data += self.rfile.read(size)
                self.rfile.readline(8)
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if length < 0 or length > MAX_FORM_BYTES:
            return None
        return self.rfile.read(length)

    def signed_in(self):
        if not SETTINGS.auth:
            return True
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE:
                with SETTINGS.lock:
                    return value in SETTINGS.sessions
        return False

    # --- routes --------------------------------------------------------------------------

    def do_GET(self):
        path = urlsplit(self.path).path
        query = parse_qs(urlsplit(self.path).query)
        if path == "/":
            if self.signed_in():
                self.send_page(200, ide_page(SETTINGS.user))
            else:
                self.redirect("/auth-sign-in?appUri=%2F")
        elif path == "/auth-sign-in":
            if not SETTINGS.auth:
                self.redirect("/")
            else:
                self.send_page(200, sign_in_page("error" in query))
        elif path == "/auth-sign-out":
            self.redirect(
                "/auth-sign-in" if SETTINGS.auth else "/",
                [("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0")],
            )
        else:
            self.send_page(404, PAGE.format(title="Not Found", body="<h1>404 Not Found</h1>"))

    do_HEAD = do_GET

    def do_POST(self):
        path = urlsplit(self.path).path
        if path != "/auth-do-sign-in":
            self.send_page(404, PAGE.format(title="Not Found", body="<h1>404 Not Found</h1>"))
            return
        body = self.read_body()
        if body is None:
            self.close_connection = True
            self.send_page(413, PAGE.format(title="Too Large", body="<h1>413 Form too large</h1>"))
            return
        form = parse_qs(body.decode("utf-8", "replace"))
        user = form.get("username", [""])[0]
        password = form.get("password", [""])[0]
        if not SETTINGS.auth:
            self.redirect("/")
            return
        good_user = secrets.compare_digest(user.encode(), SETTINGS.user.encode())
        good_password = secrets.compare_digest(password.encode(), SETTINGS.password.encode())
        if good_user and good_password:
            token = secrets.token_urlsafe(24)
            with SETTINGS.lock:
                SETTINGS.sessions.add(token)
            log("user %s signed in" % SETTINGS.user)
            self.redirect("/", [("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly")])
        else:
            log("failed sign-in attempt for user %r" % user)
            self.redirect("/auth-sign-in?error=2&appUri=%2F")


def stop(signum, _frame):
    log("received %s, shutting down" % signal.Signals(signum).name)
    raise SystemExit(0)


def main():
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if SETTINGS.auth:
        if SETTINGS.generated:
            log("No PASSWORD was given, so one was generated for user '%s': %s"
                % (SETTINGS.user, SETTINGS.password))
            log("To choose it yourself, start the container with -e PASSWORD=<your password>.")
        else:
            log("Sign-in is on: user '%s', password from the PASSWORD variable." % SETTINGS.user)
    else:
        log("DISABLE_AUTH=true: the IDE opens without a sign-in page.")
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True
    log("RStudio stand-in listening on http://0.0.0.0:%d" % PORT)
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
