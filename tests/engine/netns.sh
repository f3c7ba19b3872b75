#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# netns.sh VXFWD - the engine in three network namespaces shaped like the
# real host: a mirror source sending VXLAN to ens5, the sensor (ens5 and
# ens6 bridged into br0, both in 172.30.82.0/23) running vxfwd, and a
# collector behind ens6 owning 172.30.82.95.  Evidence comes from the far
# side of each wire: the collector's capture and the mirror side's capture.
#
# Exit 0 pass, 1 fail, 77 skip (not root, or a kernel feature missing).
set -u

VXFWD=$(realpath "${1:?usage: netns.sh path/to/vxfwd}")
HERE=$(dirname "$(realpath "$0")")
# shellcheck source=tests/lab/lib.sh
. "$HERE/../lab/lib.sh"
PY=$LAB_PY
t_need_root "needs root"
lab_init eng
SRC=$LAB_NS_M
SEN=$LAB_NS_S
COL=$LAB_NS_C
NAME=vxfeng$$
PINS=/sys/fs/bpf/vxfwd/$NAME
TMP=$LAB_TMP
DPID=
CAPS=()
# A run killed with SIGKILL leaves its pins: lab_cleanup removes them.
LAB_INSTANCES+=("$NAME")

# Through `ip netns exec`, which mounts the namespace's own /sys: the tests
# read /sys/class/net of the namespace.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

err=$($PY -c 'import scapy' 2>&1) ||
	{ echo "FAIL: $PY cannot import scapy (scripts/install-deps.sh installs python3-scapy): $err"; exit 1; }

setup() {
	lab_add_ns "$SRC" && lab_add_ns "$SEN" && lab_add_ns "$COL" || return 1
	ip link add m0 netns "$SRC" type veth peer name ens5 netns "$SEN" || return 1
	ip link add c0 netns "$COL" type veth peer name ens6 netns "$SEN" || return 1
	in_ns "$SEN" ip link add br0 type bridge
	in_ns "$SEN" ip link set ens6 master br0
	for l in ens5 ens6 br0; do in_ns "$SEN" ip link set "$l" mtu 9100 up; done
	in_ns "$SEN" ip addr add 172.30.82.108/23 dev ens5
	in_ns "$SEN" ip addr add 172.30.82.192/23 dev br0
	in_ns "$SRC" ip link set m0 mtu 9100 up
	in_ns "$SRC" ip addr add 172.30.83.1/23 dev m0
	in_ns "$COL" ip link set c0 mtu 9100 up
	in_ns "$COL" ip addr add 172.30.82.95/23 dev c0
	cat > "$TMP/lab.rules" <<-'RULES'
	ingress ens5 {
		vxlan port 4789
		vni 1
	}

	egress ens6

	set exporters {
		org "Example Org" id 1001 {
			198.51.100.10
			198.51.100.11
		}
	}

	forward udp from @exporters to port 31765 dnat 172.30.82.95 port 8081
	forward tcp from @exporters to port 31765 dnat 172.30.82.95 port 8081
	RULES
}

start_daemon() {	# [run options]
	[ -e "$TMP/daemon.log" ] && cat "$TMP/daemon.log" >> "$TMP/daemon.old" && : > "$TMP/daemon.log"
	nsenter --net="/run/netns/$SEN" "$VXFWD" run -v -f "$TMP/lab.rules" -n "$NAME" "$@" \
		2>>"$TMP/daemon.log" &
	DPID=$!
	LAB_PIDS+=("$DPID")
	for _ in $(seq 50); do
		[ -e "$PINS/vxfwd_ring" ] && grep -q "forwarding from" "$TMP/daemon.log" && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$TMP/daemon.log"
	return 1
}

capture() {	# ns iface file [filter]
	# ip netns exec execs tcpdump: $! is tcpdump itself.
	ip netns exec "$1" tcpdump -i "$2" -w "$3" -U -s 10000 ${4:+"$4"} 2>/dev/null &
	CAPS+=($!)
	LAB_PIDS+=($!)
}

stop_captures() {
	local p
	sleep 1
	for p in "${CAPS[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	CAPS=()
}

stat_of() {	# jq-less: read one value from `vxfwd stats -j`
	"$VXFWD" stats -j -n "$NAME" | $PY -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"
}

