"""Shared helpers for the experiment programs.

Every program is run as `python3 <program>.py server|client '<params json>'` inside
its namespace and prints one JSON object per line on stdout: an app event with the
CLOCK_MONOTONIC time ("mono", seconds) at which it happened.
"""
import fcntl
import json
import signal
import socket
import struct
import sys
import time

SIOCINQ = 0x541B  # FIONREAD
SIOCOUTQ = 0x5411  # TIOCOUTQ
SIOCOUTQNSD = 0x894B

ROLE = "?"


def mono():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) / 1e9


def emit(what, **fields):
    ev = {"mono": mono(), "role": ROLE, "what": what}
    ev.update(fields)
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def ioctl_int(sock, req):
    buf = fcntl.ioctl(sock.fileno(), req, b"\0\0\0\0")
    return struct.unpack("i", buf)[0]


def queues(sock):
    """Bytes in the receive queue, the send queue (unacked + unsent) and unsent only."""
    out = {}
    for name, req in (("inq", SIOCINQ), ("outq", SIOCOUTQ), ("outq_notsent", SIOCOUTQNSD)):
        try:
            out[name] = ioctl_int(sock, req)
        except OSError:
            pass
    return out


def recv_exact(sock, n):
    got = 0
    while got < n:
        b = sock.recv(min(65536, n - got))
        if not b:
            break
        got += len(b)
    return got


def main(server, client):
    """Dispatch on argv; SIGTERM becomes SystemExit so `finally` blocks run."""
    global ROLE
    ROLE = sys.argv[1]
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}

    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    try:
        (server if ROLE == "server" else client)(params)
    except SystemExit:
        pass


def wait_forever():
    while True:
        time.sleep(3600)


def listener(params, addr="10.0.0.2", backlog=128, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((addr, params.get("port", 8080)))
    s.listen(backlog)
    emit("listen", backlog=backlog,
         so_rcvbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
         so_sndbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    emit("ready")
    return s
