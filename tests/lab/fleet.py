#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The fleet lab's evidence (tests/lab/fleet.sh): which sensor carried each
frame the collector got, read from its Ethernet source (each sensor's
ens6), against gen.py's manifest (flows and sequence numbers) and each
sensor's pinned counters (read with bpftool, as vxmaps.py does).

  seen --count N  exit 0 once the sensors' XDP saw N mirror frames (RX -
                  PASS) since their bases
  spread          every frame of --manifest forwarded exactly once, each
                  flow by one sensor, every sensor carrying some, and each
                  sensor's FORWARD since its base equal to what the
                  collector got from it
  failover        after one sensor failed at --kill: the frames lost
                  (sent - received, by sequence number), duplicates, the
                  flows that moved, and the times from the kill to the
                  load balancer's removal (its log) and to the first frame
                  of a moved flow through another sensor; with --window,
                  the exact account of the lost frames against the
                  sensors' counters over the stream (see account())
  prom            a Prometheus instant query (--ready: the server is up)
  rules           the rule groups Prometheus loaded (/api/v1/rules): exit
                  0 once every rule of them is evaluated with health "ok"
                  and --count alerting rules are loaded
  alerts          Prometheus' active alerts (/api/v1/alerts), "STATE NAME
                  INSTANCE" a line; --firing NAME:INSTANCE: exit 0 once
                  that alert fires, and 1 while it does not or another fires

--sensor K PINS BASE MAC, once per sensor, names each sensor's pins,
counters base and ens6 MAC.
"""

import argparse
import collections
import json
import os
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vxlab  # noqa: E402
import vxmaps  # noqa: E402


INFLIGHT_S = 0.1


class Sensor:
    def __init__(self, k, pins, base, mac):
        self.k, self.pins, self.base, self.mac = int(k), pins, base, mac.lower()

    def counters(self, abi):
        ns = argparse.Namespace(abi=abi, pins=self.pins, base=self.base)
        return vxmaps.read_counters(ns)


def arrivals(pcap, manifest, sensors):
    """[(ts, entry, sensor k)] of the manifest's frames in the capture, and
    the count of other frames."""
    by_fp = {e["fp"]: e for e in vxlab.load_manifest(manifest)["frames"]
             if e["counter"] == "FORWARD"}
    by_mac = {s.mac: s.k for s in sensors}
    out, other = [], 0
    for ts, frame in vxlab.read_pcap_ts(pcap):
        d = vxlab.parse_inner(frame)
        if d is None or d["malformed"]:
            continue
        e = by_fp.get(vxlab.fingerprint(d["ip"]))
        if e is None:
            other += 1
            continue
        out.append((ts, e, by_mac.get(d["eth_src"], 0)))
    return out, by_fp, other


def cmd_seen(args):
    total = 0
    for s in args.sensors:
        c = s.counters(args.abi)
        total += c["RX"]["packets"] - c["PASS"]["packets"]
    print("sensors saw %d mirror frames of %d" % (total, args.n))
    return 0 if total >= args.n else 1


def flows_by_sensor(arr):
    f = collections.defaultdict(set)
    for _, e, k in arr:
        f[e["flow"]].add(k)
    return f


def cmd_spread(args):
    arr, by_fp, _ = arrivals(args.pcap, args.manifest, args.sensors)
    errors = []
    seqs = collections.Counter(e["seq"] for _, e, _ in arr)
    dups = sum(n - 1 for n in seqs.values() if n > 1)
    missing = len(by_fp) - len(seqs)
    per = collections.Counter(k for _, _, k in arr)
    flows = flows_by_sensor(arr)
    multi = [f for f, ks in flows.items() if len(ks) > 1]
    print("spread: %d frames to forward in %d flows, %d received once, %d missing, %d duplicated"
          % (len(by_fp), len({e["flow"] for e in by_fp.values()}), len(seqs), missing, dups))
    if dups or missing:
        errors.append("not every frame arrived exactly once")
    if multi:
        errors.append("%d flows arrived through more than one sensor (flows %s)"
                      % (len(multi), multi[:10]))
    for s in args.sensors:
        c = s.counters(args.abi)
        fwd = c["FORWARD"]["packets"]
        nflows = sum(1 for ks in flows.values() if ks == {s.k})
        print("sensor %d: %d flows, %d frames at the collector from its ens6 %s, FORWARD %d"
              % (s.k, nflows, per[s.k], s.mac, fwd))
        if per[s.k] == 0:
            errors.append("sensor %d carried nothing: the load balancer did not spread" % s.k)
        if fwd != per[s.k]:
            errors.append("sensor %d: FORWARD %d but %d frames from it at the collector"
                          % (s.k, fwd, per[s.k]))
    if per[0]:
        errors.append("%d frames from no sensor's ens6" % per[0])
    for err in errors:
        print("spread: error: %s" % err)
    return 1 if errors else 0


def lb_events(path):
    """(time, text) of each line of lbhealth.py's log."""
    events = []
    with open(path) as f:
        for line in f:
            t, _, rest = line.strip().partition(" ")
            events.append((float(t), rest))
    return events


