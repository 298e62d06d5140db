"""A small pcap reader (Ethernet, IPv4, TCP/UDP/ICMP) used by the recorder.

`python3 pcapsum.py FILE.pcap` prints one line per packet; the recorder imports
`read_packets` to derive the observations stored in recorded/<name>.json.
"""
import struct
import sys

TCP_FLAGS = "FSRPAUEC"  # FIN SYN RST PSH ACK URG ECE CWR, bit 0 upward


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    _vmaj, _vmin, _tz, _sig, snaplen, linktype = struct.unpack(end + "HHiIII", data[4:24])
    off = 24
    recs = []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        ts_ns = sec * 1_000_000_000 + (frac if nano else frac * 1000)
        recs.append((ts_ns, orig, data[off:off + incl]))
        off += incl
    return {"snaplen": snaplen, "linktype": linktype, "nano": nano}, recs


def tcp_options(b):
    opts = []
    i = 0
    while i < len(b):
        kind = b[i]
        if kind == 0:
            opts.append(["eol"])
            break
        if kind == 1:
            opts.append(["nop"])
            i += 1
            continue
        if i + 1 >= len(b):
            break
        ln = b[i + 1]
        if ln < 2:
            break
        v = b[i + 2:i + ln]
        if kind == 2 and ln == 4:
            opts.append(["mss", struct.unpack("!H", v)[0]])
        elif kind == 3 and ln == 3:
            opts.append(["wscale", v[0]])
        elif kind == 4:
            opts.append(["sack_perm"])
        elif kind == 5:
            opts.append(["sack"] + [list(struct.unpack("!II", v[j:j + 8])) for j in range(0, len(v) - 7, 8)])
        elif kind == 8 and ln == 10:
            opts.append(["ts"] + list(struct.unpack("!II", v)))
        else:
            opts.append(["opt", kind, v.hex()])
        i += ln
    return opts


def decode(frame):
    """One Ethernet frame as a dict; IP/TCP fields that the snap length cut are taken
    from the headers (lengths come from the IP total length, not the captured bytes)."""
    p = {}
    if len(frame) < 14:
        return {"l2": "short"}
    etype = struct.unpack("!H", frame[12:14])[0]
    if etype == 0x0806:
        return {"l2": "arp"}
    if etype != 0x0800:
        return {"l2": hex(etype)}
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    tos, tot_len, ident, frag, ttl, proto = struct.unpack("!BHHHBB", ip[1:10])
    p.update(
        src=".".join(map(str, ip[12:16])), dst=".".join(map(str, ip[16:20])),
        tos=tos, ip_len=tot_len, ip_id=ident, df=bool(frag & 0x4000), ttl=ttl, proto=proto,
    )
    l4 = ip[ihl:]
    if proto == 6:
        sport, dport, seq, ack, offflags, win = struct.unpack("!HHIIHH", l4[:16])
        doff = (offflags >> 12) * 4
        flags = "".join(c for i, c in enumerate(TCP_FLAGS) if offflags & (1 << i))
        p.update(proto="tcp", sport=sport, dport=dport, seq=seq, ack=ack, flags=flags,
                 win=win, len=tot_len - ihl - doff, opts=tcp_options(l4[20:doff]))
    elif proto == 17:
        sport, dport, ulen = struct.unpack("!HHH", l4[:6])
        p.update(proto="udp", sport=sport, dport=dport, len=ulen - 8)
    elif proto == 1:
        typ, code = l4[0], l4[1]
        p.update(proto="icmp", icmp_type=typ, icmp_code=code, len=tot_len - ihl)
        inner = l4[8:]
        if len(inner) >= 20:
            iihl = (inner[0] & 15) * 4
            q = {"src": ".".join(map(str, inner[12:16])), "dst": ".".join(map(str, inner[16:20])),
                 "ttl": inner[8], "proto": inner[9], "ip_id": struct.unpack("!H", inner[4:6])[0]}
            if len(inner) >= iihl + 4:
                q["sport"], q["dport"] = struct.unpack("!HH", inner[iihl:iihl + 4])
            p["quoted"] = q
    return p


def read_packets(path):
    """(header, packets): each packet a dict with ts_ns (CLOCK_REALTIME), t (seconds
    since the first packet), caplen, wire_len and the decoded fields."""
    hdr, recs = read_pcap(path)
    out = []
    t0 = recs[0][0] if recs else 0
    for i, (ts, orig, frame) in enumerate(recs):
        p = {"n": i + 1, "ts_ns": ts, "t": (ts - t0) / 1e9, "caplen": len(frame), "wire_len": orig}
        p.update(decode(frame))
        out.append(p)
    return hdr, out


def line(p):
    if p.get("proto") == "tcp":
        o = ",".join(str(x[0]) if len(x) == 1 else f"{x[0]} {' '.join(map(str, x[1:]))}" for x in p["opts"])
        return (f"{p['n']:4} {p['t']:10.6f} {p['src']}:{p['sport']} > {p['dst']}:{p['dport']} "
                f"[{p['flags']}] seq {p['seq']} ack {p['ack']} win {p['win']} len {p['len']} "
                f"id {p['ip_id']} tos {p['tos']:#x} ttl {p['ttl']} df {int(p['df'])} [{o}]")
    if p.get("proto") == "icmp":
        return (f"{p['n']:4} {p['t']:10.6f} {p['src']} > {p['dst']} ICMP type {p['icmp_type']} code "
                f"{p['icmp_code']} id {p['ip_id']} tos {p['tos']:#x} ttl {p['ttl']} df {int(p['df'])} "
                f"iplen {p['ip_len']} quoted {p.get('quoted')}")
    if p.get("proto") == "udp":
        return (f"{p['n']:4} {p['t']:10.6f} {p['src']}:{p['sport']} > {p['dst']}:{p['dport']} UDP "
                f"len {p['len']} id {p['ip_id']} tos {p['tos']:#x} ttl {p['ttl']} df {int(p['df'])}")
    return f"{p['n']:4} {p['t']:10.6f} {p}"


if __name__ == "__main__":
    for path in sys.argv[1:]:
        _, pkts = read_packets(path)
        for p in pkts:
            print(line(p))
