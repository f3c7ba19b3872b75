#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# demo.sh - vxfwd in the lab, with the proof printed.
#
# Builds the real host's shape in network namespaces (tests/lab/lib.sh),
# runs vxfwd in the sensor with tests/lab/rules/lab.rules, sends a mix of
# allowed and disallowed VXLAN mirror traffic from the mirror source, and
# prints what each wire saw: frames sent, frames received and validated at
# the collector, tcpdump -i ens6 in the sensor, frames that came back out of
# ens5 (captured on the mirror side of that wire), vxfwd's counters and the
# invariants.  Exit 0 when every check holds, 1 otherwise.
#
# usage: scripts/demo.sh [-k]      -k keeps the evidence (pcaps, manifests)
# Environment: VXFWD, the binary (default build/engine/vxfwd).

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../tests/lab/lib.sh"

DEMO_RULES=$LAB_DIR/rules/lab.rules
DEMO_MIX=udp:100,tcp:100,udp0:10,bad-src:5,bad-vni:5,bad-port:5,bad-trunc:5,bad-frag:5,bad-frag2:5,bad-csum:5

# shellcheck disable=SC2034 # read by lab_cleanup()
[ "${1:-}" = -k ] && LAB_KEEP=1

demo_line()
{
	printf '  %-32s %s\n' "$1" "$2"
}

# Run a check, keep its one-line summary, remember whether it held.
DEMO_OK=1
demo_check()
{
	local label=$1 out
	shift
	if out=$("$@" 2>&1); then
		demo_line "$label" "$(head -n 1 <<<"$out" | sed 's/^[^:]*: //')"
	else
		DEMO_OK=0
		demo_line "$label" "FAILED"
		sed 's/^/      /' <<<"$out" | head -n 12
	fi
}

main()
{
	local sent fwd drop

	lab_require
	lab_init
	echo "vxfwd demo: building the lab"
	lab_up
	lab_collector_listen
	lab_vxfwd_start "$DEMO_RULES"
	lab_wait_nexthop
	lab_maps counters >"$LAB_TMP/base.json"

	lab_capture_start "$LAB_NS_C" eth0 collector in
	lab_capture_start "$LAB_NS_S" ens6 ens6 out
	lab_capture_start "$LAB_NS_M" eth0 ens5wire in
	lab_gen --mix "$DEMO_MIX" --out "$LAB_TMP/demo.pcap" \
		--manifest "$LAB_TMP/demo.json" >"$LAB_TMP/gen.txt" || lab_die "gen.py failed"
	lab_send "$LAB_TMP/demo.pcap" 2000
	lab_wait_drained
	lab_capture_stop collector
	lab_capture_stop ens6
	lab_capture_stop ens5wire
	lab_collector_listen_stop

	sent=$("$LAB_PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["frames"]))' "$LAB_TMP/demo.json")
	fwd=$("$LAB_PY" -c 'import json,sys; print(sum(e["counter"] == "FORWARD" for e in json.load(open(sys.argv[1]))["frames"]))' "$LAB_TMP/demo.json")
	drop=$((sent - fwd))

	cat <<EOF

vxfwd demo: the proof
  lab: mirror $LAB_NS_M eth0 $LAB_MIRROR_ADDR -> sensor $LAB_NS_S ens5 $LAB_ENS5_ADDR (XDP)
       sensor ens6 (port of br0 $LAB_BR0_ADDR, same /23) -> collector $LAB_NS_C eth0 $LAB_COLLECTOR_ADDR
  rules: ${DEMO_RULES#"$LAB_SRCDIR"/}

EOF
	demo_line "sent from the mirror source:" \
		"$sent VXLAN frames: $fwd allowed (UDP and TCP, inner IP 50..9000 bytes), $drop to drop (7 kinds)"
	demo_check "received at the collector:" \
		lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/demo.json"
	demo_check "collector UDP socket:" "$LAB_PY" -c '
import json, sys
m = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
want = sorted(e["seq"] for e in m["frames"] if e["counter"] == "FORWARD" and e["proto"] == 17)
print("udp: %d datagrams accepted by the stack, %d expected" % (len(r["udp_seqs"]), len(want)))
sys.exit(0 if sorted(r["udp_seqs"]) == want else 1)' "$LAB_TMP/demo.json" "$LAB_TMP/collector.json"
	demo_check "tcpdump -i ens6 (sensor):" \
		lab_verify "$LAB_TMP/ens6.pcap" "$LAB_TMP/demo.json" --label "tcpdump -i ens6"
	demo_check "leaked out of ens5:" lab_leakcheck "$LAB_TMP/ens5wire.pcap"
	echo
	echo "  vxfwd stats -n $LAB_VXFWD_NAME (non-zero counters):"
	"$VXFWD" stats -n "$LAB_VXFWD_NAME" 2>&1 |
		awk 'NF >= 3 && $(NF - 1) ~ /^[0-9]+$/ && $(NF - 1) != 0 { print "    " $0 }
		     /^(invariant|balance)/ { print "    " $0 }' | head -n 30
	echo
	echo "  the same maps read with bpftool (independent of vxfwd):"
	# shellcheck disable=SC2046 # NAME=N words
	if ! lab_maps expect --base "$LAB_TMP/base.json" $("$LAB_PY" -c '
import collections, json, sys
c = collections.Counter(e["counter"] for e in json.load(open(sys.argv[1]))["frames"])
print(" ".join("%s=%d" % kv for kv in sorted(c.items())))' "$LAB_TMP/demo.json") |
		sed 's/^/  /'; then
		DEMO_OK=0
	fi
	lab_maps check | sed 's/^/  /' | grep invariant
	lab_maps check >/dev/null || DEMO_OK=0
	lab_vxfwd_stop
	echo
	if [ "$DEMO_OK" -eq 1 ]; then
		echo "PROOF HOLDS: every allowed frame left through ens6, exactly once and correct; nothing mirror-derived left through ens5."
		return 0
	fi
	echo "PROOF FAILED: see the lines above"
	return 1
}

main "$@"
