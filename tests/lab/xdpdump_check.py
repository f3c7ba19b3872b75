#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Read `xdpdump -x --rx-capture entry,exit` text output and check that
every run-marked frame listed in a manifest was seen entering the XDP
program on ens5 and leaving it with XDP_DROP.  Exit 0 when all were.
"""

import argparse
import collections
import re
import struct
import sys

import vxlab

HEAD = re.compile(r"^\d+\.\d+: (\S+)\(\)@(entry|exit)(?:\[(\w+)\])?: packet size (\d+) bytes")
HEX = re.compile(r"^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2} ?)+)")


def packets(path):
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            m = HEAD.match(line)
            if m:
                if cur:
                    yield cur
                cur = {"prog": m.group(1), "point": m.group(2),
                       "action": m.group(3), "size": int(m.group(4)), "data": bytearray()}
                continue
            m = HEX.match(line)
            if m and cur is not None:
                cur["data"] += bytes.fromhex(m.group(1).replace(" ", ""))
    if cur:
        yield cur


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", required=True, help="xdpdump's output")
    ap.add_argument("--manifest", required=True)
    args = ap.parse_args()

    m = vxlab.load_manifest(args.manifest)
    marker = vxlab.marker_bytes(m["marker"])
    want = {e["seq"] for e in m["frames"]}
    seen = collections.defaultdict(set)
    actions = collections.Counter()
    for p in packets(args.dump):
        i = p["data"].find(marker)
        if i < 0 or len(p["data"]) < i + 12:
            continue
        seq = struct.unpack("!I", p["data"][i + 8:i + 12])[0]
        tag = p["point"] + ("[%s]" % p["action"] if p["action"] else "")
        seen[seq].add(tag)
        actions[tag] += 1
    entry = sum(1 for s in want if "entry" in seen[s])
    dropped = sum(1 for s in want if "exit[DROP]" in seen[s])
    other = sorted(s for s in want if any(t.startswith("exit") and t != "exit[DROP]"
                                          for t in seen[s]))
    print("xdpdump -i ens5: %d run frames sent, %d seen at XDP entry, %d at exit with "
          "XDP_DROP; actions seen: %s"
          % (len(want), entry, dropped,
             ", ".join("%s %d" % kv for kv in sorted(actions.items())) or "none"))
    if other:
        print("xdpdump: error: frames leaving XDP with another action: %s" % other[:20])
    missing = sorted(s for s in want if "exit[DROP]" not in seen[s])
    if missing:
        print("xdpdump: error: %d frames not seen dropped at XDP exit: %s"
              % (len(missing), missing[:40]))
    return 0 if not missing and not other and entry == len(want) else 1


if __name__ == "__main__":
    sys.exit(main())
