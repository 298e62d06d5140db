"""UDP probes with TTL 1, 2, 3 to ports 33434+; ICMP errors read from the error queue."""
import select
import socket
import struct
import time
from common import emit, main, wait_forever

IP_RECVERR = 11
SO_EE_ORIGIN = {0: "none", 1: "local", 2: "icmp", 3: "icmp6"}


def server(p):
    emit("ready")
    wait_forever()


def drain(s):
    while True:
        try:
            data, anc, flags, addr = s.recvmsg(2048, 1024, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        for level, typ, cdata in anc:
            if level == socket.IPPROTO_IP and typ == IP_RECVERR:
                ee_errno, origin, etype, ecode, _pad, info, _data = struct.unpack("IBBBBII", cdata[:16])
                off = socket.inet_ntoa(cdata[20:24])
                emit("icmp_error", errno=ee_errno, origin=SO_EE_ORIGIN.get(origin, origin),
                     icmp_type=etype, icmp_code=ecode, offender=off,
                     probe_dst_port=addr[1] if addr else None)


def client(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
    for i, ttl in enumerate(p["ttls"]):
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
        port = p["first_port"] + i
        s.sendto(b"t" * p["payload_bytes"], ("10.0.2.2", port))
        emit("probe", ttl=ttl, dst_port=port, bytes=p["payload_bytes"], local_port=s.getsockname()[1])
        end = time.monotonic() + p["gap_s"]
        poller = select.poll()
        poller.register(s, 0)  # POLLERR (a queued ICMP error) is always reported
        while (left := end - time.monotonic()) > 0:
            if poller.poll(left * 1000):
                drain(s)
    time.sleep(p.get("tail_s", 0.3))
    drain(s)
    emit("done")


if __name__ == "__main__":
    main(server, client)