send() { in_ns "$SRC" $PY "$HERE/send.py" m0 "$MAC5" "$1" "$2"; }

test_forward() {
	local n_udp=36 n_tcp=12 want
	want=$((n_udp + n_tcp))
	capture "$COL" c0 "$TMP/col.pcap"
	capture "$SRC" m0 "$TMP/src.pcap" "not arp"
	capture "$SEN" ens6 "$TMP/ens6.pcap"
	sleep 1
	send allowed $n_udp
	send tcp $n_tcp
	send denied 10
	send vni 10
	send port 10
	stop_captures
	if $PY "$HERE/verify.py" "$TMP/col.pcap" $want "$MAC6"; then
		t_ok "collector received $want DNAT-ed frames, checksums and payload intact"
	else
		t_fail "collector frames"
	fi
	local from_sensor
	from_sensor=$(tcpdump -r "$TMP/src.pcap" -n -e "ether src $MAC5 and ip" 2>/dev/null | tee -a "$TMP/leak.txt" | wc -l)
	[ "$from_sensor" = 0 ] && t_ok "0 frames left ens5 towards the mirror side" ||
		{ t_fail "$from_sensor IPv4 frames left ens5:"; cat "$TMP/leak.txt"; }
	local on6
	on6=$(tcpdump -r "$TMP/ens6.pcap" -n 'dst host 172.30.82.95 and dst port 8081' 2>/dev/null | wc -l)
	[ "$on6" = "$want" ] && t_ok "tcpdump -i ens6 in the sensor saw $on6 frames" ||
		t_fail "tcpdump -i ens6 saw $on6 frames, want $want"
	"$VXFWD" stats -n "$NAME" > "$TMP/stats.txt"
	cat "$TMP/stats.txt"
	[ "$(stat_of "d['counters']['forward']['packets']")" = "$want" ] &&
	[ "$(stat_of "d['engine']['sent_packets']")" = "$want" ] &&
	[ "$(stat_of "d['engine']['records']")" = "$want" ] &&
	[ "$(stat_of "d['counters']['drop_src_not_allowed']['packets']")" = 10 ] &&
	[ "$(stat_of "d['counters']['drop_vni']['packets']")" = 10 ] &&
	[ "$(stat_of "d['counters']['drop_no_rule']['packets']")" = 10 ] &&
	[ "$(stat_of "d['invariant_ok']")" = True ] &&
	[ "$(stat_of "d['in_flight']")" = 0 ] &&
	[ "$(stat_of "d['rules'][0]['packets'] + d['rules'][1]['packets']")" = "$want" ] &&
		t_ok "counters: forward = records = sent = $want, each drop in its counter, invariant holds" ||
		t_fail "counters do not balance"
	"$VXFWD" stats -p -n "$NAME" | grep -q '^vxfwd_xdp_packets_total{instance="'"$NAME"'",counter="forward"} '"$want"'$' &&
		t_ok "prometheus exposition" || t_fail "prometheus exposition"
}

test_guard() {
	in_ns "$SEN" tc filter show dev ens5 egress | grep -q bpf &&
	grep -q "ens5: leak guard attached to egress" "$TMP/daemon.log" &&
	[ "$(stat_of "d['guard']['drop']['packets']")" = 0 ] &&
		t_ok "leak guard on ens5 egress, 0 frames to stop" || t_fail "leak guard"
}

test_guard_provoked() {
	local before after seen
	before=$(stat_of "d['guard']['drop']['packets']")
	# A misrouted DNAT target: the sensor's own stack sends to it via ens5.
	in_ns "$SEN" ip route add 172.30.82.95/32 dev ens5
	in_ns "$SEN" ip neigh replace 172.30.82.95 lladdr 02:00:00:00:99:95 dev ens5
	capture "$SRC" m0 "$TMP/src8.pcap" "dst host 172.30.82.95"
	sleep 0.5
	in_ns "$SEN" ping -c 3 -i 0.2 -W 1 172.30.82.95 >/dev/null 2>&1
	stop_captures
	in_ns "$SEN" ip neigh del 172.30.82.95 dev ens5
	in_ns "$SEN" ip route del 172.30.82.95/32 dev ens5
	after=$(stat_of "d['guard']['drop']['packets']")
	seen=$(tcpdump -r "$TMP/src8.pcap" -n 2>/dev/null | wc -l)
	[ $((after - before)) -ge 3 ] && [ "$seen" = 0 ] &&
		t_ok "route to the DNAT target via ens5: guard dropped $((after - before)), 0 reached the mirror side" ||
		t_fail "guard: dropped $((after - before)), $seen reached the mirror side"
}

