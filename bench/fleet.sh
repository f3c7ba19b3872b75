#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/fleet.sh [--quick] [VXFWD] - the delivered rate through the fleet
# lab's load balancer (tests/lab/fleet.sh) with one, two and three sensors
# in its target group, for the same offered load: the same frames (FRAMES
# frames of 64-byte inner UDP packets in 128 flows, replayed LOOPS times by
# tcpreplay at PPS, or as fast as it can with PPS=0) each time.
#
# All three sensors run; the health checker is given the first 1, 2, 3 as
# its targets, so the others get nothing.  Per case: what tcpreplay
# offered, what reached the collector's eth0 (its receive counter), the
# delivered rate over the replay's time, and each sensor's FORWARD.
#
# On a 2-vCPU machine every namespace shares the same two CPUs (the mirror
# source, the load balancer's softirq, three sensors' XDP and workers, the
# collector): the figure shows the mechanism (the load spread, nothing
# lost or duplicated by the spreading), not the scale a fleet of real
# sensors has.
#
# VXFWD defaults to build/engine/vxfwd; --quick sends fewer frames.
set -u

FRAMES=${FRAMES:-4000}
LOOPS=${LOOPS:-10}
PPS=${PPS:-0}
if [ "${1:-}" = --quick ]; then
	LOOPS=3
	shift
fi
here=$(cd "$(dirname "$0")" && pwd)
VXFWD=${1:-${VXFWD:-$here/../build/engine/vxfwd}}
VXFWD_SRCDIR=$(cd "$here/.." && pwd)
export VXFWD VXFWD_SRCDIR

# shellcheck source=tests/lab/fleet.sh
. "$here/../tests/lab/fleet.sh"

# The collector's eth0 receive counter.
rx_packets()
{
	ip -n "$LAB_NS_C" -s -j link show dev eth0 |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["rx"]["packets"])'
}

forwarded()
{
	fleet_use "$1"
	lab_maps counters --base "$LAB_TMP/base$1.json" |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["FORWARD"]["packets"])'
}

# one_case N: targets 1..N, the frames replayed, the figures on one line.
one_case()
{
	local n=$1 k rx0 rx1 out secs sent per='' rate

	[ -z "${FLEET_LB_PID:-}" ] || lab_kill "$FLEET_LB_PID"
	# shellcheck disable=SC2046
	fleet_lb_start $(seq 1 "$n")
	lab_wait 15 fleet_lb_has "$n" || lab_die "load balancer: not $n sensors: $(tail -n 3 "$LAB_TMP/lbhealth.log")"
	fleet_bases
	rx0=$(rx_packets)
	if [ "$PPS" -gt 0 ]; then
		out=$(lab_mirror tcpreplay -i eth0 --loop="$LOOPS" --pps="$PPS" "$LAB_TMP/bench.pcap" 2>&1)
	else
		out=$(lab_mirror tcpreplay -i eth0 --loop="$LOOPS" --topspeed "$LAB_TMP/bench.pcap" 2>&1)
	fi || lab_die "tcpreplay: $out"
	sent=$(awk '/Successful packets:/ { print $3 }' <<<"$out")
	secs=$(sed -n 's/.* sent in \([0-9.]*\) seconds.*/\1/p' <<<"$out" | head -n 1)
	rate=$(sed -n 's/.*Rated: .*, \([0-9.]*\) pps.*/\1/p' <<<"$out" | head -n 1)
	sleep 1
	fleet_drained
	rx1=$(rx_packets)
	for ((k = 1; k <= FLEET_N; k++)); do
		per+="$(forwarded $k) "
	done
	printf '| %d | %d | %.0f | %d | %.0f | %.1f%% | %s|\n' "$n" "$sent" "$rate" $((rx1 - rx0)) \
		"$("$LAB_PY" -c "print($((rx1 - rx0)) / $secs)")" \
		"$("$LAB_PY" -c "print(100 * (1 - $((rx1 - rx0)) / $sent))")" "$per"
}

main()
{
	local k offer

	fleet_init b
	fleet_up
	for ((k = 1; k <= FLEET_N; k++)); do
		fleet_vxfwd_start "$k"
	done
	fleet_gen bench --mix "udp:$FRAMES" --flows 128 --size 64
	offer="top speed"
	[ "$PPS" -eq 0 ] || offer="$PPS pps"
	echo "fleet bench: $FRAMES frames x $LOOPS loops, 128 flows, 64-byte inner UDP, offered by tcpreplay at $offer"
	echo "On this $(nproc)-CPU machine every namespace shares the same CPUs: the figure shows the mechanism, not the scale."
	echo
	echo "| sensors | offered frames | offered pps | delivered | delivered pps | lost | FORWARD by sensor 1 2 3 |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	for k in 1 2 3; do
		one_case "$k"
	done
}

main
