#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vxfwd-fleet.sh - three sensors behind a load balancer (tests/lab/fleet.sh):
# AWS Traffic Mirroring to an NLB whose target group is the sensors, with
# HTTP health checks on each vxfwd's /healthz, and a Prometheus server
# scraping each vxfwd's /metrics.
#
# usage: vxfwd-fleet.sh [TEST...]     (no TEST: run them all)
#
# The mirror source sends many inner flows, each with its own outer UDP
# source port (as AWS does), so the load balancer's hash of the outer
# 5-tuple keeps each flow on one sensor; every frame carries a sequence
# number, so the collector's capture shows each one arrived exactly once
# and through which sensor (its ens6's MAC).  Exit 0 pass, 1 fail, 77 skip.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lab/fleet.sh"

ALL_TESTS="fleet_spread fleet_failover fleet_nexthop fleet_prometheus fleet_alerts fleet_geneve"

# A steady stream for the faults: 16 exporters x 8 flows, small frames.
STREAM_PPS=1000
STREAM_FRAMES=10000
STREAM_FLOWS=128

fail()
{
	printf 'FAIL: %s\n' "$*"
	exit 1
}

# check_sensors: each sensor's invariants (RX == PASS + FORWARD + drops,
# FORWARD == sent) since its base, and `vxfwd stats -j` agreeing with its
# maps.
check_sensors()
{
	local k

	for k in $(fleet_ks); do
		fleet_use "$k"
		echo "sensor $k since its base:"
		lab_maps check --base "$LAB_TMP/base$k.json" || fail "sensor $k: counter invariant broken"
		lab_sensor "$VXFWD" stats -j -n "$LAB_VXFWD_NAME" >"$LAB_TMP/stats$k.json" ||
			fail "vxfwd stats -j -n $LAB_VXFWD_NAME failed"
		lab_maps crosscheck --stats "$LAB_TMP/stats$k.json" ||
			fail "sensor $k: vxfwd stats disagrees with its maps"
	done
}

# forwarded_since K: sensor K's FORWARD since its base.
forwarded_since()
{
	fleet_use "$1"
	lab_maps counters --base "$LAB_TMP/base$1.json" |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["FORWARD"]["packets"])'
}

# stream_start TAG FRAMES: the steady stream, replayed in the background.
stream_start()
{
	fleet_gen "$1" --mix "udp:$2" --flows $STREAM_FLOWS --size 256
	lab_bg "$LAB_TMP/$1.tcpreplay.log" "$LAB_NS_M" tcpreplay -i eth0 --pps=$STREAM_PPS "$LAB_TMP/$1.pcap"
	STREAM_PID=$LAB_BG_PID
	STREAM_T0=$(date +%s.%N)
}

stream_wait()
{
	wait "$STREAM_PID" || fail "tcpreplay failed: $(cat "$LAB_TMP"/*.tcpreplay.log)"
	grep -q 'Failed packets: *0' "$LAB_TMP/$1.tcpreplay.log" ||
		fail "tcpreplay: frames not sent: $(cat "$LAB_TMP/$1.tcpreplay.log")"
}

# health_of K: sensor K's /healthz from the load balancer, "STATUS BODY".
health_of()
{
	lab_ns_exec "$FLEET_NS_LB" "$LAB_PY" -c '
import http.client, sys
try:
    c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=2)
    c.request("GET", "/healthz")
    r = c.getresponse()
    print(r.status, r.read().decode(errors="replace").strip().replace("\n", "; "))
except OSError as e:
    print("none", "no answer:", e.strerror or e)' \
		"$(fleet_ens5_addr "$1")" "$FLEET_HEALTH_PORT" 2>&1
}

# after_stream TAG [K...]: 600 frames in 80 flows after a fault, sent,
# seen and drained by the running sensors K (default all).
after_stream()
{
	local tag=$1
	shift

	fleet_gen "$tag" --mix udp:300,tcp:300 --flows 40
	fleet_send "$LAB_TMP/$tag.pcap" 2000
	# shellcheck disable=SC2046
	fleet_drained $(fleet_ks "$@")
}

