#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vxfwd-faults.sh - faults under traffic that tests/e2e does not already
# cover (it has kill -9, SIGSTOP, ens6 down/up, broken reload, double
# start), in the lab of tests/lab/lib.sh:
#
#   mac_change    the collector's MAC changes under traffic
#   neigh_delete  the next hop's neighbour entry is deleted under traffic
#   neigh_broken  ... and the collector does not answer ARP for a while
#   guard_ens5    the sensor's own route sends to the DNAT target out of ens5
#                 (the real host's same-/23 trap): the leak guard stops it
#   pins_private  every pin of a running instance is 0600 in a 0700 directory
#
# Evidence from the far side of each wire: the collector's eth0 (every
# frame's Ethernet destination), the mirror side of the ens5 wire, and the
# pinned counters.  Exit 0 pass, 1 fail, 77 skip.
#
# usage: vxfwd-faults.sh [TEST...]   (no TEST: all)

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"

ALL_TESTS="mac_change neigh_delete neigh_broken guard_ens5 pins_private"
LAB_RULES=$LAB_DIR/rules/lab.rules
NEW_MAC=02:c0:11:ec:70:99

fail()
{
	printf 'FAIL: %s\n' "$*"
	exit 1
}

setup()
{
	lab_require
	lab_init
	lab_up
	lab_collector_listen
	lab_vxfwd_start "$LAB_RULES"
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
	lab_maps counters >"$LAB_TMP/base.json" || fail "cannot read the pinned counters"
}

captures_start()
{
	lab_capture_start "$LAB_NS_C" eth0 collector in
	lab_capture_start "$LAB_NS_M" eth0 ens5wire in
}

captures_stop()
{
	lab_capture_stop collector
	lab_capture_stop ens5wire
}

# load_start TAG MIX PPS: frames replayed in the background (LOAD_PID).
load_start()
{
	local tag=$1 mix=$2 pps=$3

	lab_gen --mix "$mix" --out "$LAB_TMP/$tag.pcap" --manifest "$LAB_TMP/$tag.json" ||
		fail "gen.py failed"
	lab_bg "$LAB_TMP/$tag.tcpreplay.log" "$LAB_NS_M" tcpreplay -i eth0 --pps="$pps" \
		"$LAB_TMP/$tag.pcap"
	LOAD_PID=$LAB_BG_PID
}

load_wait()
{
	wait "$LOAD_PID" || fail "tcpreplay failed: $(cat "$LAB_TMP"/*.tcpreplay.log)"
}

gen_send()
{
	local tag=$1 mix=$2

	lab_gen --mix "$mix" --out "$LAB_TMP/$tag.pcap" --manifest "$LAB_TMP/$tag.json" ||
		fail "gen.py failed"
	lab_send "$LAB_TMP/$tag.pcap" 2000
	lab_wait_drained
}

nexthop_is()
{
	[ "$(nexthop_mac)" = "$1" ]
}

nexthop_mac()
{
	lab_maps nexthop | tr ' ' '\n' | awk -F'[=/]' -v a="$LAB_COLLECTOR_ADDR" '$1 == a { print $2 }'
}

# Frames at the collector's eth0 (UDP/TCP to the DNAT target), per
# Ethernet destination, as "MAC COUNT" lines.
macs_at_collector()
{
	"$LAB_PY" -c '
import collections, sys
from scapy.all import rdpcap, Ether, IP
c = collections.Counter()
for p in rdpcap(sys.argv[1]):
    if Ether in p and IP in p and p[IP].dst == sys.argv[2] and p[IP].proto in (6, 17):
        c[p[Ether].dst] += 1
for mac, n in sorted(c.items()):
    print(mac, n)' "$LAB_TMP/collector.pcap" "$LAB_COLLECTOR_ADDR"
}

counters_line()
{
	lab_maps counters --base "$LAB_TMP/base.json" | "$LAB_PY" -c '
import json, sys
d = json.load(sys.stdin)
c, e = d["counters"], d["engine"]
print("FORWARD %d, DROP_NO_NEXTHOP %d, sent %d, send errors %d %s"
      % (c["FORWARD"]["packets"], c["DROP_NO_NEXTHOP"]["packets"], e["sent_packets"],
         e["send_errors"], e["send_errno"]))'
}

# Every frame of `during` either arrived once, correct, or was counted as
# not forwarded; every frame of `after` arrived.  The Ethernet destination
# must be the collector's MAC, unless --any-eth-dst (the caller checks it).
check_after()
{
	local args=(--optional "$LAB_TMP/during.json" --json "$LAB_TMP/verify.json") ok=0

	if [ "${1:-}" = --any-eth-dst ]; then
		"$LAB_PY" "$LAB_DIR/verify.py" --pcap "$LAB_TMP/collector.pcap" \
			--manifest "$LAB_TMP/after.json" --eth-src "$LAB_ENS6_MAC" "${args[@]}" || ok=1
	else
		lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" "${args[@]}" || ok=1
	fi
	[ $ok -eq 0 ] ||
		fail "collector: forwarding did not resume correctly, or a frame arrived wrong or twice"
	"$LAB_PY" -c '
import json, sys
v = json.load(open(sys.argv[1]))
print("during the fault: %d frames arrived, %d did not" % (v["optional_received"], v["optional_missing"]))' \
		"$LAB_TMP/verify.json"
	lab_leakcheck "$LAB_TMP/ens5wire.pcap" || fail "mirror-derived frames left through ens5"
	lab_maps check --base "$LAB_TMP/base.json" --send-errors-ok ||
		fail "counter invariant broken"
}

