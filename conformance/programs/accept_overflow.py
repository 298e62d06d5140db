"""listen(backlog=1), never accept(); several clients connect 10 ms apart and send nothing."""
import select
import socket
import time
from common import emit, main, listener, wait_forever


def server(p):
    ls = listener(p, backlog=p["backlog"])  # kept open while waiting
    wait_forever()


def client(p):
    pending = {}
    socks = []
    poller = select.poll()
    start = time.monotonic()
    starts = [start + i * p["stagger_s"] for i in range(p["clients"])]
    deadline = start + p["duration_s"]
    while time.monotonic() < deadline:
        # Start the clients that are due, then wait for completions until the next start.
        while starts and time.monotonic() >= starts[0]:
            i = p["clients"] - len(starts)
            starts.pop(0)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(("10.0.0.2", p["port"]))
            emit("connect_start", client=i, local_port=s.getsockname()[1], result=err)
            socks.append(s)
            pending[s.fileno()] = (i, s)
            poller.register(s, select.POLLOUT)
        until = starts[0] if starts else deadline
        left = until - time.monotonic()
        if left <= 0:
            continue
        for fd, ev in poller.poll(left * 1000):
            if fd in pending:
                i, s = pending.pop(fd)
                poller.unregister(fd)
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                emit("connect_done" if err == 0 else "connect_error", client=i,
                     local_port=s.getsockname()[1], so_error=err)
    for i, s in sorted(pending.values()):
        emit("connect_pending", client=i, local_port=s.getsockname()[1])
    emit("done")
    wait_forever()


if __name__ == "__main__":
    main(server, client)
