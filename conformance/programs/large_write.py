"""One send() of 200000 bytes right after connect; the server reads continuously."""
import socket
import time
from common import emit, main, listener, queues


def server(p):
    ls = listener(p)
    c, peer = ls.accept()
    emit("accept", peer_port=peer[1])
    total = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        total += len(b)
    emit("eof", total=total)
    c.close()
    emit("close")
    time.sleep(3600)


def client(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if p.get("client_tcp_maxseg"):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, p["client_tcp_maxseg"])
    emit("connect_start")
    s.connect(("10.0.0.2", p["port"]))
    emit("connect_done", local_port=s.getsockname()[1],
         tcp_maxseg=s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG))
    data = b"L" * p["write_bytes"]
    emit("send_start", bytes=len(data))
    n = s.send(data)
    emit("send_returned", bytes=n, **queues(s))
    if n < len(data):
        s.sendall(data[n:])
        emit("sendall_done")
    # Wait until everything is acknowledged before closing.
    while queues(s).get("outq", 0):
        time.sleep(0.002)
    emit("all_acked")
    s.close()
    emit("close")
    time.sleep(p.get("tail_s", 0.3))
    emit("done")


if __name__ == "__main__":
    main(server, client)