def first_after(events, t0, pred):
    return next((t for t, text in events if t >= t0 and pred(text)), None)


def load_window(args):
    """{k: (counters, engine)} of each sensor over the stream (--window K
    FILE: `vxmaps.py counters --base` taken once the stream was drained)."""
    out = {}
    for k, path in args.window:
        with open(path) as f:
            d = json.load(f)
        out[int(k)] = ({n: v["packets"] for n, v in d["counters"].items()}, d["engine"])
    return out


def account(args, sent, lost, per):
    """Where each frame the mirror sent that the collector did not get went:
    the load balancer dropped it (no sensor in its bucket), or a sensor's
    XDP took it (RX - PASS) and did not send it: still in the ring (FORWARD
    - engine sent - send errors), a send error, or a drop counter
    (drop_ring_full once the dead engine's ring is full, drop_no_nexthop
    once the next hop is gone).  Every sensor's sends must have arrived
    (engine sent == frames from its ens6 at the collector).  Returns the
    errors."""
    errors = []
    win = load_window(args)
    mirror = args.lb_dropped
    explained = args.lb_dropped
    parts = ["load balancer dropped %d" % args.lb_dropped]
    for k, (c, e) in sorted(win.items()):
        m = c["RX"] - c["PASS"]
        mirror += m
        inring = c["FORWARD"] - e["sent_packets"] - e["send_errors"]
        drops = {n.lower(): v for n, v in c.items() if n.startswith("DROP_") and v}
        explained += inring + e["send_errors"] + sum(drops.values())
        print("account: sensor %d: mirror frames %d, FORWARD %d, engine sent %d, send errors %d, "
              "left in the ring %d, drops %s; %d frames from it at the collector"
              % (k, m, c["FORWARD"], e["sent_packets"], e["send_errors"], inring,
                 drops or "none", per[k]))
        if e["sent_packets"] != per[k]:
            errors.append("sensor %d: engine sent %d, the collector got %d from it"
                          % (k, e["sent_packets"], per[k]))
        if inring or e["send_errors"] or drops:
            parts.append("sensor %d: (FORWARD %d - engine sent %d) = %d%s"
                         % (k, c["FORWARD"], e["sent_packets"], c["FORWARD"] - e["sent_packets"],
                            "".join(" + %s %d" % kv for kv in sorted(drops.items()))))
    print("account: lost %d == %s: %s"
          % (lost, " + ".join(parts), "holds" if lost == explained else "BROKEN (%d)" % explained))
    if mirror != sent:
        errors.append("the mirror sent %d frames, the sensors took %d and the load balancer "
                      "dropped %d" % (sent, mirror - args.lb_dropped, args.lb_dropped))
    if lost != explained:
        errors.append("%d frames lost but the counters account for %d" % (lost, explained))
    return errors