# failover_figures K T DURATION WHAT: the "during" stream's loss, duplicates,
# moved flows and times after sensor K's fault WHAT at T (fleet.py), and the
# loss accounted for exactly by the sensors' counters over the stream and
# the load balancer's drops (fleet_window during).
failover_figures()
{
	local k win=()

	for k in $(fleet_ks); do
		win+=(--window "$k" "$LAB_TMP/during$k.json")
	done
	fleet_py failover "${win[@]}" --lb-dropped "$(cat "$LAB_TMP/during.lb")" --pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/during.json" \
		--victim "$1" --victim-addr "$(fleet_ens5_addr "$1")" --kill "$2" --duration "$3" \
		--what "$4" --health-log "$LAB_TMP/lbhealth.log" --interval "$FLEET_INTERVAL" \
		--timeout "$FLEET_TIMEOUT" \
		--max-removal "$("$LAB_PY" -c "print($FLEET_INTERVAL + $FLEET_TIMEOUT + 0.5)")"
}

# stream_secs: seconds since the stream started.
stream_secs()
{
	"$LAB_PY" -c 'import sys; print(float(sys.argv[1]) - float(sys.argv[2]))' \
		"$(date +%s.%N)" "$STREAM_T0"
}

# ---- tests ---------------------------------------------------------------

# Frames of 120 flows spread over the three sensors by the load balancer's
# hash: each sensor forwards some, each flow through one sensor, every
# frame reaches the collector exactly once with valid checksums, nothing
# leaves any ens5, and each sensor's FORWARD is what came from its ens6.
test_fleet_spread()
{
	fleet_setup
	fleet_captures_start
	fleet_gen spread --mix udp:600,tcp:600,udp0:60 --flows 40
	fleet_send "$LAB_TMP/spread.pcap" 2000
	fleet_drained
	fleet_captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/spread.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	fleet_py spread --pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/spread.json" ||
		fail "the frames did not spread over the sensors flow by flow"
	fleet_leakcheck || fail "mirror-derived frames left through a sensor's ens5"
	check_sensors
}

# kill -9 one sensor's vxfwd under a steady stream: the load balancer takes
# it out within its interval and its flows move to the others; the frames
# lost in the switch are counted, none is duplicated, nothing leaks (the
# dead sensor's XDP program stays attached and drops); restarted, the
# sensor turns healthy, rejoins and forwards again.  The loss is accounted
# for exactly: what the load balancer sent the dead sensor until it took it
# out stayed in its ring (FORWARD, never sent) or, the ring full, counted
# as drop_ring_full.
test_fleet_failover()
{
	local victim=2 kill_t dur n

	fleet_setup
	fleet_captures_start
	stream_start during $STREAM_FRAMES
	sleep 3
	fleet_use $victim
	kill_t=$(date +%s.%N)
	kill -KILL "${FLEET_PID[victim]}"
	wait "${FLEET_PID[victim]}"
	echo "sensor $victim: vxfwd killed with SIGKILL under $STREAM_PPS frames/s"
	lab_wait 10 grep -q "health $(fleet_ens5_addr $victim) down" "$LAB_TMP/lbhealth.log" ||
		fail "the load balancer did not see sensor $victim go down"
	fleet_lb_wait 2
	[ -n "$(lab_ens5_xdp)" ] || fail "sensor $victim: XDP detached when vxfwd was killed"
	echo "sensor $victim: $(health_of $victim | head -c 200)"
	stream_wait during
	dur=$(stream_secs)
	fleet_wait_seen "$STREAM_FRAMES"
	fleet_drained 1 3
	[ -n "$(lab_ens5_xdp)" ] || fail "sensor $victim: XDP detached while vxfwd was dead"
	# The dead sensor's maps stay with its attached program until the
	# restart replaces both: its counters over the stream, read now.
	fleet_window during

	fleet_vxfwd_start $victim
	fleet_lb_wait 3
	echo "sensor $victim: restarted, healthy again: $(fleet_lb_map)"
	fleet_bases
	FLEET_SENT=0
	after_stream after
	fleet_captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" --optional "$LAB_TMP/during.json" ||
		fail "collector: a frame arrived twice, altered, or after the restart not at all"
	failover_figures $victim "$kill_t" "$dur" "vxfwd killed with SIGKILL" ||
		fail "the failover was not clean"
	fleet_leakcheck || fail "mirror-derived frames left through a sensor's ens5"
	n=$(forwarded_since $victim)
	echo "sensor $victim after the restart: FORWARD $n, collector by sensor: $(fleet_py bysrc \
		--pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/after.json")"
	[ "$n" -gt 0 ] || fail "sensor $victim forwarded nothing after it rejoined"
	check_sensors
}

