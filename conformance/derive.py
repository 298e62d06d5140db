"""Observations derived from a capture, stored under "derived" in recorded/<name>.json.

Sequence and acknowledgement numbers are made relative to each side's ISN (the SYN's
sequence number), so that they compare across runs; the ISN itself is random.
"""
import statistics

CLIENT_ADDRS = ("10.0.0.1", "10.0.1.2")


def direction(p):
    if p.get("src") in CLIENT_ADDRS:
        return "c>s"
    return "s>c" if p.get("dst") in CLIENT_ADDRS else "other"


def isns(pkts):
    """ISN per (src, sport) taken from each SYN (first one seen)."""
    out = {}
    for p in pkts:
        if p.get("proto") == "tcp" and "S" in p["flags"]:
            out.setdefault((p["src"], p["sport"]), p["seq"])
    return out


def rel(p, isn):
    """Sequence and ack numbers relative to the ISNs (mod 2^32)."""
    own = isn.get((p["src"], p["sport"]))
    peer = isn.get((p["dst"], p["dport"]))
    seq = (p["seq"] - own) % 2**32 if own is not None else p["seq"]
    ack = (p["ack"] - peer) % 2**32 if (peer is not None and "A" in p["flags"]) else (p["ack"] if "A" in p["flags"] else None)
    return seq, ack


def compact(pkts):
    isn = isns(pkts)
    out = []
    for p in pkts:
        c = {"n": p["n"], "t": round(p["t"], 6), "dir": direction(p)}
        if "proto" not in p or p["proto"] not in ("tcp", "udp", "icmp"):
            c["other"] = p.get("l2") or p.get("proto")
            out.append(c)
            continue
        c.update(proto=p["proto"], src=p["src"], dst=p["dst"], ip_len=p["ip_len"], ip_id=p["ip_id"],
                 tos=p["tos"], df=p["df"], ttl=p["ttl"])
        if p["proto"] == "tcp":
            seq, ack = rel(p, isn)
            c.update(sport=p["sport"], dport=p["dport"], flags=p["flags"], seq=seq, ack=ack,
                     win=p["win"], len=p["len"])
            if p["opts"]:
                c["opts"] = p["opts"]
        elif p["proto"] == "udp":
            c.update(sport=p["sport"], dport=p["dport"], len=p["len"])
        else:
            c.update(icmp_type=p["icmp_type"], icmp_code=p["icmp_code"], quoted=p.get("quoted"))
        out.append(c)
    return out


def wscale_of(pkts, who):
    for p in pkts:
        if p.get("proto") == "tcp" and "S" in p["flags"] and direction(p) == who:
            for o in p["opts"]:
                if o[0] == "wscale":
                    return o[1]
            return 0
    return 0


def d_zero_window(pkts, events):
    isn = isns(pkts)
    tcp = [p for p in pkts if p.get("proto") == "tcp"]
    ws = wscale_of(pkts, "s>c")
    windows, last = [], None
    first_zero = None
    highest_sent = 0
    probes = []
    for p in tcp:
        seq, ack = rel(p, isn)
        if direction(p) == "c>s":
            highest_sent = max(highest_sent, seq + p["len"])
            if first_zero and p["len"] == 0 and "S" not in p["flags"] and ack is not None and probes_ok(p, tcp, isn):
                probes.append(round(p["t"], 6))
            continue
        if "S" in p["flags"] or "R" in p["flags"]:
            continue
        w = p["win"] << ws
        if (w, ack) != last:
            windows.append([round(p["t"], 6), w, ack])
            last = (w, ack)
        if w == 0 and first_zero is None:
            first_zero = {"t": round(p["t"], 6), "server_acked_bytes": ack - 1,
                          "client_sent_bytes": highest_sent - 1, "n": p["n"]}
    sends = [e for e in events if e.get("what") == "send_stopped"]
    out = {
        "server_wscale": ws,
        "client_wscale": wscale_of(pkts, "c>s"),
        "server_windows": windows,  # [t, advertised window in bytes, ack relative] at each change
        "first_zero_window": first_zero,
        "zero_window_probes_t": probes,
        "probe_intervals_s": [round(b - a, 6) for a, b in zip(probes, probes[1:])],
        "client_bytes_on_wire": highest_sent - 1 if highest_sent else 0,
        "client_send_accepted_bytes": sends[0]["total_accepted"] if sends else None,
    }
    out["events"] = []
    if first_zero:
        out["events"].append({"t": first_zero["t"], "what": "first_zero_window", "source": "pcap",
                              "server_acked_bytes": first_zero["server_acked_bytes"]})
    for t in probes:
        out["events"].append({"t": t, "what": "zero_window_probe", "source": "pcap"})
    return out