# ---- tests -------------------------------------------------------------------

# The collector's MAC changes (it announces it: arp_notify): vxfwd follows the
# neighbour table, and once the sensor knows the new MAC no frame is sent to
# the old one.
test_mac_change()
{
	local old flipped stale

	setup
	old=$LAB_COLLECTOR_MAC
	lab_sysctl "$LAB_NS_C" net.ipv4.conf.eth0.arp_notify=1
	captures_start
	load_start during udp:1000,tcp:500 500
	sleep 1
	ip -n "$LAB_NS_C" link set eth0 address $NEW_MAC || fail "cannot change the collector's MAC"
	echo "collector MAC $old -> $NEW_MAC under 500 frames/s"
	lab_wait 10 sh -c "[ \"\$(ip -n $LAB_NS_S neigh show $LAB_COLLECTOR_ADDR dev br0 | awk '{print \$3}')\" = $NEW_MAC ]" ||
		fail "the sensor's neighbour table never learned the new MAC"
	lab_wait 5 nexthop_is $NEW_MAC || fail "vxfwd's next hop stayed $(nexthop_mac)"
	flipped=$(date +%s.%N)
	echo "vxfwd's next hop for $LAB_COLLECTOR_ADDR: $(nexthop_mac)"
	load_wait
	lab_wait_drained
	LAB_COLLECTOR_MAC=$NEW_MAC
	gen_send after "udp:50,tcp:50"
	captures_stop
	echo "frames at the collector by Ethernet destination:"
	macs_at_collector | sed 's/^/  /'
	macs_at_collector | awk -v o="$old" -v n="$NEW_MAC" '$1 != o && $1 != n { bad = 1 } END { exit bad }' ||
		fail "frames sent to a MAC that was never the collector's"
	stale=$("$LAB_PY" -c '
import sys
from scapy.all import rdpcap, Ether
print(sum(1 for p in rdpcap(sys.argv[1])
          if Ether in p and p[Ether].dst == sys.argv[2] and float(p.time) > float(sys.argv[3])))' \
		"$LAB_TMP/collector.pcap" "$old" "$flipped")
	echo "frames to the old MAC after vxfwd's next hop changed: $stale"
	[ "$stale" -eq 0 ] || fail "$stale frames went to the old MAC after vxfwd knew the new one"
	echo "counters: $(counters_line)"
	# Frames of `during` sent before the change went to the old MAC (which
	# the collector drops as not its own); `after` only to the new one.
	check_after --any-eth-dst
	lab_vxfwd_stop
}

# The neighbour entry disappears; the collector answers ARP: vxfwd must
# resolve it again by itself and never send with a zero or stale MAC.
test_neigh_delete()
{
	setup
	captures_start
	load_start during udp:1000,tcp:500 500
	sleep 1
	ip -n "$LAB_NS_S" neigh del "$LAB_COLLECTOR_ADDR" dev br0 || fail "cannot delete the neighbour"
	echo "neighbour $LAB_COLLECTOR_ADDR deleted from br0 under 500 frames/s"
	load_wait
	lab_wait 15 lab_maps nexthop --valid "$LAB_COLLECTOR_ADDR" >/dev/null ||
		fail "vxfwd's next hop was not resolved again: $(lab_maps nexthop)"
	lab_wait_drained
	gen_send after "udp:50,tcp:50"
	captures_stop
	macs_at_collector | sed 's/^/  to /'
	echo "counters: $(counters_line)"
	check_after
	lab_vxfwd_stop
}

# The neighbour entry disappears and the collector stays silent for 2 s:
# frames are counted (DROP_NO_NEXTHOP) while the path is broken, none is
# sent with a wrong MAC, and forwarding resumes by itself once it answers.
test_neigh_broken()
{
	local dropped

	setup
	captures_start
	load_start during udp:2000 500
	sleep 1
	ip -n "$LAB_NS_C" link set eth0 arp off
	ip -n "$LAB_NS_S" neigh del "$LAB_COLLECTOR_ADDR" dev br0 || fail "cannot delete the neighbour"
	echo "neighbour deleted, collector silent to ARP for 2 s under 500 frames/s"
	sleep 2
	ip -n "$LAB_NS_C" link set eth0 arp on
	load_wait
	lab_wait 15 lab_maps nexthop --valid "$LAB_COLLECTOR_ADDR" >/dev/null ||
		fail "vxfwd's next hop did not come back by itself: $(lab_maps nexthop); sensor: $(ip -n "$LAB_NS_S" neigh show)"
	lab_wait_drained
	gen_send after "udp:50,tcp:50"
	captures_stop
	macs_at_collector | sed 's/^/  to /'
	echo "counters: $(counters_line)"
	dropped=$(lab_maps counters --base "$LAB_TMP/base.json" |
		"$LAB_PY" -c 'import json,sys; print(json.load(sys.stdin)["counters"]["DROP_NO_NEXTHOP"]["packets"])')
	[ "$dropped" -gt 0 ] || fail "no frame counted as DROP_NO_NEXTHOP while the collector was silent"
	check_after
	lab_vxfwd_stop
}

# The real host's trap: ens5 and br0 share the /23, so the sensor's own route
# to the DNAT target points at ens5 (and on AWS the VPC answers ARP for it).
# Datagrams the sensor sends there must not leave ens5: the leak guard drops
# and counts them; without vxfwd (and its guard) they do leave, so the
# capture can see a leak.
# leak_from_sensor TAG N: N datagrams from the sensor's own stack to the
# DNAT target; LEAKED: how many of them the mirror's wire (ens5's far end)
# saw, captured as TAG.
leak_from_sensor()
{
	local tag=$1 n=$2

	lab_capture_start "$LAB_NS_M" eth0 "$tag" in
	lab_sensor "$LAB_PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"leak %d" % i, (sys.argv[1], 8081))' "$LAB_COLLECTOR_ADDR" $n
	sleep 0.5
	lab_capture_stop "$tag"
	LEAKED=$(lab_mirror tcpdump -nr "$LAB_TMP/$tag.pcap" "dst host $LAB_COLLECTOR_ADDR" 2>/dev/null | wc -l)
}

test_guard_ens5()
{
	local n=40 got drops

	setup
	ip -n "$LAB_NS_S" route get "$LAB_COLLECTOR_ADDR" | grep -q 'dev ens5' ||
		fail "the lab's route to the DNAT target does not point at ens5"
	ip -n "$LAB_NS_S" neigh replace "$LAB_COLLECTOR_ADDR" lladdr "$LAB_MIRROR_MAC" dev ens5 ||
		fail "cannot add the VPC-like neighbour on ens5"
	"$VXFWD" stats -n "$LAB_VXFWD_NAME" | grep -qi guard ||
		fail "vxfwd stats shows no leak guard counter"
	leak_from_sensor guardwire $n
	got=$LEAKED
	drops=$("$VXFWD" stats -j -n "$LAB_VXFWD_NAME" | "$LAB_PY" -c '
import json, sys
d = json.load(sys.stdin)
def find(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if "guard" in k and isinstance(v, dict) and "packets" in v.get("drop", v):
                return (v.get("drop", v))["packets"]
            r = find(v)
            if r is not None:
                return r
    return None
print(find(d))')
	echo "guard on: $got of $n datagrams to $LAB_COLLECTOR_ADDR left ens5; vxfwd stats: guard drops $drops"
	[ "$got" -eq 0 ] || fail "datagrams to the DNAT target left through ens5 past the guard"
	[ "$drops" = "$n" ] || fail "the guard counted $drops drops, want $n"
	lab_vxfwd_stop
	tc -n "$LAB_NS_S" filter show dev ens5 egress | grep -q vxfwd_guard &&
		fail "the guard's tc filter stayed on ens5 after vxfwd stopped"
	leak_from_sensor noguard $n
	got=$LEAKED
	echo "guard off (vxfwd stopped): $got of $n left ens5"
	[ "$got" -eq "$n" ] || fail "without the guard $got of $n left ens5: this test cannot see a leak"
}

# Pinned maps and the link give whoever opens them control of forwarding:
# root only.
test_pins_private()
{
	local f bad=0 n=0

	setup
	[ "$(stat -c %a "$LAB_PINS")" = 700 ] || fail "$LAB_PINS: mode $(stat -c %a "$LAB_PINS"), want 700"
	for f in "$LAB_PINS"/*; do
		n=$((n + 1))
		if [ "$(stat -c %a "$f")" != 600 ]; then
			echo "$f: mode $(stat -c %a "$f"), want 600"
			bad=1
		fi
	done
	echo "$n pins in $LAB_PINS (mode 700): $(ls "$LAB_PINS" | tr '\n' ' ')"
	[ "$n" -gt 0 ] || fail "no pins in $LAB_PINS"
	[ $bad -eq 0 ] || fail "pins readable or writable by others than root"
	lab_vxfwd_stop
}

# ---- runner ----------------------------------------------------------------

main()
{
	local t rc=0 tests=${*:-$ALL_TESTS}

	for t in $tests; do
		case " $ALL_TESTS " in
		*" $t "*) ;;
		*) echo "unknown test '$t' (tests: $ALL_TESTS)"; exit 2 ;;
		esac
	done
	for t in $tests; do
		echo "== $t"
		("test_$t")
		rc=$?
		[ $rc -eq 0 ] || break
	done
	exit $rc
}

main "$@"
