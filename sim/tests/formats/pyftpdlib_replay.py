"""Replays the client side of simulated FTP control connections against a
real FTP server, pyftpdlib, started here on loopback, and reports the reply
codes it answered. Run by ftp_server.rs: a JSON job on stdin, JSON out.

Job: {"users": {name: password}, "dirs": [path], "files": {path: text},
"sessions": [{"commands": [line], "data": [bool]}]}. `data[k]` says whether
the k-th PASV's data connection reached the server in the simulation: when
it did not, no data connection is opened here either, and the server's own
timeout (one second here) answers.

Out: [{"codes": [int], "retr": [text]}] per session: every reply code in
order (a multi-line reply once), and the bytes each RETR carried.
"""
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.handlers.ftp.dispatchers import PassiveDTP
from pyftpdlib.log import config_logging
from pyftpdlib.servers import FTPServer


def read_reply(f):
    """One reply: its code and first line, reading a multi-line one (RFC 959
    4.2) to its end; (None, "") when the server closed the connection."""
    line = f.readline().decode()
    if not line:
        return None, ""
    code = line[:3]
    if line[3:4] == "-":
        while True:
            more = f.readline().decode()
            if not more or (more[:3] == code and more[3:4] == " "):
                break
    return int(code), line


def pasv_address(text):
    """The (host, port) of a 227 reply: its six numbers h1,h2,h3,h4,p1,p2."""
    numbers = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text).groups()
    h = ".".join(numbers[:4])
    return h, int(numbers[4]) * 256 + int(numbers[5])


class Listener(PassiveDTP):
    """pyftpdlib's passive listener, timing out after one second, and then
    dropping the transfer that waited for it, as vsftpd does: pyftpdlib
    keeps it queued, and the next data connection would carry it (a 426
    for the transfer meant for that connection, depending on timing)."""

    timeout = 1

    def handle_timeout(self):
        self.cmd_channel._out_dtp_queue = None
        super().handle_timeout()


def main():
    config_logging(level=logging.ERROR)
    job = json.load(sys.stdin)
    root = tempfile.mkdtemp(prefix="statelab-ftp-")
    for d in job["dirs"]:
        os.makedirs(os.path.join(root, d.lstrip("/")), exist_ok=True)
    for path, text in job["files"].items():
        with open(os.path.join(root, path.lstrip("/")), "wb") as out:
            out.write(text.encode())
    auth = DummyAuthorizer()
    for name, password in job["users"].items():
        auth.add_user(name, password, root, perm="elr")
    handler = FTPHandler
    handler.authorizer = auth
    handler.passive_dtp = Listener
    server = FTPServer(("127.0.0.1", 0), handler)
    port = server.socket.getsockname()[1]
    threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True).start()

    results = []
    for session in job["sessions"]:
        codes, retr = [], []
        data_flags = list(session["data"])
        ctl = socket.create_connection(("127.0.0.1", port), timeout=10)
        f = ctl.makefile("rb")
        codes.append(read_reply(f)[0])
        data = None
        for line in session["commands"]:
            ctl.sendall((line + "\r\n").encode())
            code, text = read_reply(f)
            codes.append(code)
            if code is None:
                break
            verb = line.split(" ")[0].upper()
            if verb == "PASV" and code == 227 and data_flags.pop(0):
                data = socket.create_connection(pasv_address(text), timeout=10)
            if verb in ("LIST", "NLST", "RETR") and 100 <= code < 200:
                got = b""
                if data is not None:
                    while chunk := data.recv(65536):
                        got += chunk
                    data.close()
                    data = None
                if verb == "RETR":
                    retr.append(got.decode())
                codes.append(read_reply(f)[0])
        ctl.close()
        results.append({"codes": codes, "retr": retr})
    server.close_all()
    shutil.rmtree(root, ignore_errors=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
