"""Connect, 100 bytes up, 200 bytes down, client closes first, then the server."""
import socket
import time
from common import emit, main, listener, recv_exact


def server(p):
    ls = listener(p)
    c, peer = ls.accept()
    emit("accept", peer_port=peer[1])
    n = recv_exact(c, p["request_bytes"])
    emit("recv", bytes=n)
    c.sendall(b"s" * p["reply_bytes"])
    emit("send", bytes=p["reply_bytes"])
    while c.recv(65536):
        pass
    emit("eof")
    c.close()
    emit("close")
    time.sleep(3600)


def client(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    emit("connect_start")
    s.connect(("10.0.0.2", p["port"]))
    emit("connect_done", local_port=s.getsockname()[1])
    s.sendall(b"c" * p["request_bytes"])
    emit("send", bytes=p["request_bytes"])
    n = recv_exact(s, p["reply_bytes"])
    emit("recv", bytes=n)
    s.close()
    emit("close")
    time.sleep(p.get("tail_s", 0.5))
    emit("done")


if __name__ == "__main__":
    main(server, client)
