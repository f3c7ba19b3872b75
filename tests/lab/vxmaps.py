#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Read a running vxfwd instance's pinned maps with bpftool, independently
of vxfwd's own `stats`, so that the tests' evidence does not rest on the
code under test.

  counters [--base FILE]   global counters (names from bpf/vxfwd_abi.h),
                           minus a baseline taken earlier, as JSON
  engine                   struct vxfwd_engine_stats, as JSON
  nexthop [--valid ADDR]   next hops of both families (vxfwd_nexthop and
                           vxfwd_nexthop6); with --valid, exit 1 unless
                           ADDR (IPv4 or IPv6) has a valid MAC
  seen [--base FILE] N     exit 0 once XDP has seen N frames (since the
                           baseline)
  rx                       print how many frames XDP has seen
  drained                  exit 0 when every frame XDP put into the ring
                           has been taken and completed by the engine
  expect --base FILE NAME=N...
                           exit 1 unless each named counter moved by
                           exactly N packets since the baseline and every
                           DROP_* counter not named stayed still
  crosscheck --stats FILE  compare `vxfwd stats -j` output with the maps;
                           exit 1 if a counter differs
  targets [--base FILE]    the active generation's per-rule frames and
                           per-target copies (vxfwd_rule_cnt,
                           vxfwd_tgt_cnt) and the copies queued in all,
                           as JSON
  check [--base FILE]      print the counters and the invariants
                           RX == PASS + FORWARD + drops, copies queued
                           (FORWARD + fan-out extra) == sent, and with no
                           fan-out FORWARD == sent; exit 1 if one fails
"""

import argparse
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys

ENGINE_FIELDS = ["records", "bad_records", "sent_packets", "sent_bytes", "send_errors",
                 "batches", "wakeups", "reloads", "reload_failures"]
NH_F_VALID = 0x1


def counter_names(abi):
    """The counters in ABI order, from the X(ID, "name") list of VXFWD_COUNTERS."""
    with open(abi) as f:
        text = f.read()
    body = re.search(r"#define VXFWD_COUNTERS\(X\)(.*?)\n\n", text, re.S).group(1)
    names = re.findall(r"\bX\(([A-Z0-9_]+),", body)
    if not names:
        raise SystemExit(f"vxmaps: {abi}: no counters in VXFWD_COUNTERS")
    return names


def abi_define(abi, name):
    """The value of `#define NAME N` in the ABI header (the first one)."""
    with open(abi) as f:
        m = re.search(r"#define %s (\d+)" % name, f.read())
    if not m:
        raise SystemExit(f"vxmaps: {abi}: no #define {name}")
    return int(m.group(1))


def dump(pins, name):
    path = os.path.join(pins, name)
    out = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def hexbytes(lst):
    return bytes(int(x, 16) for x in lst)


def read_counters(args):
    names = counter_names(args.abi)
    out = {n: {"packets": 0, "bytes": 0} for n in names}
    for item in dump(args.pins, "vxfwd_counters"):
        idx = struct.unpack("<I", hexbytes(item["key"]))[0]
        if idx >= len(names):
            continue
        for v in item["values"]:
            pk, by = struct.unpack("<QQ", hexbytes(v["value"])[:16])
            out[names[idx]]["packets"] += pk
            out[names[idx]]["bytes"] += by
    if getattr(args, "base", None):
        with open(args.base) as f:
            base = json.load(f)["counters"]
        for n in out:
            for k in ("packets", "bytes"):
                out[n][k] -= base.get(n, {}).get(k, 0)
    return out


def read_engine(args):
    # One entry per engine worker: summed.
    eng = dict.fromkeys(ENGINE_FIELDS, 0)
    errs = [0] * 136
    for item in dump(args.pins, "vxfwd_engine"):
        raw = hexbytes(item["value"])
        vals = struct.unpack("<%dQ" % len(ENGINE_FIELDS), raw[:8 * len(ENGINE_FIELDS)])
        for k, v in zip(ENGINE_FIELDS, vals):
            eng[k] += v
        off = 8 * len(ENGINE_FIELDS)
        for i, n in enumerate(struct.unpack("<136Q", raw[off:off + 8 * 136])):
            errs[i] += n
    eng["send_errno"] = {str(i): n for i, n in enumerate(errs) if n}
    if getattr(args, "base", None):
        with open(args.base) as f:
            base = json.load(f)["engine"]
        for k in ENGINE_FIELDS:
            eng[k] -= base.get(k, 0)
    return eng


def read_nexthops(args):
    hops = {}
    for name in ("vxfwd_nexthop", "vxfwd_nexthop6"):
        for item in dump(args.pins, name):
            key = bytes(hexbytes(item["key"]))
            addr = str(ipaddress.ip_address(key))
            val = hexbytes(item["value"])
            hops[addr] = {"mac": ":".join("%02x" % b for b in val[:6]),
                          "flags": struct.unpack("<H", val[6:8])[0]}
    return hops


TARGET_RESULTS = ("queued", "no_nexthop", "ring_full")


def percpu_sum(item, n):
    """n (packets, bytes) pairs of a per-CPU map entry, summed over CPUs."""
    out = [[0, 0] for _ in range(n)]
    for v in item["values"]:
        vals = struct.unpack("<%dQ" % (2 * n), hexbytes(v["value"])[:16 * n])
        for i in range(n):
            out[i][0] += vals[2 * i]
            out[i][1] += vals[2 * i + 1]
    return out


def read_targets(args):
    """Per-rule frames and per-target copies of the active generation, and
    the copies beyond each forwarded frame's first (all generations)."""
    rules = abi_define(args.abi, "VXFWD_MAX_RULES")
    tgts = abi_define(args.abi, "VXFWD_MAX_TARGETS")
    extra_slot = abi_define(args.abi, "VXFWD_GENS") * rules * tgts
    gen = struct.unpack("<I", hexbytes(dump(args.pins, "vxfwd_active")[0]["value"])[:4])[0]
    out = {"gen": gen, "rules": {}, "targets": {}, "extra": 0}
    for item in dump(args.pins, "vxfwd_rule_cnt"):
        idx = struct.unpack("<I", hexbytes(item["key"]))[0]
        pk = percpu_sum(item, 1)[0][0]
        if idx // rules == gen and pk:
            out["rules"][str(idx % rules)] = pk
    for item in dump(args.pins, "vxfwd_tgt_cnt"):
        idx = struct.unpack("<I", hexbytes(item["key"]))[0]
        c = percpu_sum(item, 3)
        if idx == extra_slot:
            out["extra"] = c[0][0]
        elif idx // (rules * tgts) == gen and any(x[0] for x in c):
            pos, t = divmod(idx % (rules * tgts), tgts)
            out["targets"]["%d/%d" % (pos, t)] = {r: c[i][0] for i, r in enumerate(TARGET_RESULTS)}
    if getattr(args, "base", None):
        with open(args.base) as f:
            base = json.load(f).get("targets", {})
        if base.get("gen") == gen:
            for k, v in base.get("rules", {}).items():
                out["rules"][k] = out["rules"].get(k, 0) - v
            for k, v in base.get("targets", {}).items():
                cur = out["targets"].setdefault(k, dict.fromkeys(TARGET_RESULTS, 0))
                for r in TARGET_RESULTS:
                    cur[r] -= v.get(r, 0)
        out["extra"] -= base.get("extra", 0)
    return out