# A sensor whose next hop is gone (its ens6 down) answers 503 naming it,
# the load balancer takes it out, and the frames keep arriving through the
# other two; with ens6 back it rejoins.  The loss is accounted for exactly
# by the sensor's counters (drop_no_nexthop, and any frame caught in its
# ring or failing to send as the link went down).
test_fleet_nexthop()
{
	local victim=3 k h down_t dur

	fleet_setup
	fleet_captures_start
	stream_start during 5000
	sleep 2
	down_t=$(date +%s.%N)
	ip -n "${FLEET_NS_S[victim]}" link set ens6 down
	echo "sensor $victim: ens6 down under $STREAM_PPS frames/s"
	lab_wait 10 grep -q "health $(fleet_ens5_addr $victim) down" "$LAB_TMP/lbhealth.log" ||
		fail "the load balancer did not see sensor $victim go down"
	fleet_lb_wait 2
	h=$(health_of $victim)
	echo "sensor $victim /healthz: $h"
	[ "${h%% *}" = 503 ] || fail "sensor $victim without a next hop answered $h, want 503"
	case "; ${h#* }; " in
	*"; next hop $LAB_COLLECTOR_ADDR: not resolved on ens6; "*) ;;
	*) fail "sensor $victim's 503 does not name the missing next hop: $h" ;;
	esac
	grep "health $(fleet_ens5_addr $victim) down" "$LAB_TMP/lbhealth.log" | head -n 1
	stream_wait during
	dur=$(stream_secs)
	fleet_wait_seen 5000
	fleet_drained 1 2
	fleet_window during
	fleet_bases
	FLEET_SENT=0
	after_stream after 1 2
	h=$(fleet_py bysrc --pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/after.json")
	echo "frames sent after the removal, by sensor: $h"
	case " $h " in
	*" $victim=0 "*) ;;
	*) fail "sensor $victim carried frames after the load balancer took it out" ;;
	esac

	ip -n "${FLEET_NS_S[victim]}" link set ens6 up
	echo "sensor $victim: ens6 up again"
	fleet_use $victim
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
	fleet_lb_wait 3
	echo "sensor $victim /healthz: $(health_of $victim)"
	fleet_bases
	FLEET_SENT=0
	after_stream back
	fleet_captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/after.json" "--manifest=$LAB_TMP/back.json" \
		--optional "$LAB_TMP/during.json" ||
		fail "collector: frames lost, altered or duplicated around the next hop's loss"
	failover_figures $victim "$down_t" "$dur" "ens6 down (next hop gone)" ||
		fail "the switch away from the sensor without a next hop was not clean"
	h=$(fleet_py bysrc --pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/back.json")
	echo "frames sent after the rejoin, by sensor: $h"
	case " $h " in
	*" $victim=0 "*) fail "sensor $victim carried nothing after it rejoined" ;;
	esac
	fleet_leakcheck || fail "mirror-derived frames left through a sensor's ens5"
	# A frame in flight when ens6 went down fails to send (ENETDOWN): the
	# victim's copies queued equal its sends plus its send errors, which
	# failover_figures counted among the frames lost.
	for k in 1 2 3; do
		fleet_use $k
		if [ "$k" = "$victim" ]; then
			lab_maps check --send-errors-ok || fail "sensor $k: counter invariant broken"
		else
			lab_maps check || fail "sensor $k: counter invariant broken"
		fi
	done
}

# prom_value QUERY: the single value of an instant query, or nothing.
prom_value()
{
	fleet_prom --query "$1" | awk 'NR == 1 { print $NF }'
}

prom_equals()
{
	[ "$(prom_value "$1")" = "$2" ]
}

