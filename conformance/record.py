"""Records the experiments of experiments.json on the live kernel (run by record.sh, as root).

For each experiment: build the namespaces, set the sysctls and offloads, start tcpdump
on the client-side veth end, run the server and client programs, stop the capture,
derive the observations and write recorded/<name>.pcap and recorded/<name>.json.
"""
import datetime
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

import derive
from pcapsum import read_packets

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "recorded")
PROGRAMS = os.path.join(HERE, "programs")
PY = sys.executable

CLI, SRV, RTR = "wwc-cli", "wwc-srv", "wwc-rtr"

# Stock values, set explicitly in every namespace (they are per network namespace).
SYSCTLS = {
    "net.ipv4.tcp_rmem": "4096 131072 6291456",
    "net.ipv4.tcp_wmem": "4096 16384 4194304",
    "net.ipv4.tcp_congestion_control": "cubic",
    "net.ipv4.tcp_timestamps": "1",
    "net.ipv4.tcp_sack": "1",
    "net.ipv4.tcp_window_scaling": "1",
    "net.ipv4.tcp_syncookies": "1",
    "net.ipv4.tcp_ecn": "2",
    "net.ipv4.tcp_early_retrans": "3",
    "net.ipv4.tcp_slow_start_after_idle": "1",
    "net.ipv4.tcp_moderate_rcvbuf": "1",
    "net.ipv4.tcp_autocorking": "1",
    "net.ipv4.tcp_syn_retries": "6",
    "net.ipv4.tcp_synack_retries": "5",
    "net.core.somaxconn": "4096",
    "net.ipv4.ip_default_ttl": "64",
    "net.ipv4.ip_no_pmtu_disc": "0",
}
# Set too, so that no IPv6 router solicitations or DAD show up in the captures.
EXTRA_SYSCTLS = {
    "net.ipv6.conf.all.disable_ipv6": "1",
    "net.ipv6.conf.default.disable_ipv6": "1",
}
# Read and recorded only (left at this kernel's defaults): per-namespace values that
# shape what the experiments show.
READ_SYSCTLS = [
    "net.ipv4.tcp_syn_linear_timeouts", "net.ipv4.tcp_abort_on_overflow", "net.ipv4.tcp_max_syn_backlog",
    "net.ipv4.tcp_retries2", "net.ipv4.tcp_orphan_retries", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_comp_sack_nr", "net.ipv4.tcp_comp_sack_delay_ns", "net.ipv4.tcp_comp_sack_slack_ns",
    "net.ipv4.tcp_notsent_lowat", "net.ipv4.tcp_limit_output_bytes", "net.ipv4.tcp_tso_win_divisor",
    "net.ipv4.tcp_min_tso_segs", "net.ipv4.tcp_pacing_ss_ratio", "net.ipv4.tcp_pacing_ca_ratio",
    "net.ipv4.tcp_thin_linear_timeouts", "net.ipv4.tcp_mtu_probing", "net.ipv4.tcp_base_mss",
    "net.ipv4.tcp_rto_min_us", "net.ipv4.tcp_adv_win_scale", "net.ipv4.tcp_shrink_window",
    "net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_dsack", "net.ipv4.tcp_frto", "net.ipv4.tcp_recovery",
    "net.ipv4.tcp_reordering", "net.ipv4.tcp_workaround_signed_windows", "net.ipv4.tcp_rfc1337",
    "net.ipv4.icmp_ratelimit", "net.ipv4.icmp_ratemask", "net.ipv4.icmp_msgs_per_sec", "net.ipv4.icmp_msgs_burst",
    "net.ipv4.ip_local_port_range", "net.ipv4.ip_forward", "net.ipv4.ip_forward_use_pmtu",
]
# Read and recorded only: global limits that bound SO_RCVBUF / SO_SNDBUF.
INFO_SYSCTLS = ["net.core.rmem_max", "net.core.wmem_max", "net.core.rmem_default", "net.core.wmem_default"]