def snapshot(args):
    return {"counters": read_counters(args), "engine": read_engine(args),
            "targets": read_targets(args)}


def cmd_targets(args):
    json.dump(read_targets(args), sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


def cmd_counters(args):
    json.dump(snapshot(args), sys.stdout, indent=1)
    print()
    return 0


def cmd_engine(args):
    json.dump(read_engine(args), sys.stdout, indent=1)
    print()
    return 0


def cmd_nexthop(args):
    hops = read_nexthops(args)
    print(" ".join("%s=%s/0x%x" % (a, h["mac"], h["flags"]) for a, h in sorted(hops.items()))
          or "no next hops")
    if args.valid:
        h = hops.get(str(ipaddress.ip_address(args.valid)))
        return 0 if h and h["flags"] & NH_F_VALID and h["mac"] != "00:00:00:00:00:00" else 1
    return 0


def cmd_seen(args):
    rx = read_counters(args)["RX"]["packets"]
    print("XDP has seen %d frames since the baseline" % rx)
    return 0 if rx >= args.n else 1


def cmd_rx(args):
    print(read_counters(args)["RX"]["packets"])
    return 0


def cmd_drained(args):
    c = read_counters(args)
    e = read_engine(args)
    copies = c["FORWARD"]["packets"] + read_targets(args)["extra"]
    done = e["sent_packets"] + e["send_errors"]
    print("ring: %d copies queued by XDP, %d taken by the engine, %d completed"
          % (copies, e["records"], done))
    return 0 if e["records"] == copies and done == e["records"] else 1


def cmd_expect(args):
    c = read_counters(args)
    want = {}
    for item in args.counts:
        name, _, n = item.partition("=")
        if name not in c:
            print("vxmaps: unknown counter %s" % name, file=sys.stderr)
            return 1
        want[name] = int(n)
    bad = 0
    for name, v in c.items():
        got = v["packets"]
        if name in want:
            ok = got == want[name]
        elif name.startswith("DROP_"):
            ok = got == 0
        else:
            continue
        if name in want or not ok:
            print("  %-24s %6d expected %6d  %s" % (name, got, want.get(name, 0),
                                                  "ok" if ok else "MISMATCH"))
        bad += not ok
    return 1 if bad else 0


def cmd_crosscheck(args):
    c = read_counters(args)
    e = read_engine(args)
    with open(args.stats) as f:
        st = json.load(f)
    diffs = []
    for name, v in c.items():
        got = st["counters"].get(name.lower(), {}).get("packets")
        if name in ("RX", "PASS"):
            continue
        if got != v["packets"]:
            diffs.append("%s: stats %s, map %d" % (name.lower(), got, v["packets"]))
    # RX and PASS may move between the two reads (ARP); their difference may not.
    st_rx = st["counters"]["rx"]["packets"] - st["counters"]["pass"]["packets"]
    if st_rx != c["RX"]["packets"] - c["PASS"]["packets"]:
        diffs.append("rx - pass: stats %d, map %d" % (st_rx, c["RX"]["packets"] - c["PASS"]["packets"]))
    for k in ("records", "sent_packets", "send_errors"):
        if st["engine"].get(k) != e[k]:
            diffs.append("engine %s: stats %s, map %d" % (k, st["engine"].get(k), e[k]))
    print("vxfwd stats -j agrees with the pinned maps read by bpftool: %s"
          % ("yes" if not diffs else "NO: " + "; ".join(diffs)))
    return 1 if diffs else 0


def cmd_check(args):
    c = read_counters(args)
    e = read_engine(args)
    rx = c["RX"]["packets"]
    parts = {n: v["packets"] for n, v in c.items() if n != "RX"}
    total = sum(parts.values())
    width = max(len(n) for n in c)
    for n, v in c.items():
        if v["packets"] or n in ("RX", "PASS", "FORWARD"):
            print("  %-*s %10d packets %14d bytes" % (width, n, v["packets"], v["bytes"]))
    print("  %-*s %10d packets %14d bytes (%d batches, %d send errors %s)"
          % (width, "engine sent", e["sent_packets"], e["sent_bytes"], e["batches"],
             e["send_errors"], e["send_errno"] or ""))
    ok = True
    print("  invariant RX == PASS + FORWARD + drops: %d == %d: %s"
          % (rx, total, "holds" if rx == total else "BROKEN"))
    ok &= rx == total
    fwd = c["FORWARD"]["packets"]
    extra = read_targets(args)["extra"]
    copies = fwd + extra
    if args.send_errors_ok:
        done = e["sent_packets"] + e["send_errors"]
        print("  invariant copies queued (FORWARD %d + fan-out extra %d) == sent + send errors:"
              " %d == %d + %d: %s" % (fwd, extra, copies, e["sent_packets"], e["send_errors"],
                                      "holds" if copies == done else "BROKEN"))
        ok &= copies == done
    else:
        print("  invariant copies queued (FORWARD %d + fan-out extra %d) == sent by the engine:"
              " %d == %d: %s" % (fwd, extra, copies, e["sent_packets"],
                                 "holds" if copies == e["sent_packets"] else "BROKEN"))
        ok &= copies == e["sent_packets"]
        if not extra:
            # no fan-out copy: the single-target form holds as it always did
            print("  invariant FORWARD == sent by the engine: %d == %d: %s"
                  % (fwd, e["sent_packets"], "holds" if fwd == e["sent_packets"] else "BROKEN"))
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--abi", required=True, help="bpf/vxfwd_abi.h")
    ap.add_argument("--pins", required=True, help="/sys/fs/bpf/vxfwd/NAME")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("counters")
    p.add_argument("--base")
    sub.add_parser("engine").add_argument("--base")
    sub.add_parser("nexthop").add_argument("--valid")
    p = sub.add_parser("seen")
    p.add_argument("--base")
    sub.add_parser("rx")
    p.add_argument("n", type=int)
    sub.add_parser("drained")
    p = sub.add_parser("expect")
    p.add_argument("--base", required=True)
    p.add_argument("counts", nargs="+", metavar="NAME=N")
    sub.add_parser("crosscheck").add_argument("--stats", required=True)
    sub.add_parser("targets").add_argument("--base")
    p = sub.add_parser("check")
    p.add_argument("--base")
    p.add_argument("--send-errors-ok", action="store_true",
                   help="a fault made sends fail: FORWARD == sent + errors")
    args = ap.parse_args()
    try:
        return globals()["cmd_" + args.cmd](args)
    except subprocess.CalledProcessError as e:
        print("vxmaps: bpftool map dump: %s" % e.stderr.strip(), file=sys.stderr)
        return 1
    except (OSError, KeyError, IndexError, ValueError) as e:
        print("vxmaps: %s: %s" % (args.pins, e), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