# Prometheus scrapes the three sensors' /metrics: all three targets up,
# and after a stream of known size the fleet's forwarded total is exactly
# what the mirror sent (and each sensor's, its own counter).
test_fleet_prometheus()
{
	local n k v up q

	fleet_setup
	fleet_prom_start
	lab_wait 20 prom_equals 'count(up{job="vxfwd"} == 1)' 3 ||
		fail "prometheus: not three targets up: $(fleet_prom --query 'up')"
	fleet_prom --query 'up{job="vxfwd"}' | sed 's/^/prometheus: /'
	fleet_gen prom --mix udp:1000,tcp:1000 --flows 40 --size 200
	n=$("$LAB_PY" -c 'import json, sys; print(sum(e["counter"] == "FORWARD" for e in json.load(open(sys.argv[1]))["frames"]))' "$LAB_TMP/prom.json")
	fleet_send "$LAB_TMP/prom.pcap" 2000
	fleet_drained
	q='sum(vxfwd_xdp_packets_total{job="vxfwd",counter="forward"})'
	lab_wait 15 prom_equals "$q" "$n" ||
		fail "prometheus: $q = $(prom_value "$q"), the mirror sent $n to forward"
	echo "prometheus: $q = $n, the mirror sent $n to forward"
	for k in 1 2 3; do
		v=$(prom_value "vxfwd_xdp_packets_total{job=\"vxfwd\",counter=\"forward\",instance=\"$(fleet_ens5_addr $k):$FLEET_HEALTH_PORT\"}")
		fleet_use $k
		up=$(lab_maps counters | "$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)["counters"]["FORWARD"]["packets"])')
		echo "prometheus: sensor $k forward $v, its map $up"
		[ "$v" = "$up" ] && [ "$v" -gt 0 ] || fail "prometheus: sensor $k's forward count $v, its map says $up"
	done
	v=$(prom_value 'count(up{job="vxfwd"} == 1)')
	[ "$v" = 3 ] || fail "prometheus: $v targets up after the stream, want 3"
	fleet_prom_stop
}

# fleet_alerts_firing NAME:INSTANCE|'': Prometheus' firing alerts are that
# one alert, or none.
fleet_alerts_firing()
{
	fleet_prom_api alerts --firing "$1" >"$LAB_TMP/alerts.txt"
}

# guard_trip K: from sensor K's namespace, one UDP datagram to the DNAT
# target out of its ens5 (AF_PACKET, through tc egress), addressed to the
# load balancer's bridge: the frame the leak guard exists to stop.  A frame
# that tc drops makes the send fail with ENOBUFS: that is the guard at work.
guard_trip()
{
	local k=$1 out

	fleet_use "$k"
	out=$(lab_sensor "$LAB_PY" -c '
import errno, socket, sys
from scapy.all import IP, UDP, Ether, Raw
f = bytes(Ether(src=sys.argv[2], dst=sys.argv[3]) /
          IP(src=sys.argv[4], dst=sys.argv[5]) / UDP(sport=40999, dport=int(sys.argv[6])) /
          Raw(b"vxfwd fleet_alerts guard trip"))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
try:
    s.send(f)
    print("sent, tc egress passed it")
except OSError as e:
    if e.errno != errno.ENOBUFS:
        raise
    print("dropped on egress (ENOBUFS)")' \
		ens5 "$LAB_ENS5_MAC" "$(lab_mac "$FLEET_NS_LB" br0)" "$(fleet_ens5_addr "$k")" \
		"$LAB_COLLECTOR_ADDR" "$LAB_UDP_PORT") || fail "sensor $k: cannot send the guard's test frame"
	echo "sensor $k: frame for the DNAT target out of ens5: $out"
}

# guard_drops K: sensor K's leak guard drops (vxfwd stats -j).
guard_drops()
{
	fleet_use "$1"
	lab_sensor "$VXFWD" stats -j -n "$LAB_VXFWD_NAME" |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)["guard"]["drop"]["packets"])'
}