OFFLOADS = ["tso", "gso", "gro", "tx", "rx", "sg"]
OFFLOAD_NAMES = {  # as `ethtool -k` prints them
    "tso": "tcp-segmentation-offload", "gso": "generic-segmentation-offload",
    "gro": "generic-receive-offload", "tx": "tx-checksumming", "rx": "rx-checksumming",
    "sg": "scatter-gather",
}

PAIR = {  # namespace -> [(dev, addr)], plus the veth pairs and routes
    "links": [((CLI, "wwc-c0"), (SRV, "wwc-s0"))],
    "addrs": {CLI: [("wwc-c0", "10.0.0.1/24")], SRV: [("wwc-s0", "10.0.0.2/24")]},
    "routes": {},
}
ROUTER = {
    "links": [((CLI, "wwc-c0"), (RTR, "wwc-r0")), ((RTR, "wwc-r1"), (SRV, "wwc-s0"))],
    "addrs": {CLI: [("wwc-c0", "10.0.1.2/24")], RTR: [("wwc-r0", "10.0.1.1/24"), ("wwc-r1", "10.0.2.1/24")],
              SRV: [("wwc-s0", "10.0.2.2/24")]},
    "routes": {CLI: ["default via 10.0.1.1"], SRV: ["default via 10.0.2.1"]},
}


def log(msg):
    print(f"[record] {msg}", file=sys.stderr, flush=True)


def run(args, check=True, quiet=False):
    r = subprocess.run(args, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"failed ({r.returncode}): {' '.join(args)}\n{r.stderr.strip()}")
    return r


def nsx(ns, *args, check=True):
    return run(["ip", "netns", "exec", ns, *args], check=check)


def our_namespaces():
    r = run(["ip", "netns", "list"], check=False)
    return [l.split()[0] for l in r.stdout.splitlines() if l.startswith("wwc-")]


def teardown():
    for ns in our_namespaces():
        run(["ip", "netns", "del", ns], check=False)


def netem_works():
    """Tries `tc qdisc add ... netem delay` on a throwaway veth."""
    teardown()
    try:
        run(["ip", "netns", "add", "wwc-probe"])
        run(["ip", "-n", "wwc-probe", "link", "add", "wwc-p0", "type", "veth", "peer", "name", "wwc-p1"])
        r = run(["ip", "netns", "exec", "wwc-probe", "tc", "qdisc", "add", "dev", "wwc-p0", "root",
                 "netem", "delay", "10ms", "limit", "10000"], check=False)
        return r.returncode == 0, (r.stderr.strip() or "ok")
    finally:
        teardown()


def read_sysctls(ns, keys):
    out = {}
    for k in keys:
        r = nsx(ns, "sysctl", "-n", k, check=False)
        out[k] = " ".join(r.stdout.split()) if r.returncode == 0 else None
    return out


def offload_state(ns, dev):
    r = nsx(ns, "ethtool", "-k", dev)
    state = {}
    for line in r.stdout.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            state[k.strip()] = v.strip()
    return {short: state.get(long) for short, long in OFFLOAD_NAMES.items()}


