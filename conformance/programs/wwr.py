"""Write-write-read: send(first), send(100), recv(100), repeated; Nagle left on."""
import socket
import time
from common import emit, main, listener, recv_exact


def server(p):
    ls = listener(p)
    c, peer = ls.accept()
    emit("accept", peer_port=peer[1])
    want = p["first_bytes"] + p["second_bytes"]
    for i in range(p["iterations"]):
        n = recv_exact(c, want)
        emit("recv", iteration=i, bytes=n)
        c.sendall(b"r" * p["reply_bytes"])
        emit("send", iteration=i, bytes=p["reply_bytes"])
    while c.recv(65536):
        pass
    c.close()
    time.sleep(3600)


def client(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect(("10.0.0.2", p["port"]))
    emit("connect_done", local_port=s.getsockname()[1])
    first = b"a" * p["first_bytes"]
    second = b"b" * p["second_bytes"]
    lat = []
    for i in range(p["iterations"]):
        t0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        s.sendall(first)
        s.sendall(second)
        n = recv_exact(s, p["reply_bytes"])
        t1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        lat.append((t1 - t0) / 1e6)
        emit("iteration", iteration=i, start_mono=t0 / 1e9, end_mono=t1 / 1e9,
             latency_ms=round((t1 - t0) / 1e6, 3), reply_bytes=n)
    srt = sorted(lat)
    emit("summary", latencies_ms=[round(x, 3) for x in lat],
         median_ms=round((srt[4] + srt[5]) / 2, 3) if len(srt) == 10 else None)
    time.sleep(p.get("gap_s", 0.0))
    s.close()
    emit("close")
    time.sleep(p.get("tail_s", 0.3))
    emit("done")


if __name__ == "__main__":
    main(server, client)
