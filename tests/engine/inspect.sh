#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# inspect.sh [VXFWD] - status, explain, monitor and stats against an
# instance running in the lab (tests/lab/lib.sh):
#
#   status    the instance, its XDP program id (as `ip link` shows it), the
#             next hop's MAC (the collector's), the guard, in text and JSON
#   explain   each kind of gen.py expressible on the command line gets the
#             verdict the manifest says, with the rule's file:line and the
#             rewritten addresses; `explain -r` of the whole demo traffic
#             mix (every gen.py kind) agrees frame by frame with the
#             manifest, and its totals with what the lab's counters did when
#             the same capture was sent; explaining moves no live counter
#   monitor   with traffic, one line per event with reason, VNI, 5-tuple
#             and rule, -c honoured; the flag is off again afterwards
#   IPv6      reloaded to lab6.rules: explain of IPv6 packets ([addr]:port)
#             by the live maps and by the rules file (a placeholder next
#             hop for an IPv6 target), explain -r of gen.py's IPv6 kinds
#             against the manifest and the counters, monitor lines with
#             IPv6 addresses
#   stats     after kill -9 (the program stays attached): "not running" on
#             stderr, counters still printed, exit 3, `-p` says vxfwd_up 0;
#             while running, vxfwd_up 1
#
# Root only (77 otherwise).  Everything runs in namespaces of its own.
set -u
export VXFWD=${1:-${VXFWD:-}}
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"


lab_require
lab_init insp
lab_up
# The lab's rules, and a third rule whose DNAT target has no neighbour.
RULES=$LAB_TMP/lab.rules
cp "$LAB_SRCDIR/tests/lab/rules/lab.rules" "$RULES"
echo 'forward udp from @exporters to port 31770 dnat 172.30.82.99 port 9' >>"$RULES"
NOHOP_LINE=$(wc -l <"$RULES")
lab_vxfwd_start "$RULES"
lab_wait_nexthop
NAME=$LAB_VXFWD_NAME
T=$LAB_TMP
sx() { lab_sensor "$VXFWD" "$@"; }

# ---- status ------------------------------------------------------------
sx status -n "$NAME" >"$T/status.txt" 2>"$T/status.err"
t_check "status exits 0 while running" [ $? -eq 0 ]
cat "$T/status.txt"
prog=$(lab_ens5_xdp | awk '{ print $3 }')
t_check "status: running with its pid" grep -q "^instance $NAME: running, pid $LAB_VXFWD_PID," "$T/status.txt"
t_check "status: ingress, mode and program id $prog" \
	grep -Eq "^  ingress ens5: XDP (native|generic) mode, program id $prog\$" "$T/status.txt"
t_check "status: egress" grep -q '^  egress ens6$' "$T/status.txt"
t_check "status: generation and rules file" grep -q "^  generation [01], rules file $RULES, applied " "$T/status.txt"
t_check "status: counts" grep -q '^  rules 3, sets 1, organizations 2$' "$T/status.txt"
t_check "status: the next hop without a neighbour" grep -q '^  next hop 172.30.82.99: unresolved, neighbour ' "$T/status.txt"
t_check "status: next hop with the collector's MAC and a neighbour state" \
	grep -Eq "^  next hop $LAB_COLLECTOR_ADDR: $LAB_COLLECTOR_MAC, neighbour [A-Z]+ on br0\$" "$T/status.txt"
t_check "status: workers and backend" grep -Eq '^  workers 1, backend [a-z-]+$' "$T/status.txt"
t_check "status: leak guard attached" grep -q '^  leak guard: attached on ens5 egress' "$T/status.txt"
sx status >"$T/status-all.txt" 2>&1
t_check "status without -n lists the instance" grep -q "^instance $NAME: running" "$T/status-all.txt"
sx status -j -n "$NAME" >"$T/status.json"
t_check "status -j: JSON with the same facts" "$LAB_PY" - "$T/status.json" "$NAME" "$prog" \
	"$LAB_COLLECTOR_MAC" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))[0]
assert s["instance"] == sys.argv[2] and s["running"], s
assert s["xdp"]["prog_id"] == int(sys.argv[3]), s
assert s["nexthops"][0]["mac"] == sys.argv[4], s
assert s["rules"] == 3 and s["guard"]["attached"], s
PY
"$VXFWD" status -n "$NAME" >"$T/status-host.txt" 2>&1
t_check "status from another network namespace says where it runs" \
	grep -q "^  in another network namespace (inode [0-9]*)" "$T/status-host.txt"
