#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check a capture taken behind ens6 (the collector's eth0, or ens6 itself)
against a manifest written by gen.py or aws.py.

Every frame the manifest says FORWARD must be there exactly once, with:
Ethernet source = ens6's MAC and destination = the collector's MAC, a valid
IPv4 header checksum (IPv6: the hop limit it was sent with), the DNAT address and port, a valid L4 checksum (a UDP
checksum of 0 stays 0), nothing beyond the IP total length, and source
address, source port, TTL, ID, options and payload unchanged (the
fingerprint).  No frame of another kind may be there, nor any IPv4 frame
that is not in the manifest.  Exit 0 when all holds, 1 otherwise.
"""

import argparse
import collections
import json
import sys

import vxlab


def check_frame(d, e, args):
    errs = []
    if d["eth_src"] not in args.eth_src:
        errs.append("Ethernet source %s, expected ens6 %s" % (d["eth_src"], " or ".join(args.eth_src)))
    if args.eth_dst and d["eth_dst"] != args.eth_dst.lower():
        errs.append("Ethernet destination %s, expected %s" % (d["eth_dst"], args.eth_dst))
    if d["trailer"]:
        errs.append("%d bytes after the IP total length" % d["trailer"])
    if not d.get("v6") and not vxlab.ipv4_header_ok(d["ip"]):
        errs.append("bad IPv4 header checksum")
    if d.get("v6") and d["ttl"] != e["ttl"]:
        errs.append("hop limit %d, sent with %d" % (d["ttl"], e["ttl"]))
    if d["dst"] != e["nat_addr"]:
        errs.append("destination %s, expected DNAT %s" % (d["dst"], e["nat_addr"]))
    if e.get("nat_port") is not None and d["dport"] != e["nat_port"]:
        errs.append("destination port %s, expected DNAT %s" % (d["dport"], e["nat_port"]))
    if e.get("orig_dport") is not None and e.get("nat_port") is None \
            and d["dport"] != e["orig_dport"]:
        errs.append("destination port %s changed from %s" % (d["dport"], e["orig_dport"]))
    if d["src"] != e["src"] or d["sport"] != e["sport"]:
        errs.append("source %s:%s, expected %s:%s" % (d["src"], d["sport"], e["src"], e["sport"]))
    if len(d["ip"]) != e["ip_len"]:
        errs.append("IP length %d, expected %d" % (len(d["ip"]), e["ip_len"]))
    ok = vxlab.l4_csum_ok(d["ip"])
    if e.get("l4_csum_zero"):
        if ok is not None:
            errs.append("UDP checksum 0 was rewritten")
    elif ok is not True:
        errs.append("bad %s checksum" % ("UDP" if d["proto"] == vxlab.IPPROTO_UDP else "TCP"))
    return errs


def marked_seq(d, markers):
    """The sequence number of a run-marked payload, or None."""
    p = d["payload"]
    for mk in markers:
        if p.startswith(mk) and len(p) >= len(mk) + 4:
            return int.from_bytes(p[len(mk):len(mk) + 4], "big")
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--manifest", required=True, action="append")
    ap.add_argument("--optional", action="append", default=[],
                    help="manifest whose frames may be missing (a fault was "
                         "injected while they were sent), but must be correct "
                         "and unique when they arrive")
    ap.add_argument("--eth-src", required=True, action="append",
                    help="ens6's MAC (one per sensor when several feed the collector)")
    ap.add_argument("--eth-dst", help="the collector's MAC")
    ap.add_argument("--label", default="collector")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()
    args.eth_src = [m.lower() for m in args.eth_src]

    expect, other = {}, {}
    markers = set()
    for path in args.manifest + args.optional:
        m = vxlab.load_manifest(path)
        if m.get("marker"):
            markers.add(vxlab.marker_bytes(m["marker"]))
        for e in m["frames"]:
            if e["counter"] == "FORWARD":
                e["optional"] = path in args.optional
                expect.setdefault(e["fp"], []).append(e)
            elif e.get("fp"):
                other[e["fp"]] = e

    fwd_seqs = {e["seq"] for v in expect.values() for e in v if "seq" in e and markers}
    seen = collections.Counter()
    by_src = collections.Counter()
    errors = []
    bad_kinds = collections.Counter()
    foreign = non_ip = valid = 0
    for n, frame in enumerate(vxlab.read_pcap(args.pcap), 1):
        d = vxlab.parse_inner(frame)
        if d is None or (d.get("v6") and d["proto"] == vxlab.IPPROTO_ICMPV6):
            # ARP and IPv6 neighbour discovery of the egress link
            non_ip += 1
            continue
        if d["malformed"]:
            errors.append("frame %d: malformed IPv4 from %s" % (n, d["eth_src"]))
            continue
        fp = vxlab.fingerprint(d["ip"])
        if fp in expect:
            seen[fp] += 1
            by_src[d["eth_src"]] += 1
            e = expect[fp][0]
            errs = check_frame(d, e, args)
            if errs:
                errors.append("frame %d (%s): %s" % (n, e.get("desc") or "seq %s %s" % (
                    e.get("seq"), e.get("kind")), "; ".join(errs)))
            else:
                valid += 1
            continue
        seq = marked_seq(d, markers)
        if fp not in other and seq in fwd_seqs:
            errors.append("frame %d: seq %d arrived altered (payload, source, TTL, ID or "
                          "options differ from what was sent)" % (n, seq))
            continue
        if fp in other or any(mk in frame for mk in markers):
            e = other.get(fp, {})
            bad_kinds[e.get("kind", "marked")] += 1
            errors.append("frame %d: %s frame arrived (%s -> %s), it must be dropped"
                          % (n, e.get("kind", "run-marked"), d["src"], d["dst"]))
            continue
        foreign += 1
        errors.append("frame %d: IPv4 %s -> %s proto %d not in the manifest"
                      % (n, d["src"], d["dst"], d["proto"]))

    n_expect = sum(1 for v in expect.values() for e in v if not e["optional"])
    missing = []
    opt_missing = []
    opt_got = 0
    dups = 0
    for fp, entries in expect.items():
        got = seen[fp]
        for e in entries[got:]:
            (opt_missing if e["optional"] else missing).append(e.get("seq", e.get("desc")))
        opt_got += sum(1 for e in entries[:got] if e["optional"])
        if got > len(entries):
            dups += got - len(entries)
    if missing:
        errors.append("%d expected frames missing: %s" % (
            len(missing), ", ".join(str(s) for s in missing[:40])))
    if dups:
        errors.append("%d duplicated frames" % dups)
    received = sum(seen.values())
    if args.optional:
        print("%s: optional frames (sent during the fault): %d arrived, %d missing%s"
              % (args.label, opt_got, len(opt_missing),
                 " (seq %s..%s)" % (min(opt_missing), max(opt_missing)) if opt_missing else ""))
    summary = {"expected": n_expect, "received": received, "valid": valid,
               "optional_received": opt_got, "optional_missing": len(opt_missing),
               "missing": len(missing), "duplicates": dups,
               "bad_kinds": sum(bad_kinds.values()), "foreign": foreign,
               "non_ip": non_ip, "by_src": dict(by_src)}
    print("%s: %d frames expected, %d received, %d valid, %d missing, %d duplicated, "
          "%d of dropped kinds, %d foreign IPv4, %d non-IPv4 ignored"
          % (args.label, n_expect, received, valid, len(missing), dups,
             sum(bad_kinds.values()), foreign, non_ip))
    if len(args.eth_src) > 1:
        print("%s: expected frames by Ethernet source: %s" % (args.label, ", ".join(
            "%s %d" % (m, by_src[m]) for m in args.eth_src)))
    for err in errors[:50]:
        print("%s: error: %s" % (args.label, err))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f)
    return 1 if errors or valid != received else 0


if __name__ == "__main__":
    sys.exit(main())
