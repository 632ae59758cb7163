"""Replays the client side of simulated FTP control connections against a
real FTP server, pyftpdlib, started here on loopback, and reports the reply
codes it answered. Run by ftp_server.rs: a JSON job on stdin, JSON out.

Job: {"users": {name: password}, "dirs": [path], "files": {path: text},
"sessions": [{"commands": [line], "data": [bool]}]}. `data[k]` says whether
the k-th PASV's data connection reached the server in the simulation: when
it did not, no data connection is opened here either, and the server's own
timeout (one second here) answers.

With "fleet": {"balancer": ip, "servers": [ip], "port": int, "passive":
[first, last], "haproxy": config text, "rate": int, "steps": [step]}, the
job runs on a fleet instead:
one server per address (each greeting `S<n>` in its banner, its 227 naming
the balancer's address, its passive ports the range given), and HAProxy,
started here with the config given, in front. Each session then connects
as a real client would, through the balancer: the control connection to
(balancer, port), and after every 227 a data connection to the address and
port it names, whatever became of it; each connection starts with a PROXY
protocol v1 line carrying the session's "client" address, the simulated
user's, so that `balance source` hashes what the simulation's did.

On a fleet each server is a process of its own, so that a step can kill
it, and its data connections send at most "rate" bytes a second (the
simulation's link). The fleet's "steps" give the order the simulation's
clients acted in: {"session": i} sends session i's next command (opening
its control connection first), with "hold": n when the crash that follows
cut that transfer (read n bytes of it, then go on to the next step);
{"crash": n} kills server Sn (SIGKILL), then every session it held reads
its transfer to the end the kill made and its control connection to the
close; {"down": n} waits until HAProxy's runtime socket reports Sn DOWN.
Sessions stay open until the steps end.

Out: [{"codes": [int], "retr": [text], "listings": [text], "greeting":
text, "dropped": bool}] per session: every reply code in order (a
multi-line reply once, null where the connection closed instead), the
bytes each RETR and each completed (226) LIST carried, the greeting's
first line, and whether a crash closed the control connection.
"""
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import traceback
import threading
import time

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, ThrottledDTPHandler
from pyftpdlib.handlers.ftp.dispatchers import PassiveDTP
from pyftpdlib.log import config_logging
from pyftpdlib.servers import FTPServer


def read_reply(f):
    """One reply: its code and first line, reading a multi-line one (RFC 959
    4.2) to its end; (None, "") when the server closed the connection."""
    try:
        line = f.readline().decode()
    except ConnectionResetError:
        line = ""
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


def files(job):
    """The simulation's file tree in a new directory, and its users."""
    root = tempfile.mkdtemp(prefix="statelab-ftp-")
    for d in job["dirs"]:
        os.makedirs(os.path.join(root, d.lstrip("/")), exist_ok=True)
    for path, text in job["files"].items():
        with open(os.path.join(root, path.lstrip("/")), "wb") as out:
            out.write(text.encode())
    auth = DummyAuthorizer()
    for name, password in job["users"].items():
        auth.add_user(name, password, root, perm="elr")
    return root, auth


def serve_one(auth):
    """One server on loopback, serving in a thread, and its address."""
    handler = type("Handler", (FTPHandler,), {"authorizer": auth, "passive_dtp": Listener})
    server = FTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.05}, daemon=True).start()
    return server, ("127.0.0.1", server.socket.getsockname()[1])