"$VXFWD" explain -n "$NAME" udp 198.51.100.10 10.20.30.40:31765 >"$T/explain-host.txt" 2>&1
t_check "explain -n from another network namespace uses the pinned maps" grep -q '^forward: ' "$T/explain-host.txt"
"$VXFWD" monitor -n "$NAME" -c 1 >/dev/null 2>"$T/monitor-host.err"
t_check "monitor from another network namespace says where to run it" \
	grep -q "runs in another network namespace" "$T/monitor-host.err"
sx status -n "nosuch$$" >/dev/null 2>"$T/nosuch.err"
t_check "status of an instance that does not run: exit 3" [ $? -eq 3 ]
t_check "status of an instance that does not run: 'not running' on stderr" grep -q "not running" "$T/nosuch.err"

# ---- explain: the command line -----------------------------------------
lab_maps counters >"$T/before-explain.json"
explain() {	# want-counter want-rule-line description args...
	local counter=$1 line=$2 what=$3 out
	shift 3
	out=$(sx explain -n "$NAME" "$@" 2>&1)
	if ! grep -q "^$counter: " <<<"$out"; then
		t_fail "explain $what: want $counter: $out"
	elif [ -n "$line" ] && ! grep -q "rule '.*' ($RULES:$line)" <<<"$out"; then
		t_fail "explain $what: want the rule at line $line: $out"
	else
		t_ok "explain $what: $counter${line:+ by the rule at line $line}"
	fi
	printf '%s\n' "$out" >>"$T/explain.txt"
}
explain forward 22 "udp (allowed source, port 31765)" udp 198.51.100.10:5000 10.20.30.40:31765
explain forward 23 "tcp (allowed source, port 31766)" tcp 203.0.113.5 10.20.30.40:31766 vni 1
explain drop_src_not_allowed "" "bad-src" udp 192.0.2.77 10.20.30.40:31765
explain drop_vni "" "bad-vni" udp 198.51.100.10 10.20.30.40:31765 vni 2
explain drop_no_rule "" "bad-port" udp 198.51.100.11 10.20.30.40:31999
explain drop_no_nexthop "$NOHOP_LINE" "a rule whose DNAT target has no neighbour" \
	udp 198.51.100.11 10.20.30.40:31770
grep -q "sent as udp 198.51.100.10:5000 -> $LAB_COLLECTOR_ADDR:8081, ethernet $LAB_ENS6_MAC -> $LAB_COLLECTOR_MAC\$" "$T/explain.txt" &&
	t_ok "explain: what the forwarded frame becomes (DNAT, MACs)" ||
	t_fail "explain: rewritten frame: $(grep 'sent as' "$T/explain.txt")"
sx explain -n "$NAME" -j udp 198.51.100.10 10.20.30.40:31765 >"$T/explain.json"
t_check "explain -j" "$LAB_PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert e["verdict"] == "forward" and e["rule"]["position"] == 0, e
assert e["sent"]["dst"] == "172.30.82.95:8081" and e["sent"]["nexthop_resolved"], e' "$T/explain.json"
sx explain -f "$RULES" udp 198.51.100.10 10.20.30.40:31765 >"$T/explain-f.txt" 2>&1
t_check "explain -f of the same rules: the same rule" grep -q "rule 'rule 1' ($RULES:22)" "$T/explain-f.txt"