def cmd_failover(args):
    arr, by_fp, _ = arrivals(args.pcap, args.manifest, args.sensors)
    victim = args.victim
    kill = args.kill
    errors = []
    seqs = collections.Counter(e["seq"] for _, e, _ in arr)
    dups = sum(n - 1 for n in seqs.values() if n > 1)
    sent = len(by_fp)
    lost = [e for e in by_fp.values() if e["seq"] not in seqs]
    before = flows_by_sensor([a for a in arr if a[0] < kill])
    moved = {f for f, ks in before.items() if victim in ks}
    after = [a for a in arr if a[0] >= kill]
    events = lb_events(args.health_log)
    t_down = first_after(events, kill, lambda s: s.startswith("health %s down" % args.victim_addr))
    t_removed = first_after(events, kill, lambda s: s.startswith("map ") and
                            ("%s=0" % args.victim_addr) in s.split())
    t_moved = min((t for t, e, k in after if e["flow"] in moved and k not in (victim, 0)),
                  default=None)
    # The failed sensor's last sends may land just after the fault's
    # timestamp (taken before kill(2) or the link change); later ones would
    # be a ghost.
    inflight = sum(1 for t, e, k in after if k == victim and t < kill + INFLIGHT_S)
    late = sum(1 for t, e, k in after if k == victim and t >= kill + INFLIGHT_S)
    flows = flows_by_sensor(arr)
    strays = [f for f, ks in flows.items() if f not in moved and len(ks) > 1]
    lost_other = [e["seq"] for e in lost if e["flow"] not in moved]
    moved_to = collections.Counter(k for t, e, k in after if e["flow"] in moved)

    def rel(t):
        return "never" if t is None else "%.3f s" % (t - kill)

    rate = sent / max(args.duration, 1e-9)
    share = sum(1 for e in by_fp.values() if e["flow"] in moved) / max(sent, 1)
    print("failover: sensor %d (%s): %s under %d frames/s"
          % (victim, args.victim_addr, args.what, round(rate)))
    print("failover: health check saw it down after %s; load balancer map without it after %s "
          "(interval %.1f s, timeout %.1f s)" % (rel(t_down), rel(t_removed),
                                                  args.interval, args.timeout))
    print("failover: first frame of a moved flow through another sensor after %s"
          % rel(t_moved))
    print("failover: %d of %d flows moved (%.0f%% of the frames), to sensors %s"
          % (len(moved), len(flows), 100 * share,
             ", ".join("%d: %d frames" % kv for kv in sorted(moved_to.items()) if kv[0] != victim)))
    print("failover: frames sent %d, received %d, lost %d (%.2f%%; %.3f s of the moved flows' "
          "share), duplicated %d; %d sent by the failed sensor as it failed"
          % (sent, len(seqs), len(lost), 100 * len(lost) / max(sent, 1),
             len(lost) / max(rate * share, 1e-9), dups, inflight))
    if dups:
        errors.append("%d frames duplicated" % dups)
    if args.window:
        errors += account(args, sent, len(lost), collections.Counter(k for _, _, k in arr))
    if lost_other:
        errors.append("%d frames of flows not on the failed sensor lost (seq %s)"
                      % (len(lost_other), lost_other[:10]))
    if strays:
        errors.append("%d flows not on the failed sensor changed sensor" % len(strays))
    if late:
        errors.append("%d frames arrived through the failed sensor %.1f s or more after the fault"
                      % (late, INFLIGHT_S))
    if not moved:
        errors.append("no flow was on the failed sensor before the fault")
    if t_removed is None or t_removed - kill > args.max_removal:
        errors.append("the load balancer did not take the sensor out within %.1f s"
                      % args.max_removal)
    if t_moved is None:
        errors.append("no moved flow arrived through another sensor")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sent": sent, "received": len(seqs), "lost": len(lost),
                       "duplicates": dups, "flows": len(flows), "moved_flows": len(moved),
                       "down_s": t_down and t_down - kill,
                       "removed_s": t_removed and t_removed - kill,
                       "first_moved_s": t_moved and t_moved - kill}, f)
    for err in errors:
        print("failover: error: %s" % err)
    return 1 if errors else 0