class Fleet:
    """The fleet's servers, a process each (a crash kills one), and HAProxy
    in front, with a runtime socket to ask it what its checks decided."""

    def __init__(self, fleet, auth, workdir):
        self.fleet = fleet
        self.auth = auth
        self.pids = {}
        self.sock = os.path.join(workdir, "haproxy.sock")
        self.haproxy = None
        try:
            for n in range(1, len(fleet["servers"]) + 1):
                self.start(n)
            self.haproxy = balancer(fleet, workdir, self.sock)
            for n in self.pids:
                self.wait(n, "UP")
        except BaseException:
            self.close()
            raise

    def start(self, n):
        """Sn in a process of its own, once it listens: its listening socket
        is the child's alone, so the kill closes it and HAProxy's checks fail."""
        first, last = self.fleet["passive"]
        dtp = type("DTP", (ThrottledDTPHandler,), {"write_limit": self.fleet["rate"]})
        handler = type(
            f"S{n}",
            (FTPHandler,),
            {
                "authorizer": self.auth,
                "passive_dtp": Listener,
                "dtp_handler": dtp,
                "banner": f"S{n} ready.",
                "masquerade_address": self.fleet["balancer"],
                "passive_ports": range(first, last + 1),
            },
        )
        ready, told = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready)
            try:
                server = FTPServer((self.fleet["servers"][n - 1], self.fleet["port"]), handler)
                os.write(told, b"1")
                os.close(told)
                server.serve_forever(timeout=0.05)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)
        os.close(told)
        started = os.read(ready, 1)
        os.close(ready)
        if not started:
            os.waitpid(pid, 0)
            raise SystemExit(f"S{n} did not start")
        self.pids[n] = pid

    def kill(self, n):
        """The crash: SIGKILL, as a power cut would leave it."""
        pid = self.pids.pop(n)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    def state(self, n):
        """Sn's status as HAProxy's `show stat` gives it (UP, DOWN, `UP 1/2`…)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(self.sock)
            s.sendall(b"show stat\n")
            out = b""
            while chunk := s.recv(65536):
                out += chunk
        rows = [line.split(",") for line in out.decode().splitlines() if line and not line.startswith("#")]
        header = out.decode().splitlines()[0].lstrip("# ").split(",")
        status = header.index("status")
        return next(r[status] for r in rows if r[0] == "fleet" and r[1] == f"S{n}")

    def wait(self, n, want):
        """Until HAProxy reports Sn `want`: its checks decide, at their own
        pace; the deadline only turns a hang into a failure."""
        deadline = time.monotonic() + 60
        while (got := self.state(n)) != want:
            if time.monotonic() > deadline:
                raise SystemExit(f"HAProxy never reported S{n} {want} (last {got})")
            time.sleep(0.05)

    def close(self):
        if self.haproxy is not None:
            self.haproxy.kill()
            self.haproxy.wait()
        for n in list(self.pids):
            self.kill(n)


def balancer(fleet, workdir, sock):
    """HAProxy with the fleet's config (written in `workdir`, outside what
    the servers list) and a second file that only adds the runtime socket,
    once it listens. The probe connection sends no PROXY line, so HAProxy
    never picks a server for it (round robin's turn is left where it was)."""
    cfg = os.path.join(workdir, "haproxy.cfg")
    with open(cfg, "w") as out:
        out.write(fleet["haproxy"])
    runtime = os.path.join(workdir, "runtime.cfg")
    with open(runtime, "w") as out:
        out.write(f"global\n    stats socket {sock} level user\n")
    proc = subprocess.Popen(["haproxy", "-q", "-f", cfg, "-f", runtime], stdout=subprocess.DEVNULL)
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


class Client:
    """One session's client: its control connection, opened at its first
    command, and the data connection of its latest 227."""

    def __init__(self, session, address, fleet):
        self.commands = list(session["commands"])
        self.sent = 0
        self.data_flags = list(session["data"])
        self.client = session["client"] if fleet else None
        self.fleet = fleet
        self.address = address
        self.codes, self.retr, self.listings = [], [], []
        self.greeting = ""
        self.server = None
        self.ctl = self.f = self.data = None
        # A transfer begun and not yet read to its end: (verb, bytes so far).
        self.pending = None
        self.closed = False
        self.dropped = False

    def open(self):
        self.ctl = connect(self.address, self.client)
        self.f = self.ctl.makefile("rb")
        code, greeting = read_reply(self.f)
        self.codes.append(code)
        self.greeting = greeting.rstrip("\r\n")
        if m := re.match(r"220 S(\d+) ", self.greeting):
            self.server = int(m.group(1))
        self.closed = code is None

    def step(self, hold=None):
        """Sends the next command and reads what it brings; with `hold`, a
        transfer stops being read after that many bytes, for now."""
        if self.ctl is None:
            self.open()
        line = self.commands[self.sent]
        self.sent += 1
        if self.closed:
            return
        self.ctl.sendall((line + "\r\n").encode())
        code, text = read_reply(self.f)
        self.codes.append(code)
        if code is None:
            self.closed = True
            return
        verb = line.split(" ")[0].upper()
        # A real client behind the fleet always tries the address the 227
        # named; alone, the server sees the connections the simulation's did.
        if verb == "PASV" and code == 227 and (self.data_flags.pop(0) or self.fleet):
            self.data = connect(pasv_address(text), self.client)
        if verb in ("LIST", "NLST", "RETR") and 100 <= code < 200:
            self.pending = (verb, b"")
            self.receive(hold)

    def receive(self, hold=None):
        """Reads the pending transfer's data (`hold` bytes of it, or to its
        end), and once it ended, the reply that closes it."""
        verb, got = self.pending
        ended = self.data is None
        while not ended and (hold is None or len(got) < hold):
            try:
                chunk = self.data.recv(65536)
            except ConnectionResetError:
                chunk = b""
            got += chunk
            ended = not chunk
        self.pending = (verb, got)
        if not ended:
            return
        if self.data is not None:
            self.data.close()
            self.data = None
        self.pending = None
        end = read_reply(self.f)[0]
        self.codes.append(end)
        self.closed = end is None
        if verb == "RETR":
            self.retr.append(got.decode())
        elif end == 226:
            self.listings.append(got.decode())

    def drop(self):
        """After its server was killed: the rest of the transfer it was
        reading, then whether the control connection closed, unanswered."""
        if self.pending is not None:
            self.receive()
        code, _ = read_reply(self.f)
        if code is not None:
            self.codes.append(code)
        self.dropped = code is None
        self.closed = True

    def close(self):
        for sock in (self.data, self.ctl):
            if sock is not None:
                sock.close()

    def result(self):
        return {
            "codes": self.codes,
            "retr": self.retr,
            "listings": self.listings,
            "greeting": self.greeting,
            "dropped": self.dropped,
        }


def play(clients, steps, lab):
    """The fleet's steps, in the simulation's order (see the top)."""
    for step in steps:
        if "session" in step:
            clients[step["session"]].step(step.get("hold"))
        elif "crash" in step:
            lab.kill(step["crash"])
            for c in clients:
                if c.server == step["crash"] and c.ctl is not None and not c.closed:
                    c.drop()
        else:
            lab.wait(step["down"], "DOWN")


def main():
    config_logging(level=logging.ERROR)
    job = json.load(sys.stdin)
    fleet = job.get("fleet")
    root, auth = files(job)
    workdir = tempfile.mkdtemp(prefix="statelab-haproxy-")
    clients = []
    lab = server = None
    try:
        if fleet is None:
            server, address = serve_one(auth)
            clients = [Client(s, address, None) for s in job["sessions"]]
            for c in clients:
                c.open()
                while c.sent < len(c.commands):
                    c.step()
                c.close()
        else:
            lab = Fleet(fleet, auth, workdir)
            address = (fleet["balancer"], fleet["port"])
            clients = [Client(s, address, fleet) for s in job["sessions"]]
            play(clients, fleet["steps"], lab)
    finally:
        for c in clients:
            c.close()
        if lab is not None:
            lab.close()
        if server is not None:
            # Closing the IO loop closes the server and its connections.
            server.close_all()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    json.dump([c.result() for c in clients], sys.stdout)


if __name__ == "__main__":
    main()