# ---- explain -r: the whole demo traffic mix, against the lab ------------
MIX=udp:20,tcp:20,udp0:5,ipopt:5,bad-src:5,bad-vni:5,bad-port:5,bad-trunc:5,bad-frag:5,bad-frag2:5,bad-csum:5,bad-icmp:5,bad-arp:5,bad-flag:5
lab_gen --mix "$MIX" --out "$T/mix.pcap" --manifest "$T/mix.json" >/dev/null || lab_die "gen.py failed"
sx explain -n "$NAME" -r "$T/mix.pcap" >"$T/explain-r.txt" 2>&1
t_check "explain -r exits 0" [ $? -eq 0 ]
lab_maps counters >"$T/after-explain.json"
t_check "explaining moved no counter of the instance" "$LAB_PY" -c '
import json, sys
assert json.load(open(sys.argv[1]))["counters"] == json.load(open(sys.argv[2]))["counters"]' "$T/before-explain.json" "$T/after-explain.json"
lab_maps counters >"$T/base.json"
lab_send "$T/mix.pcap" 2000
lab_maps counters --base "$T/base.json" >"$T/delta.json"
# explain_r_check WHAT EXPLAIN_OUT MANIFEST DELTA: explain -r agrees with the
# manifest frame by frame and with the lab's counters for the same capture
explain_r_check() {
	t_check "$1" "$LAB_PY" - "$2" "$3" "$4" <<'PY'
import collections, json, sys
lines = [l.split() for l in open(sys.argv[1]) if l[0].isdigit()]
frames = json.load(open(sys.argv[2]))["frames"]
delta = json.load(open(sys.argv[3]))
assert len(lines) == len(frames), (len(lines), len(frames))
bad = [(f["kind"], f["counter"], l) for f, l in zip(frames, lines) if l[1].upper() != f["counter"]]
assert not bad, bad[:5]
got = collections.Counter(l[1].upper() for l in lines)
for name, c in delta["counters"].items() if "counters" in delta else delta.items():
    if name == "RX":
        continue
    assert c["packets"] == got.get(name, 0), (name, c["packets"], got.get(name, 0))
print("explain: %d frames, %s" % (len(lines), dict(got)))
PY
}
explain_r_check "explain -r agrees with the manifest frame by frame and with the lab's counters" \
	"$T/explain-r.txt" "$T/mix.json" "$T/delta.json"

# ---- monitor -------------------------------------------------------------
# monitor_frames PCAP OUT N MIX: gen.py's MIX into PCAP, `monitor -c N`
# writing OUT while PCAP is sent; the monitor's exit status.
monitor_frames()
{
	lab_gen --mix "$4" --out "$1" --manifest "${1%.pcap}.json" >/dev/null ||
		lab_die "gen.py failed"
	lab_bg "$2" "$LAB_NS_S" "$VXFWD" monitor -n "$NAME" -c "$3"
	MON_PID=$LAB_BG_PID
	sleep 1
	lab_send "$1" 200
	lab_wait 10 lab_not_running "$MON_PID" || t_fail "monitor -c $3 still running after its frames"
	wait "$MON_PID"
}

monitor_frames "$T/mon.pcap" "$T/monitor.txt" 12 udp:4,tcp:4,bad-src:4,bad-vni:4,bad-port:4
t_check "monitor -c 12 exits 0" [ $? -eq 0 ]
cat "$T/monitor.txt"
t_check "monitor: 12 lines" [ "$(grep -c . "$T/monitor.txt")" -eq 12 ]
t_check "monitor: every line has time, cpu, reason, VNI, 5-tuple (- before the inner headers) and length" \
	[ "$(grep -Ec '^[0-9:.]+ cpu [0-9]+ (forward|drop_[a-z_]+) vni [0-9]+ ((udp|tcp) [0-9.]+:[0-9]+ -> [0-9.]+:[0-9]+|-) len [0-9]+' "$T/monitor.txt")" -eq 12 ]
t_check "monitor: forwarded frames name their rule" grep -q "forward vni 1 .* rule 'rule [12]'" "$T/monitor.txt"
t_check "monitor: drops give their reason" grep -Eq 'drop_(src_not_allowed|vni|no_rule) ' "$T/monitor.txt"
# The token bucket: one event per second on the sending CPU (-r 1), the
# frames in between counted in the next event.
lab_bg "$T/monitor-rate.txt" "$LAB_NS_S" "$VXFWD" monitor -n "$NAME" -r 1 -c 2
MON_PID=$LAB_BG_PID
sleep 1.2
LAB_SEND_CPU=0 lab_send "$T/mon.pcap" 400
sleep 1.2
LAB_SEND_CPU=0 lab_send "$T/mon.pcap" 400
lab_wait 10 lab_not_running "$MON_PID" || t_fail "monitor -r 1 -c 2 still running"
wait "$MON_PID"
cat "$T/monitor-rate.txt"
t_check "monitor -r 1: the second event counts the 19 frames it left out" \
	grep -q '(19 not shown before it)$' "$T/monitor-rate.txt"
sx monitor -n "$NAME" -c 1 >/dev/null 2>"$T/monitor2.err" &
MON2=$!
sleep 1
lab_send "$T/mon.pcap" 200
wait "$MON2"
t_check "monitor turns the program's monitor off when it stops" \
	[ -z "$(grep 'another monitor' "$T/monitor2.err")" ]

