"""Replays the client side of simulated FTP control connections against a
real FTP server, pyftpdlib, started here on loopback, and reports the reply
codes it answered. Run by ftp_server.rs: a JSON job on stdin, JSON out.

Job: {"users": {name: password}, "dirs": [path], "files": {path: text},
"sessions": [{"commands": [line], "data": [bool]}]}. `data[k]` says whether
the k-th PASV's data connection reached the server in the simulation: when
it did not, no data connection is opened here either, and the server's own
timeout (one second here) answers.

With "fleet": {"balancer": ip, "servers": [ip], "port": int, "passive":
[first, last], "haproxy": config text}, the job runs on a fleet instead:
one server per address (each greeting `S<n>` in its banner, its 227 naming
the balancer's address, its passive ports the range given), and HAProxy,
started here with the config given, in front. Each session then connects
as a real client would, through the balancer: the control connection to
(balancer, port), and after every 227 a data connection to the address and
port it names, whatever became of it; each connection starts with a PROXY
protocol v1 line carrying the session's "client" address, the simulated
user's, so that `balance source` hashes what the simulation's did.

Out: [{"codes": [int], "retr": [text], "listings": [text], "greeting":
text}] per session: every reply code in order (a multi-line reply once),
the bytes each RETR and each completed (226) LIST carried, and the
greeting's first line.
"""
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

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


def serve(job, fleet):
    """The FTP servers, serving in a thread: one on loopback (its address
    returned), or the fleet's, behind its balancer."""
    root = tempfile.mkdtemp(prefix="statelab-ftp-")
    for d in job["dirs"]:
        os.makedirs(os.path.join(root, d.lstrip("/")), exist_ok=True)
    for path, text in job["files"].items():
        with open(os.path.join(root, path.lstrip("/")), "wb") as out:
            out.write(text.encode())
    auth = DummyAuthorizer()
    for name, password in job["users"].items():
        auth.add_user(name, password, root, perm="elr")
    servers = []
    if fleet is None:
        handler = type("Handler", (FTPHandler,), {"authorizer": auth, "passive_dtp": Listener})
        servers.append(FTPServer(("127.0.0.1", 0), handler))
        address = ("127.0.0.1", servers[0].socket.getsockname()[1])
    else:
        first, last = fleet["passive"]
        for n, ip in enumerate(fleet["servers"], start=1):
            handler = type(
                f"S{n}",
                (FTPHandler,),
                {
                    "authorizer": auth,
                    "passive_dtp": Listener,
                    "banner": f"S{n} ready.",
                    "masquerade_address": fleet["balancer"],
                    "passive_ports": range(first, last + 1),
                },
            )
            servers.append(FTPServer((ip, fleet["port"]), handler))
        address = (fleet["balancer"], fleet["port"])
    # The servers share pyftpdlib's one IO loop: serving one serves all.
    threading.Thread(target=servers[0].serve_forever, kwargs={"timeout": 0.05}, daemon=True).start()
    return root, servers, address


def balancer(fleet, workdir):
    """HAProxy with the fleet's config (written in `workdir`, outside what
    the servers list), once it listens. The probe connection sends no PROXY
    line, so HAProxy never picks a server for it (round robin's turn is left
    where it was)."""
    cfg = os.path.join(workdir, "haproxy.cfg")
    with open(cfg, "w") as out:
        out.write(fleet["haproxy"])
    proc = subprocess.Popen(["haproxy", "-f", cfg], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection((fleet["balancer"], fleet["port"]), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise SystemExit(f"haproxy did not start (exit {proc.poll()})")
            time.sleep(0.05)


def connect(address, client):
    """A TCP connection to `address`, presenting `client` as its source
    (PROXY protocol v1) when it goes through the fleet's balancer."""
    sock = socket.create_connection(address, timeout=10)
    if client is not None:
        sock.sendall(f"PROXY TCP4 {client} {address[0]} 40000 {address[1]}\r\n".encode())
    return sock


def replay(session, address, fleet):
    codes, retr, listings = [], [], []
    data_flags = list(session["data"])
    client = session["client"] if fleet else None
    ctl = connect(address, client)
    f = ctl.makefile("rb")
    code, greeting = read_reply(f)
    codes.append(code)
    data = None
    for line in session["commands"]:
        ctl.sendall((line + "\r\n").encode())
        code, text = read_reply(f)
        codes.append(code)
        if code is None:
            break
        verb = line.split(" ")[0].upper()
        # A real client behind the fleet always tries the address the 227
        # named; alone, the server sees the connections the simulation's did.
        if verb == "PASV" and code == 227 and (data_flags.pop(0) or fleet):
            data = connect(pasv_address(text), client)
        if verb in ("LIST", "NLST", "RETR") and 100 <= code < 200:
            got = b""
            if data is not None:
                try:
                    while chunk := data.recv(65536):
                        got += chunk
                except ConnectionResetError:
                    pass
                data.close()
                data = None
            end = read_reply(f)[0]
            codes.append(end)
            if verb == "RETR":
                retr.append(got.decode())
            elif end == 226:
                listings.append(got.decode())
    ctl.close()
    return {"codes": codes, "retr": retr, "listings": listings, "greeting": greeting.rstrip("\r\n")}


def main():
    config_logging(level=logging.ERROR)
    job = json.load(sys.stdin)
    fleet = job.get("fleet")
    root, servers, address = serve(job, fleet)
    workdir = tempfile.mkdtemp(prefix="statelab-haproxy-")
    proc = balancer(fleet, workdir) if fleet else None
    try:
        results = [replay(session, address, fleet) for session in job["sessions"]]
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        # Closing the shared IO loop closes every server and connection.
        servers[0].close_all()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