test_ordinary() {
	in_ns "$SRC" ping -c 2 -W 1 172.30.82.108 >/dev/null &&
		t_ok "ping to ens5 works while vxfwd runs" || t_fail "ping to ens5"
	in_ns "$SEN" socat -u TCP-LISTEN:2222,reuseaddr OPEN:"$TMP/tcp.out",creat &
	local sp=$!
	sleep 0.3
	echo hello | in_ns "$SRC" socat -u - TCP:172.30.82.108:2222
	wait "$sp"
	grep -q hello "$TMP/tcp.out" && t_ok "TCP connection to the sensor works" ||
		t_fail "TCP to the sensor"
}

test_neigh() {
	local mac
	mac=$(in_ns "$SEN" ip neigh show 172.30.82.95 dev br0 | awk '{print $3}')
	[ "$mac" = "$MACC" ] && t_ok "next hop resolved on br0 (the bridge master) to $mac" ||
		t_fail "neighbour entry on br0: '$mac', want $MACC"
	grep -q "172.30.82.95: next hop $MACC" "$TMP/daemon.log" && t_ok "daemon logged the next hop" ||
		t_fail "daemon did not log the next hop"
}

test_reload() {
	local out rc
	cp "$TMP/lab.rules" "$TMP/good.rules"
	echo "forward udp from @nosuchset to port 1 dnat 172.30.82.95" >> "$TMP/lab.rules"
	out=$("$VXFWD" reload -n "$NAME" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "has errors (above): not reloaded" &&
	[ "$(stat_of "d['engine']['reload_failures']")" = 0 ] &&
		t_ok "vxfwd reload of a broken file: exit 1, not signalled: $(echo "$out" | tail -n 1)" ||
		t_fail "vxfwd reload of a broken file: exit $rc: $out"
	kill -HUP "$DPID"
	sleep 1
	[ "$(stat_of "d['engine']['reload_failures']")" = 1 ] &&
		t_ok "broken rules file on SIGHUP: reload_failures 1, old rules kept" ||
		t_fail "broken reload not counted"
	# Valid for check, refused by the daemon: the ingress cannot change.
	sed 's/^ingress ens5/ingress ens6/; s/^egress ens6/egress ens5/' "$TMP/good.rules" > "$TMP/lab.rules"
	out=$("$VXFWD" reload -n "$NAME" 2>&1); rc=$?
	[ $rc = 1 ] && echo "$out" | grep -q "refused the new rules" &&
	[ "$(stat_of "d['engine']['reload_failures']")" = 2 ] &&
		t_ok "vxfwd reload refused by the daemon: exit 1: $(echo "$out" | tail -n 1)" ||
		t_fail "vxfwd reload of rules the daemon refuses: exit $rc: $out"
	cp "$TMP/good.rules" "$TMP/lab.rules"
	sed -i 's/198.51.100.11/198.51.100.12/' "$TMP/lab.rules"
	printf 'engine {\n\tbatch 32\n}\n' >> "$TMP/lab.rules"
	out=$("$VXFWD" reload -n "$NAME" 2>&1); rc=$?
	[ $rc = 0 ] && echo "$out" | grep -q "reloaded, the new rules are active" &&
		t_ok "vxfwd reload waits for the answer: exit 0: $out" ||
		t_fail "vxfwd reload of a good file: exit $rc: $out"
	[ "$(stat_of "d['engine']['reloads']")" = 1 ] &&
	grep -q "set member 198.51.100.12/32 added" "$TMP/daemon.log" &&
	grep -q "set member 198.51.100.11/32 removed" "$TMP/daemon.log" &&
		t_ok "reload applied and reported the set change" || t_fail "reload"
	grep -q "reload: engine batch changed: it takes effect when vxfwd restarts" "$TMP/daemon.log" &&
		t_ok "reload reported the engine block change for the next start" ||
		t_fail "reload did not report the engine block change"
	capture "$COL" c0 "$TMP/col2.pcap"
	sleep 0.5
	send allowed 6
	stop_captures
	$PY "$HERE/verify.py" "$TMP/col2.pcap" 6 "$MAC6" >/dev/null &&
		t_ok "forwarding continues after reload" || t_fail "forwarding after reload"
}

test_reload_target() {
	local q="d['counters']['drop_no_nexthop']['packets']" before after
	in_ns "$COL" ip addr add 172.30.82.96/23 dev c0
	before=$(stat_of "$q")
	capture "$COL" c0 "$TMP/col6.pcap"
	sleep 0.5
	in_ns "$SRC" $PY "$HERE/send.py" m0 "$MAC5" allowed 300 0.01 &
	local sp=$! fwd0
	fwd0=$(stat_of "d['counters']['forward']['packets']")
	for _ in $(seq 100); do	# reload once about 50 frames went through
		[ $(($(stat_of "d['counters']['forward']['packets']") - fwd0)) -ge 50 ] && break
		sleep 0.1
	done
	sed -i 's/dnat 172.30.82.95 port 8081/dnat 172.30.82.96 port 8081/' "$TMP/lab.rules"
	"$VXFWD" reload -n "$NAME" >/dev/null
	wait "$sp"
	stop_captures
	after=$(stat_of "$q")
	tcpdump -r "$TMP/col6.pcap" -n 'udp dst port 8081 or tcp dst port 8081' 2>/dev/null |
		awk '{print $5}' | sed 's/\.8081:$//' | uniq -c > "$TMP/switch.txt"
	cat "$TMP/switch.txt"
	# One switch: a run of .95 then a run of .96, 300 frames, nothing lost.
	awk 'NR == 1 && $2 == "172.30.82.95" { a = $1 } NR == 2 && $2 == "172.30.82.96" { b = $1 }
	     END { exit !(NR == 2 && a + b == 300 && a > 0 && b > 0) }' "$TMP/switch.txt" &&
	[ "$after" = "$before" ] &&
		t_ok "reload to a new DNAT target under traffic: 300 of 300 frames, one switch point, 0 no_nexthop" ||
		t_fail "reload to a new target: no_nexthop $before -> $after"
	sed -i 's/dnat 172.30.82.96 port 8081/dnat 172.30.82.95 port 8081/' "$TMP/lab.rules"
	"$VXFWD" reload -n "$NAME" >/dev/null
	sleep 1
}

test_second_instance() {
	local out
	out=$(nsenter --net="/run/netns/$SEN" "$VXFWD" run -f "$TMP/lab.rules" -n "$NAME" 2>&1)
	[ $? = 3 ] && echo "$out" | grep -q "already running as pid $DPID" &&
		t_ok "second run refused: $out" || t_fail "second run: $out"
}

test_caps() {
	local eff
	eff=$(awk '/^CapEff/ {print $2}' "/proc/$DPID/status")
	# CAP_NET_ADMIN (12) and CAP_BPF (39) only.
	[ "$eff" = 0000008000001000 ] && t_ok "capabilities after start: CapEff $eff" ||
		t_fail "CapEff $eff, want 0000008000001000"
}

test_kill9() {
	kill -KILL "$DPID"; wait "$DPID" 2>/dev/null; DPID=
	in_ns "$SEN" ip link show ens5 | grep -q xdp && [ -e "$PINS/prog" ] &&
		t_ok "after kill -9 XDP stays attached and pinned" || t_fail "XDP gone after kill -9"
	capture "$COL" c0 "$TMP/col3.pcap"
	capture "$SRC" m0 "$TMP/src3.pcap" "not arp"
	sleep 0.5
	send allowed 6
	stop_captures
	local got
	got=$(tcpdump -r "$TMP/col3.pcap" -n 'udp dst port 8081' 2>/dev/null | wc -l)
	local back
	back=$(tcpdump -r "$TMP/src3.pcap" -n -e "ether src $MAC5 and ip" 2>/dev/null | tee -a "$TMP/leak.txt" | wc -l)
	[ "$got" = 0 ] && [ "$back" = 0 ] && t_ok "daemon dead: frames dropped at XDP, none forwarded or leaked" ||
		{ t_fail "daemon dead: $got at collector, $back out of ens5"; cat "$TMP/leak.txt"; }
	start_daemon || { t_fail "restart after kill -9"; return; }
	grep -q "XDP program id [0-9]* of an earlier run replaced in place" "$TMP/daemon.log" &&
		t_ok "restart replaced the attached program in place" ||
		t_fail "restart did not take the attached program over"
	capture "$COL" c0 "$TMP/col4.pcap"
	sleep 0.5
	send allowed 6
	stop_captures
	$PY "$HERE/verify.py" "$TMP/col4.pcap" 6 "$MAC6" >/dev/null &&
		t_ok "restarted daemon forwards" || t_fail "restarted daemon does not forward"
}

test_egress_down() {
	# refused by XDP, or taken by the engine and not (yet) sent: failed, or
	# held by a sender that keeps frames while the link is down
	local q="d['counters']['drop_no_nexthop']['packets'] + d['engine']['records'] - d['engine']['sent_packets']"
	local settled="d['engine']['records'] - d['engine']['sent_packets'] - d['engine']['send_errors']"
	local before after held
	before=$(stat_of "$q")
	in_ns "$SEN" ip link set ens6 down
	sleep 0.5
	send allowed 6
	sleep 0.5
	after=$(stat_of "$q")
	held=$(stat_of "$settled")
	# br0 loses its carrier and the kernel flushes the neighbour: XDP counts
	# no_nexthop; a frame XDP passed before that fails with ENETDOWN
	# (write-fixed, send, sendmmsg) or waits in the TX ring (uring-ring,
	# tx-ring) for the link.
	kill -0 "$DPID" && [ $((after - before)) = 6 ] &&
		t_ok "ens6 down: daemon keeps running, 6 frames counted as no_nexthop, send errors or held ($held)" ||
		t_fail "ens6 down: $((after - before)) of 6 frames counted"
	in_ns "$SEN" ip link set ens6 up
	for _ in $(seq 50); do
		grep -q "172.30.82.95: next hop $MACC" "$TMP/daemon.log" &&
			[ "$(in_ns "$SEN" cat /sys/class/net/br0/operstate)" = up ] && break
		sleep 0.1
	done
	sleep 1
	capture "$COL" c0 "$TMP/col5.pcap"
	sleep 0.5
	send allowed 6
	stop_captures
	$PY "$HERE/verify.py" "$TMP/col5.pcap" 6 "$MAC6" >/dev/null &&
		t_ok "ens6 up again: forwarding resumed by itself" || t_fail "no forwarding after ens6 up"
	held=$(stat_of "$settled")
	[ "$held" = 0 ] && t_ok "ens6 up again: every frame held while it was down was sent" ||
		t_fail "ens6 up again: $held frames taken from the ring neither sent nor failed"
}

test_egress_mac() {
	local new=02:00:00:00:66:06
	in_ns "$SEN" ip link set ens6 address "$new"
	for _ in $(seq 30); do
		grep -q "ens6: link up, MAC $new" "$TMP/daemon.log" && break
		sleep 0.1
	done
	sleep 0.5
	capture "$COL" c0 "$TMP/col7.pcap"
	sleep 0.5
	send allowed 6
	stop_captures
	$PY "$HERE/verify.py" "$TMP/col7.pcap" 6 "$new" >/dev/null &&
		t_ok "ens6 MAC changed: frames leave with the new source MAC" ||
		t_fail "ens6 MAC change not followed"
	in_ns "$SEN" ip link set ens6 address "$MAC6"
	sleep 0.5
}

test_ring_full() {
	local q="[d['counters']['drop_ring_full']['packets'], d['counters']['forward']['packets'], d['engine']['records'], d['engine']['sent_packets']]"
	local before after
	before=$(stat_of "$q")
	kill -STOP "$DPID"
	# 4 MiB ring, jumbo records of ~9.2 KiB: 600 jumbo frames overflow it.
	in_ns "$SRC" $PY "$HERE/send.py" m0 "$MAC5" jumbo 600
	after=$(stat_of "$q")
	kill -CONT "$DPID"
	sleep 1
	local final
	final=$(stat_of "$q")
	echo "ring: before $before, stopped $after, resumed $final"
	$PY - "$before" "$after" "$final" <<-'PYEOF'
	import ast, sys
	b, a, f = (ast.literal_eval(x) for x in sys.argv[1:])
	full, fwd = a[0] - b[0], a[1] - b[1]
	ok = full > 0 and full + fwd == 600 and a[2] == b[2] and f[2] == f[1] and f[3] == f[1]
	sys.exit(0 if ok else 1)
	PYEOF
	[ $? = 0 ] && t_ok "engine stopped: ring filled, excess counted drop_ring_full; after SIGCONT records = sent = forward" ||
		t_fail "ring full accounting"
}

msgsize() {	# frames the engine failed to send with EMSGSIZE
	"$VXFWD" stats -p -n "$NAME" | awk '/^vxfwd_engine_send_errno_total.*"EMSGSIZE"/ { n = $2 } END { print n + 0 }'
}

# The backends that copy frames (uring-ring, the default, into its TX ring;
# write-fixed into its registered slots) size their buffers for the
# egress's longest frame, read from ens6's MTU at start: with ens6 at 1500,
# an 8900-byte frame fails with EMSGSIZE as the kernel fails it, 1400-byte
# ones go out, and raising the MTU afterwards does not let a frame overrun
# its buffer.
test_egress_mtu() {
	local b e0 e1 e2 s0 s1 rss
	for b in uring-ring write-fixed; do
		kill -TERM "$DPID"; wait "$DPID"
		in_ns "$SEN" ip link set ens6 mtu 1500
		start_daemon -b "$b" || { t_fail "$b: daemon did not restart with ens6 at MTU 1500"; return; }
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DPID/status")
		e0=$(msgsize); s0=$(stat_of "d['engine']['sent_packets']")
		send jumbo 3; sleep 0.5
		e1=$(msgsize)
		in_ns "$SEN" ip link set ens6 mtu 9100
		send jumbo 2; sleep 0.5
		e2=$(msgsize)
		send allowed 4; sleep 0.5
		s1=$(stat_of "d['engine']['sent_packets']")
		echo "$b: EMSGSIZE $e0 -> $e1 (MTU 1500) -> $e2 (MTU 9100 after start); sent $s0 -> $s1; RSS ${rss} kB"
		# allowed 4: payloads 18, 100, 512, 1400 all fit 1500
		[ "$((e1 - e0))" = 3 ] && [ "$((e2 - e1))" = 2 ] && [ "$((s1 - s0))" = 4 ] &&
			t_ok "$b: buffers sized for ens6's MTU at start: longer frames fail EMSGSIZE, the rest is sent" ||
			t_fail "$b: buffer sizing: EMSGSIZE $e0/$e1/$e2, sent $s0/$s1"
	done
}

test_stop() {
	kill -TERM "$DPID"
	wait "$DPID"; local rc=$?
	DPID=
	[ $rc = 0 ] && [ ! -e "$PINS" ] && [ ! -e "/run/vxfwd/$NAME.pid" ] &&
	! in_ns "$SEN" ip link show ens5 | grep -q xdp &&
	! in_ns "$SEN" tc filter show dev ens5 egress | grep -q bpf &&
		t_ok "SIGTERM: exit 0, XDP and leak guard detached, pins and pid file removed" ||
		t_fail "SIGTERM: rc $rc, pins $(ls "$PINS" 2>/dev/null | wc -l)"
}

setup || { echo "FAIL: cannot create the namespaces and veth pairs: ip's message is above"; exit 1; }
MAC5=$(in_ns "$SEN" cat /sys/class/net/ens5/address)
MAC6=$(in_ns "$SEN" cat /sys/class/net/ens6/address)
MACC=$(in_ns "$COL" cat /sys/class/net/c0/address)
start_daemon || { echo "FAIL: daemon did not start"; exit 1; }
for t in test_neigh test_forward test_guard test_guard_provoked test_ordinary test_caps test_second_instance test_reload test_reload_target \
	 test_kill9 test_egress_down test_egress_mac test_ring_full test_egress_mtu test_stop; do
	echo "== $t"
	$t
done
echo "== daemon log"
cat "$TMP/daemon.old" "$TMP/daemon.log" 2>/dev/null
[ $T_FAILS = 0 ] && { echo "PASS"; exit 0; }
echo "$T_FAILS failure(s)"
exit 1