# ---- IPv6: the same rules once per family (lab6.rules) -------------------
# The instance reloads lab6.rules plus a rule whose IPv6 DNAT target has no
# neighbour; the egress side gets IPv6 so that the collector's resolves.
lab_ipv6_egress
cp "$LAB_SRCDIR/tests/lab/rules/lab6.rules" "$RULES"
echo 'forward nohop6 udp from @exporters to port 31770 dnat fd00:82::99 port 9' >>"$RULES"
NOHOP6_LINE=$(wc -l <"$RULES")
sx reload -n "$NAME" >"$T/reload6.txt" 2>&1
t_check "reload to the IPv6 rules" [ $? -eq 0 ]
lab_wait_nexthop "$LAB_COLLECTOR_ADDR6"
: >"$T/explain.txt"
explain forward 27 "udp6 ([src]:port, allowed source, port 31765)" \
	udp '[2001:db8:1::10]:5000' '[2001:db8:ff::40]:31765'
explain forward 28 "tcp6 (a bare IPv6 source)" tcp 2001:db8:1::11 '[2001:db8:ff::40]:31766' vni 1
explain drop_src_not_allowed "" "bad6-src" udp 2001:db8:99::77 '[2001:db8:ff::40]:31765'
explain drop_no_rule "" "IPv6 to a port no rule takes" udp 2001:db8:1::10 '[2001:db8:ff::40]:31999'
explain drop_no_nexthop "$NOHOP6_LINE" "an IPv6 DNAT target without a neighbour" \
	udp 2001:db8:1::10 '[2001:db8:ff::40]:31770'
grep -q "^udp \[2001:db8:1::10\]:5000 -> \[2001:db8:ff::40\]:31765 vni 1, instance $NAME\$" "$T/explain.txt" &&
	t_ok "explain: the IPv6 packet of the command line, in brackets" ||
	t_fail "explain: the IPv6 query line: $(head -1 "$T/explain.txt")"
grep -q "sent as udp \[2001:db8:1::10\]:5000 -> \[$LAB_COLLECTOR_ADDR6\]:8081, ethernet $LAB_ENS6_MAC -> $LAB_COLLECTOR_MAC\$" "$T/explain.txt" &&
	t_ok "explain: the IPv6 frame after DNAT, with the IPv6 next hop's MAC" ||
	t_fail "explain: IPv6 rewritten frame: $(grep 'sent as' "$T/explain.txt")"
for bad in 'udp [2001:db8:1::10 [2001:db8:ff::40]:31765' 'udp 2001:db8:1::10 2001:db8:ff::40:31765' \
	'udp 198.51.100.10 [2001:db8:ff::40]:31765' 'udp [2001:db8:1::10]:0 [2001:db8:ff::40]:31765'; do
	# shellcheck disable=SC2086
	sx explain -n "$NAME" $bad >/dev/null 2>&1
	t_check "explain $bad: usage error" [ $? -eq 2 ]
done
sx explain -n "$NAME" -j udp 2001:db8:1::10 '[2001:db8:ff::40]:31765' >"$T/explain6.json"
t_check "explain -j of an IPv6 packet" "$LAB_PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert e["verdict"] == "forward" and e["rule"]["name"] == "udp6", e
assert e["packet"] == {"family": "ipv6", "proto": "udp", "src": "[2001:db8:1::10]:40000",
                       "dst": "[2001:db8:ff::40]:31765"}, e
assert e["sent"]["dst"] == "[fd00:82::95]:8081" and e["sent"]["nexthop_resolved"], e' "$T/explain6.json"
sx explain -f "$RULES" udp 2001:db8:1::10 '[2001:db8:ff::40]:31770' >"$T/explain6-f.txt" 2>&1
t_check "explain -f: an IPv6 DNAT target gets a placeholder next hop (the rules' own verdict)" \
	grep -q "^  sent as udp \[2001:db8:1::10\]:40000 -> \[fd00:82::99\]:9, .*(next-hop MAC: resolved by the running instance)\$" "$T/explain6-f.txt"