def cmd_bysrc(args):
    arr, _, _ = arrivals(args.pcap, args.manifest, args.sensors)
    per = collections.Counter(k for _, _, k in arr)
    print(" ".join("%d=%d" % (s.k, per[s.k]) for s in args.sensors))
    return 0


def cmd_prom(args):
    if args.ready:
        with urllib.request.urlopen(args.url + "/-/ready", timeout=2) as r:
            return 0 if r.status == 200 else 1
    q = urllib.parse.urlencode({"query": args.query})
    with urllib.request.urlopen("%s/api/v1/query?%s" % (args.url, q), timeout=5) as r:
        d = json.load(r)
    if d.get("status") != "success":
        print("prometheus: %s" % d, file=sys.stderr)
        return 1
    for item in d["data"]["result"]:
        labels = ",".join("%s=%s" % kv for kv in sorted(item["metric"].items()))
        print("{%s} %s" % (labels, item["value"][1]))
    return 0


def prom_get(args, path):
    with urllib.request.urlopen(args.url + path, timeout=5) as r:
        d = json.load(r)
    if d.get("status") != "success":
        raise SystemExit("prometheus: %s: %s" % (path, d))
    return d["data"]


def cmd_rules(args):
    groups = prom_get(args, "/api/v1/rules")["groups"]
    alerts = bad = 0
    for g in groups:
        for r in g["rules"]:
            alerts += r["type"] == "alerting"
            bad += r["health"] != "ok"
            print("group %s (%s): %s %s: health %s%s"
                  % (g["name"], g["file"], r["type"], r["name"], r["health"],
                     ": " + r["lastError"] if r.get("lastError") else ""))
    print("%d groups, %d alerting rules, %d not ok" % (len(groups), alerts, bad))
    return 0 if groups and not bad and alerts == args.n else 1


def cmd_alerts(args):
    firing = set()
    for a in prom_get(args, "/api/v1/alerts")["alerts"]:
        name, inst = a["labels"].get("alertname"), a["labels"].get("instance", "-")
        print("%s %s %s" % (a["state"], name, inst))
        if a["state"] == "firing":
            firing.add("%s:%s" % (name, inst))
    if args.firing is None:
        return 0
    want = {args.firing} if args.firing else set()
    return 0 if firing == want else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", choices=["seen", "spread", "failover", "bysrc", "prom", "rules",
                                    "alerts"])
    ap.add_argument("--count", dest="n", type=int,
                    help="seen: the frames sent; rules: the alerting rules")
    ap.add_argument("--firing", help="alerts: the one alert that must fire, NAME:INSTANCE "
                    "('' : none)")
    ap.add_argument("--abi")
    ap.add_argument("--sensor", nargs=4, action="append", default=[],
                    metavar=("K", "PINS", "BASE", "MAC"))
    ap.add_argument("--pcap")
    ap.add_argument("--manifest")
    ap.add_argument("--victim", type=int)
    ap.add_argument("--victim-addr")
    ap.add_argument("--kill", type=float, help="time of the fault (seconds since the epoch)")
    ap.add_argument("--what", default="vxfwd killed with SIGKILL", help="the fault, for the log")
    ap.add_argument("--duration", type=float, default=1, help="the stream's length in seconds")
    ap.add_argument("--health-log")
    ap.add_argument("--interval", type=float, default=1)
    ap.add_argument("--timeout", type=float, default=0.5)
    ap.add_argument("--max-removal", type=float, default=2.5)
    ap.add_argument("--json")
    ap.add_argument("--window", nargs=2, action="append", default=[], metavar=("K", "FILE"),
                    help="failover: sensor K's counters over the stream")
    ap.add_argument("--lb-dropped", type=int, default=0,
                    help="failover: the frames of the stream the load balancer dropped")
    ap.add_argument("--url")
    ap.add_argument("--ready", action="store_true")
    ap.add_argument("--query")
    args = ap.parse_args()
    args.sensors = [Sensor(*s) for s in args.sensor]
    return {"seen": cmd_seen, "spread": cmd_spread, "failover": cmd_failover,
            "bysrc": cmd_bysrc, "prom": cmd_prom, "rules": cmd_rules,
            "alerts": cmd_alerts}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