def probes_ok(p, tcp, isn):
    """A Linux zero-window probe: no payload, sequence number one below the peer's last ack."""
    last_ack = None
    for q in tcp:
        if q is p:
            break
        if direction(q) == "s>c" and "A" in q["flags"]:
            last_ack = q["ack"]
    return last_ack is not None and p["seq"] == (last_ack - 1) % 2**32


def d_wwr(pkts, events):
    it = [e for e in events if e.get("what") == "iteration"]
    lat = [e["latency_ms"] for e in it]
    tcp = [p for p in pkts if p.get("proto") == "tcp"]
    pure_acks = [p for p in tcp if direction(p) == "s>c" and p["len"] == 0 and p["flags"] == "A"]
    return {
        "latencies_ms": lat,
        "median_latency_ms": round(statistics.median(lat), 3) if lat else None,
        "min_latency_ms": min(lat) if lat else None,
        "max_latency_ms": max(lat) if lat else None,
        "server_pure_acks": len(pure_acks),
        "client_data_segments": [[round(p["t"], 6), p["len"], p["flags"]] for p in tcp
                                 if direction(p) == "c>s" and p["len"] > 0],
    }


def d_large_write(pkts, events):
    isn = isns(pkts)
    tcp = [p for p in pkts if p.get("proto") == "tcp"]
    segs, bursts, cur = [], [], 0
    for p in tcp:
        if direction(p) == "c>s" and p["len"] > 0:
            seq, _ = rel(p, isn)
            segs.append({"i": len(segs) + 1, "n": p["n"], "t": round(p["t"], 6), "seq": seq,
                         "len": p["len"], "psh": "P" in p["flags"]})
            cur += 1
        elif direction(p) == "s>c" and cur:
            bursts.append(cur)
            cur = 0
    if cur:
        bursts.append(cur)
    sizes = {}
    for s in segs:
        sizes[s["len"]] = sizes.get(s["len"], 0) + 1
    return {
        "data_segments": len(segs),
        "payload_bytes": sum(s["len"] for s in segs),
        "segment_sizes": {str(k): v for k, v in sorted(sizes.items())},
        "psh_segments": [s["i"] for s in segs if s["psh"]],
        "psh_seq": [s["seq"] for s in segs if s["psh"]],
        "bursts": bursts,  # client data segments between two packets from the server
        "segments": segs,
    }


def d_replies(pkts, events):
    """The server's or router's answers: RST or ICMP errors, field by field."""
    rep = []
    for c in compact(pkts):
        if c["dir"] == "s>c" and (c.get("proto") == "icmp" or "R" in c.get("flags", "")):
            rep.append(c)
    return {"replies": rep}


def d_accept_overflow(pkts, events):
    by_port = {}
    for c in compact(pkts):
        if c.get("proto") != "tcp":
            continue
        port = c["sport"] if c["dir"] == "c>s" else c["dport"]
        by_port.setdefault(str(port), []).append([c["t"], c["dir"], c["flags"], c["len"]])
    return {"by_client_port": by_port}


def derive(kind, params, pkts, events):
    out = {"packets": compact(pkts)}
    fn = {
        "zero_window": d_zero_window,
        "wwr": d_wwr,
        "large_write": d_large_write,
        "closed_port": d_replies,
        "traceroute": d_replies,
        "accept_overflow": d_accept_overflow,
    }.get(kind)
    if fn:
        out.update(fn(pkts, events))
    return out