MIX6=udp6:6,tcp6:6,udp6-hbh:4,bad6-src:4,bad6-udp0:4,bad6-frag:4,bad6-rtg:4,udp:2
lab_gen --mix "$MIX6" --out "$T/mix6.pcap" --manifest "$T/mix6.json" >/dev/null || lab_die "gen.py failed"
sx explain -n "$NAME" -r "$T/mix6.pcap" >"$T/explain6-r.txt" 2>&1
t_check "explain -r of inner IPv6 frames exits 0" [ $? -eq 0 ]
cat "$T/explain6-r.txt"
lab_maps counters >"$T/base6.json"
lab_send "$T/mix6.pcap" 2000
lab_maps counters --base "$T/base6.json" >"$T/delta6.json"
explain_r_check "explain -r of inner IPv6 frames agrees with the manifest and the lab's counters" \
	"$T/explain6-r.txt" "$T/mix6.json" "$T/delta6.json"
t_check "explain -r: IPv6 frames show their addresses and rule" \
	grep -Eq "^[0-9]+ forward vni 1 udp \[2001:db8:1::1[01]\]:[0-9]+ -> \[2001:db8:ff::40\]:31765 rule 'udp6' $RULES:27\$" "$T/explain6-r.txt"
t_check "explain -r: a routing header's drop shows the IPv6 packet" \
	grep -Eq "^[0-9]+ drop_inner6_ext vni 1 udp \[2001:db8:1::1[01]\]:[0-9]+ -> \[2001:db8:ff::40\]:31765\$|^[0-9]+ drop_inner6_ext\$" "$T/explain6-r.txt"

monitor_frames "$T/mon6.pcap" "$T/monitor6.txt" 16 udp6:4,tcp6:4,bad6-src:4,udp:4
cat "$T/monitor6.txt"
t_check "monitor: 16 lines of IPv4 and IPv6 events" [ "$(grep -c . "$T/monitor6.txt")" -eq 16 ]
t_check "monitor: IPv6 forwards with their addresses in brackets and their rule" \
	[ "$(grep -Ec "forward vni 1 (udp|tcp) \[2001:db8:1::1[01]\]:[0-9]+ -> \[2001:db8:ff::40\]:3176[56] len [0-9]+ rule '(udp6|tcp6)'" "$T/monitor6.txt")" -eq 8 ]
t_check "monitor: an IPv6 drop with its addresses" \
	[ "$(grep -Ec 'drop_src_not_allowed vni 1 udp \[2001:db8:99::77\]:[0-9]+ -> \[2001:db8:ff::40\]:31765 len' "$T/monitor6.txt")" -eq 4 ]
t_check "monitor: IPv4 events beside them unchanged" \
	[ "$(grep -Ec "forward vni 1 udp [0-9.]+:[0-9]+ -> 10\.20\.30\.40:31765 len [0-9]+ rule 'rule 1'" "$T/monitor6.txt")" -eq 4 ]

# ---- stats: running, then killed ------------------------------------------
sx stats -p -n "$NAME" >"$T/prom.txt" 2>&1
t_check "stats -p while running: vxfwd_up 1" grep -q '^vxfwd_up{instance="'"$NAME"'"} 1$' "$T/prom.txt"
kill -KILL "$LAB_VXFWD_PID"
wait "$LAB_VXFWD_PID" 2>/dev/null
t_check "the program stays attached after kill -9" [ -n "$(lab_ens5_xdp)" ]
sx stats -n "$NAME" >"$T/stats-dead.txt" 2>"$T/stats-dead.err"
t_check "stats of a killed instance: exit 3" [ $? -eq 3 ]
t_check "stats of a killed instance: 'not running' on stderr" grep -q "not running" "$T/stats-dead.err"
t_check "stats of a killed instance: counters still printed" grep -q "^  forward " "$T/stats-dead.txt"
sx stats -p -n "$NAME" >"$T/prom-dead.txt" 2>/dev/null
t_check "stats -p of a killed instance: vxfwd_up 0" grep -q '^vxfwd_up{instance="'"$NAME"'"} 0$' "$T/prom-dead.txt"
sx status -n "$NAME" >/dev/null 2>"$T/status-dead.err"
t_check "status of a killed instance: exit 3" [ $? -eq 3 ]
t_check "status of a killed instance: still attached, says so" grep -q "not running; its XDP program id" "$T/status-dead.err"
sx detach -n "$NAME" >/dev/null 2>&1

[ "$T_FAILS" -eq 0 ] || { echo "$T_FAILS failure(s)"; exit 1; }
echo "all inspect tests passed"