def setup(topo, netem, one_way_ms, initcwnd):
    teardown()
    namespaces = list(topo["addrs"])
    for ns in namespaces:
        run(["ip", "netns", "add", ns])
        for k, v in {**SYSCTLS, **EXTRA_SYSCTLS}.items():
            nsx(ns, "sysctl", "-q", "-w", f"{k}={v}")
        if ns == RTR:
            nsx(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        nsx(ns, "ip", "link", "set", "lo", "up")
    for (ns_a, dev_a), (ns_b, dev_b) in topo["links"]:
        run(["ip", "-n", ns_a, "link", "add", dev_a, "mtu", "1500", "type", "veth",
             "peer", "name", dev_b, "netns", ns_b, "mtu", "1500"])
    offload_cmd = {}
    offloads = {}
    for ns, devs in topo["addrs"].items():
        for dev, addr in devs:
            nsx(ns, "ip", "addr", "add", addr, "dev", dev)
            # One call with every feature; if ethtool refuses it, one feature at a time.
            args = [x for f in OFFLOADS for x in (f, "off")]
            if nsx(ns, "ethtool", "-K", dev, *args, check=False).returncode == 0:
                offload_cmd[dev] = "ethtool -K " + dev + " " + " ".join(args)
            else:
                ok = [f for f in OFFLOADS if nsx(ns, "ethtool", "-K", dev, f, "off", check=False).returncode == 0]
                offload_cmd[dev] = "ethtool -K " + dev + " " + " ".join(f"{f} off" for f in ok)
            nsx(ns, "ip", "link", "set", dev, "up")
            offloads[dev] = offload_state(ns, dev)
    # Static neighbours, so that no ARP precedes the first IP packet in a capture.
    macs = {}
    for ns, devs in topo["addrs"].items():
        for dev, addr in devs:
            r = nsx(ns, "cat", f"/sys/class/net/{dev}/address")
            macs[dev] = (ns, r.stdout.strip(), addr.split("/")[0])
    for (ns_a, dev_a), (ns_b, dev_b) in topo["links"]:
        nsx(ns_a, "ip", "neigh", "replace", macs[dev_b][2], "lladdr", macs[dev_b][1], "dev", dev_a, "nud", "permanent")
        nsx(ns_b, "ip", "neigh", "replace", macs[dev_a][2], "lladdr", macs[dev_a][1], "dev", dev_b, "nud", "permanent")
    for ns, routes in topo["routes"].items():
        for r in routes:
            nsx(ns, "ip", "route", "add", *r.split())
    if netem and one_way_ms:
        for ns, devs in topo["addrs"].items():
            for dev, _ in devs:
                nsx(ns, "tc", "qdisc", "replace", "dev", dev, "root", "netem", "delay", f"{one_way_ms}ms", "limit", "10000")
    route_note = None
    if initcwnd:
        nsx(CLI, "ip", "route", "replace", "10.0.0.0/24", "dev", "wwc-c0", "initcwnd", str(initcwnd))
        route_note = nsx(CLI, "ip", "route", "show").stdout.strip()
    sysctls = {ns: read_sysctls(ns, list(SYSCTLS) + list(EXTRA_SYSCTLS)) for ns in namespaces}
    other = {ns: {k: v for k, v in read_sysctls(ns, READ_SYSCTLS).items() if v is not None} for ns in namespaces}
    for ns, got in sysctls.items():
        for k, v in SYSCTLS.items():
            if got[k] != v:
                raise RuntimeError(f"{ns}: {k} is {got[k]!r}, wanted {v!r}")
    return {"other_sysctls": other, "offloads": offloads, "offload_commands": offload_cmd, "sysctls_by_ns": sysctls,
            "route": route_note, "qdisc": {dev: nsx(ns, "tc", "qdisc", "show", "dev", dev).stdout.strip()
                                           for ns, devs in topo["addrs"].items() for dev, _ in devs}}


class Proc:
    """A program in a namespace whose JSON-lines stdout is collected by a thread."""

    def __init__(self, ns, args, rt=True):
        prefix = ["ip", "netns", "exec", ns] + (["chrt", "-f", "50"] if rt else [])
        self.p = subprocess.Popen(prefix + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.events, self.lines, self.err = [], [], []
        self.cond = threading.Condition()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self):
        for line in self.p.stdout:
            with self.cond:
                self.lines.append(line)
                try:
                    self.events.append(json.loads(line))
                except ValueError:
                    pass
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def _read_err(self):
        for line in self.p.stderr:
            with self.cond:
                self.err.append(line)
                self.cond.notify_all()

    def wait_for(self, pred, timeout):
        end = time.monotonic() + timeout
        with self.cond:
            while not pred(self):
                left = end - time.monotonic()
                if left <= 0 or (self.p.poll() is not None and not pred(self)):
                    # give the reader a moment to drain what the process printed last
                    self.cond.wait(0.2)
                    return pred(self)
                self.cond.wait(min(left, 0.1))
            return True

    def seen(self, what):
        return any(e.get("what") == what for e in self.events)

    def stop(self, sig=signal.SIGTERM, timeout=3.0):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        time.sleep(0.05)


def clock_pair():
    """CLOCK_REALTIME and CLOCK_MONOTONIC read as close together as possible (ns)."""
    best = None
    for _ in range(50):
        m0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        r = time.clock_gettime_ns(time.CLOCK_REALTIME)
        m1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        if best is None or m1 - m0 < best[2]:
            best = ((m0 + m1) // 2, r, m1 - m0)
    return {"monotonic_ns": best[0], "realtime_ns": best[1], "uncertainty_ns": best[2]}


def counters(ns):
    """Non-zero TCP/IP/ICMP counters of a namespace (/proc/net/snmp and netstat)."""
    out = {}
    for f in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = nsx(ns, "cat", f).stdout.splitlines()
        for head, vals in zip(lines[0::2], lines[1::2]):
            prefix, names = head.split(":", 1)
            _, values = vals.split(":", 1)
            for k, v in zip(names.split(), values.split()):
                if v not in ("0",) and k not in ("RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "Forwarding", "DefaultTTL"):
                    out[f"{prefix}{k}"] = int(v)
    return out


def record(exp, meta_common, netem):
    name, kind, params = exp["name"], exp["kind"], exp["params"]
    want = params.get("want_rtt_ms", 0)
    if params.get("needs_netem") and not netem:
        log(f"{name}: skipped (needs netem, which this kernel lacks)")
        return None
    rtt = want if netem else 0
    topo = ROUTER if params.get("topology") == "router" else PAIR
    pcap = os.path.join(OUT, f"{name}.pcap")
    snaplen = params.get("snaplen", 0)
    log(f"{name}: setting up")
    env = setup(topo, netem, rtt // 2, params.get("initcwnd"))
    procs = []
    try:
        clock = clock_pair()
        if os.path.exists(pcap):
            os.unlink(pcap)
        td = Proc(CLI, ["tcpdump", "-i", "wwc-c0", "--immediate-mode", "-U", "-Z", "root", "-n",
                        "-s", str(snaplen), "--time-stamp-precision=nano", "-w", pcap], rt=False)
        procs.append(td)
        if not td.wait_for(lambda p: any("listening on" in l for l in p.err), 10):
            raise RuntimeError("tcpdump did not start: " + "".join(td.err))
        time.sleep(0.3)
        prog = os.path.join(PROGRAMS, f"{kind}.py")
        pj = json.dumps(params)
        srv = Proc(SRV, [PY, prog, "server", pj])
        procs.append(srv)
        if not srv.wait_for(lambda p: p.seen("ready"), 10):
            raise RuntimeError("server did not become ready: " + "".join(srv.err))
        time.sleep(0.1)
        cli = Proc(CLI, [PY, prog, "client", pj])
        procs.append(cli)
        limit = params.get("duration_s", 0) + 15
        if not cli.wait_for(lambda p: p.seen("done"), limit):
            raise RuntimeError(f"client did not finish: {''.join(cli.err)}")
        ss = {"client": nsx(CLI, "ss", "-tanoie").stdout, "server": nsx(SRV, "ss", "-tanoie").stdout}
        ctrs = {"client": counters(CLI), "server": counters(SRV)}
        if topo is ROUTER:
            ctrs["router"] = counters(RTR)
        time.sleep(0.1)
        td.stop(signal.SIGINT)
        for p in (cli, srv):
            p.stop()
        for p in (cli, srv):
            if p.err:
                log(f"{name}: stderr: {''.join(p.err).strip()}")
    finally:
        for p in procs:
            p.stop(signal.SIGINT if p is procs[0] else signal.SIGTERM)
        teardown()

    hdr, pkts = read_packets(pcap)
    if not pkts:
        raise RuntimeError(f"{name}: empty capture")
    first = pkts[0]["ts_ns"]
    events = []
    for e in sorted(srv.events + cli.events, key=lambda e: e["mono"]):
        e = dict(e)
        mono_ns = round(e["mono"] * 1e9)
        t = (mono_ns - clock["monotonic_ns"] + clock["realtime_ns"] - first) / 1e9
        ev = {"t": round(t, 6)}
        ev.update(e)
        ev["mono"] = round(e["mono"], 9)
        events.append(ev)
    derived = derive.derive(kind, params, pkts, events)
    events = sorted(events + derived.pop("events", []), key=lambda e: e["t"])
    stats = [l.strip() for l in td.err if "packets" in l]
    meta = {
        "name": name,
        "kernel": meta_common["kernel"],
        "hz": meta_common["hz"],
        "recorded": meta_common["recorded"],
        "capture_iface": "client",
        "capture_dev": "wwc-c0",
        "snaplen": snaplen or 262144,
        "rtt_ms": rtt,
        "netem": bool(netem and rtt),
        "want_rtt_ms": want,
        "params": params,
        "sysctls": env["sysctls_by_ns"][CLI],
        "sysctls_by_namespace": env["sysctls_by_ns"],
        "other_sysctls": env["other_sysctls"][CLI],
        "other_sysctls_by_namespace": env["other_sysctls"],
        "global_limits": meta_common["global_limits"],
        "offloads": env["offloads"],
        "offload_commands": env["offload_commands"],
        "qdisc": env["qdisc"],
        "client_routes": env["route"],
        "clock": clock,
        "first_packet_realtime_ns": first,
        "pcap_timestamps": "nanosecond" if hdr["nano"] else "microsecond",
        "tcpdump": stats,
        "packets": len(pkts),
        "events": events,
        "derived": derived,
        "counters": ctrs,
        "ss_at_end": ss,
        "notes": meta_common["notes"] + ([] if rtt == want else [
            f"wanted RTT {want} ms, recorded with no added delay (netem unavailable)"]),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    log(f"{name}: {len(pkts)} packets, {os.path.getsize(pcap)} bytes of pcap")
    return meta


def main():
    if os.geteuid() != 0:
        sys.exit("record.py must run as root (use: sudo bash conformance/record.sh)")
    exps = json.load(open(os.path.join(HERE, "experiments.json")))
    wanted = sys.argv[1:]
    known = {e["name"] for e in exps}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        sys.exit(f"unknown experiment(s): {' '.join(unknown)}; known: {' '.join(sorted(known))}")
    os.makedirs(OUT, exist_ok=True)
    netem, why = netem_works()
    log(f"netem: {'works' if netem else 'unavailable (' + why + ')'}")
    hz = None
    try:
        out = subprocess.run(["sh", "-c", "zcat /proc/config.gz | grep '^CONFIG_HZ='"],
                             capture_output=True, text=True).stdout
        hz = int(out.strip().split("=")[1])
    except (ValueError, IndexError):
        pass
    common = {
        "kernel": os.uname().release,
        "hz": hz,
        "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "global_limits": {k: open("/proc/sys/" + k.replace(".", "/")).read().strip() for k in INFO_SYSCTLS},
        "notes": [
            "static neighbour entries on every veth end: no ARP in the captures",
            "IPv6 disabled in the namespaces",
            "programs run with SCHED_FIFO priority 50 (chrt -f 50)",
        ] + ([] if netem else ["sch_netem is not available on this kernel"]),
    }
    # A namespace other than the first may only pick a congestion control that is in
    # the global allowed list; add cubic to it for the run and put the list back after.
    allowed_path = "/proc/sys/net/ipv4/tcp_allowed_congestion_control"
    allowed = open(allowed_path).read().split()
    if "cubic" not in allowed:
        common["notes"].append("cubic added to the global tcp_allowed_congestion_control while recording")
        with open(allowed_path, "w") as f:
            f.write(" ".join(allowed + ["cubic"]))
    failed = []
    try:
        record_all(exps, wanted, common, netem, failed)
    finally:
        with open(allowed_path, "w") as f:
            f.write(" ".join(allowed))
        teardown()
    if failed:
        sys.exit(f"failed: {' '.join(failed)}")


def record_all(exps, wanted, common, netem, failed):
    for exp in exps:
        if wanted and exp["name"] not in wanted:
            continue
        try:
            record(exp, common, netem)
        except Exception as e:  # report, go on with the others, fail at the end
            log(f"{exp['name']}: FAILED: {e}")
            failed.append(exp["name"])


if __name__ == "__main__":
    main()
