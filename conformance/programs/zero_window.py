"""The server accepts and never reads; the client keeps writing 64 KiB send() calls."""
import socket
import struct
import time
from common import emit, main, listener, queues, wait_forever

conn = None


def server(p):
    global conn
    ls = listener(p, rcvbuf=p.get("so_rcvbuf"))
    try:
        conn, peer = ls.accept()
        emit("accept", peer_port=peer[1],
             so_rcvbuf=conn.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
        wait_forever()
    finally:
        if conn is not None:
            emit("server_queues", **queues(conn))


def client(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Blocking socket; the timeout only makes a blocked send() return the part it
    # accepted, so the total counted below is exact.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 0, 500000))
    emit("connect_start")
    s.connect(("10.0.0.2", p["port"]))
    emit("connect_done", local_port=s.getsockname()[1],
         so_sndbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    chunk = b"z" * p["chunk_bytes"]
    total = 0
    calls = 0
    start = time.monotonic()
    while time.monotonic() - start < p["duration_s"]:
        try:
            n = s.send(chunk)
        except BlockingIOError:
            n = 0
        calls += 1
        if n:
            total += n
            emit("send", bytes=n, total=total)
    q = queues(s)
    emit("send_stopped", total_accepted=total, send_calls=calls,
         bytes_acked=total - q.get("outq", 0),
         so_sndbuf=s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF), **q)
    emit("done")
    wait_forever()


if __name__ == "__main__":
    main(server, client)