# The shipped alert rules in the lab's Prometheus (the man page's
# configuration, evaluated each second): every group loads and evaluates
# with health ok, no alert fires in a healthy fleet (pending ones may), and
# a frame for the DNAT target sent out of one sensor's ens5 is dropped by
# its leak guard, never reaches the wire, and fires VxfwdGuardDrops for
# that sensor and no other alert.
test_fleet_alerts()
{
	local victim=1 n inst q

	fleet_setup
	fleet_prom_start
	n=$(grep -c '^ *- alert: ' "$FLEET_PROM_RULES")
	lab_wait 30 fleet_prom_api rules --count "$n" >/dev/null ||
		fail "prometheus: the shipped rules did not all load and evaluate: $(fleet_prom_api rules)"
	fleet_prom_api rules | sed 's/^/prometheus: /'
	lab_wait 20 prom_equals 'count(up{job="vxfwd"} == 1)' 3 ||
		fail "prometheus: not three targets up: $(fleet_prom --query 'up')"
	inst=$(fleet_ens5_addr $victim):$FLEET_HEALTH_PORT
	# increase() needs the counter's 0 before the drop.
	q="vxfwd_guard_packets_total{job=\"vxfwd\",verdict=\"drop\",instance=\"$inst\"}"
	lab_wait 20 prom_equals "$q" 0 || fail "prometheus: $q = $(prom_value "$q"), want 0"
	sleep 3
	fleet_alerts_firing '' ||
		fail "prometheus: alerts fire in a healthy fleet: $(cat "$LAB_TMP/alerts.txt")"
	echo "prometheus: healthy fleet, no alert firing ($(wc -l <"$LAB_TMP/alerts.txt") pending)"
	sed 's/^/prometheus: /' "$LAB_TMP/alerts.txt"

	lab_capture_start "$FLEET_NS_LB" "l$victim" "ens5wire$victim" in
	guard_trip $victim
	lab_wait 10 prom_equals "$q" 1 || fail "prometheus: $q = $(prom_value "$q") after the trip, want 1"
	lab_capture_stop "ens5wire$victim"
	n=$(guard_drops $victim)
	echo "sensor $victim: leak guard drops $n"
	[ "$n" = 1 ] || fail "sensor $victim: the leak guard dropped $n frames, want 1"
	fleet_use $victim
	lab_leakcheck "$LAB_TMP/ens5wire$victim.pcap" ||
		fail "sensor $victim: the frame for the DNAT target left through ens5"
	lab_wait 20 fleet_alerts_firing "VxfwdGuardDrops:$inst" ||
		fail "prometheus: VxfwdGuardDrops not firing for $inst alone: $(cat "$LAB_TMP/alerts.txt")"
	echo "prometheus: VxfwdGuardDrops firing for $inst, no other alert firing:"
	sed 's/^/prometheus: /' "$LAB_TMP/alerts.txt"
	fleet_prom_stop
}

# Behind a Gateway Load Balancer: the mirror's VXLAN arrives wrapped in
# GENEVE (UDP 6081, the GWLB's options; the sensors' rules have `geneve
# port 6081`), the load balancer hashing the GENEVE datagram's 5-tuple,
# which keeps a flow's source port: every frame reaches the collector
# exactly once, each flow through one sensor, all three carrying some,
# nothing leaves any ens5, and the sensors' GENEVE layer counts add up to
# the frames sent.
test_fleet_geneve()
{
	local k n=0 g sent

	FLEET_RULES=$LAB_DIR/rules/geneve.rules
	fleet_setup
	fleet_captures_start
	fleet_gen geneve --mix udp:600,tcp:600 --flows 40 --geneve-port $FLEET_GENEVE_PORT
	fleet_send "$LAB_TMP/geneve.pcap" 2000
	sent=$FLEET_SENT
	fleet_drained
	fleet_captures_stop
	lab_verify "$LAB_TMP/collector.pcap" "$LAB_TMP/geneve.json" ||
		fail "collector: the forwarded frames are not exactly the expected ones"
	fleet_py spread --pcap "$LAB_TMP/collector.pcap" --manifest "$LAB_TMP/geneve.json" ||
		fail "the GENEVE frames did not spread over the sensors flow by flow"
	fleet_leakcheck --vxlan-port $LAB_VXLAN_PORT --vxlan-port $FLEET_GENEVE_PORT ||
		fail "mirror-derived frames left through a sensor's ens5"
	check_sensors
	for k in $(fleet_ks); do
		g=$("$LAB_PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["layers"]["geneve"]["packets"])' \
			"$LAB_TMP/stats$k.json")
		echo "sensor $k: $g frames to its geneve port"
		n=$((n + g))
	done
	[ "$n" -eq "$sent" ] || fail "the sensors counted $n GENEVE frames, the mirror sent $sent"
}

# ---- runner --------------------------------------------------------------

lab_main fleet "$@"
