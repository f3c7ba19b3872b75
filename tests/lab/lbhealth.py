#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The fleet lab's load balancer health checker, in the load balancer's
namespace: what an AWS Network Load Balancer's target group does with
HTTP health checks, on the nftables map tests/lab/fleet.sh sets up.

Every --interval seconds it asks each sensor's GET /healthz (timeout
--timeout); a 200 is healthy, anything else (another status, a refused
or timed-out connection) is not.  The load balancer hashes the outer
5-tuple into --buckets buckets; bucket b belongs to sensor b mod N and, while
that sensor is unhealthy, to a healthy one (the others' buckets never move,
so only the failed sensor's flows do).  When the healthy set changes, the
whole map is rewritten in one nft transaction (flush + add): a frame sees
the old map or the new one, never a half.  With no healthy sensor the map
is empty and the load balancer drops.

Each change is one line on stdout with the wall-clock time (seconds since
the epoch, as tcpdump's timestamps): "T health ADDR up|down: WHY" and "T
map N buckets: ADDR=K ..." (T: when the transaction was sent), which the
tests read to time a failover.
"""

import argparse
import http.client
import subprocess
import sys
import time


def probe(addr, port, timeout):
    """(healthy, why) for one GET /healthz."""
    try:
        c = http.client.HTTPConnection(addr, port, timeout=timeout)
        c.request("GET", "/healthz")
        r = c.getresponse()
        body = r.read(512).decode(errors="replace").strip().replace("\n", "; ")
        c.close()
    except OSError as e:
        return False, "%s" % (e.strerror or e.__class__.__name__)
    except http.client.HTTPException as e:
        return False, "HTTP: %s" % e.__class__.__name__
    return r.status == 200, "%d %s" % (r.status, body[:200])


def buckets(backends, healthy, n):
    """Bucket -> backend: its own while healthy, else a healthy one."""
    up = [b for b in backends if b in healthy]
    out = {}
    for b in range(n):
        own = backends[b % len(backends)]
        if own in healthy:
            out[b] = own
        elif up:
            out[b] = up[(b // len(backends)) % len(up)]
    return out


def write_map(args, table):
    cmds = "flush map ip %s %s\n" % (args.table, args.map)
    if table:
        cmds += "add element ip %s %s { %s }\n" % (
            args.table, args.map, ", ".join("%d : %s" % kv for kv in sorted(table.items())))
    r = subprocess.run(["nft", "-f", "-"], input=cmds, text=True, capture_output=True)
    if r.returncode:
        raise SystemExit("lbhealth: nft -f: %s" % r.stderr.strip())


def say(text, t=None):
    print("%.6f %s" % (t or time.time(), text), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--backend", action="append", required=True, help="a sensor's address")
    ap.add_argument("--port", type=int, default=9000, help="the health listener's port")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--timeout", type=float, default=0.5)
    ap.add_argument("--buckets", type=int, default=60)
    ap.add_argument("--table", default="vxlb")
    ap.add_argument("--map", default="bucket")
    args = ap.parse_args()

    healthy = None
    while True:
        start = time.monotonic()
        now = set()
        for b in args.backend:
            ok, why = probe(b, args.port, args.timeout)
            if ok:
                now.add(b)
            if healthy is None or (b in now) != (b in healthy):
                say("health %s %s: %s" % (b, "up" if ok else "down", why))
        if now != healthy:
            table = buckets(args.backend, now, args.buckets)
            t = time.time()
            write_map(args, table)
            count = {b: sum(1 for v in table.values() if v == b) for b in args.backend}
            say("map %d buckets: %s" % (len(table), " ".join(
                "%s=%d" % (b, count[b]) for b in args.backend)), t)
            healthy = now
        time.sleep(max(args.interval - (time.monotonic() - start), 0.05))


if __name__ == "__main__":
    sys.exit(main())
