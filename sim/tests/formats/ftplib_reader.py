"""Python's ftplib, reading what statelab's FTP module writes.

Run by tests/formats/ftp_reader.rs: a JSON document on stdin, a JSON
document on stdout. No socket is opened: replies are read from a file object
(ftplib reads its control connection through `self.file`, a text file made
by `makefile('r')`, which is what io.TextIOWrapper over the bytes is), and
commands are written to a stand-in socket that keeps the bytes `sendall`
gets. Only ftplib's own reading and writing run.
"""

import ftplib
import io
import json
import sys


class Kept:
    """A socket that keeps what is sent."""

    def __init__(self):
        self.sent = b""

    def sendall(self, data):
        self.sent += data


def client(data=b""):
    ftp = ftplib.FTP()  # no host: connects to nothing
    ftp.encoding = "utf-8"
    ftp.file = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    ftp.sock = Kept()
    return ftp


def read_replies(wire, count):
    """`count` replies read one after another, then whether the text is used up."""
    ftp = client(wire.encode("utf-8"))
    out = []
    for _ in range(count):
        try:
            out.append(["ok", ftp.getresp(), ftp.lastresp])
        except ftplib.error_temp as e:
            out.append(["temp", e.args[0], ftp.lastresp])
        except ftplib.error_perm as e:
            out.append(["perm", e.args[0], ftp.lastresp])
        except (ftplib.Error, EOFError) as e:
            out.append(["error", repr(e), getattr(ftp, "lastresp", None)])
    try:
        ftp.getline()
        at_end = False
    except EOFError:
        at_end = True
    return {"replies": out, "at_end": at_end}


def send(line):
    """What ftplib sends for a command line, or why it refuses to."""
    ftp = client()
    try:
        ftp.putcmd(line)
    except ValueError as e:
        return ["refused", str(e)]
    return ["sent", ftp.sock.sent.decode("utf-8")]


def pasv(text):
    try:
        host, port = ftplib.parse227(text)
        return [host, port]
    except ftplib.Error as e:
        return ["error", repr(e)]


job = json.load(sys.stdin)
json.dump(
    {
        "streams": [read_replies(s["wire"], s["count"]) for s in job["streams"]],
        "commands": [send(line) for line in job["commands"]],
        "pasv": [pasv(text) for text in job["pasv"]],
    },
    sys.stdout,
)
