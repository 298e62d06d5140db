"""Connect to a TCP port, or send a UDP datagram to a port, where nothing listens."""
import errno
import socket
import time
from common import emit, main, wait_forever


def server(p):
    emit("ready")
    wait_forever()


def client(p):
    dst = ("10.0.0.2", p["port"])
    if p["proto"] == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        emit("connect_start")
        try:
            s.connect(dst)
            emit("connect_done")
        except OSError as e:
            emit("connect_error", errno=errno.errorcode.get(e.errno, e.errno))
        s.close()
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(dst)  # connected, so the ICMP error is reported on the socket
        s.settimeout(1.0)
        s.send(b"u" * p["payload_bytes"])
        emit("sendto", bytes=p["payload_bytes"], local_port=s.getsockname()[1])
        try:
            s.recv(2048)
            emit("recv")
        except OSError as e:
            emit("recv_error", errno=errno.errorcode.get(e.errno, e.errno) if e.errno else "timeout")
        s.close()
    time.sleep(p.get("tail_s", 0.3))
    emit("done")


if __name__ == "__main__":
    main(server, client)
