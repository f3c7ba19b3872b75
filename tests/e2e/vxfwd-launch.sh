#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# vxfwd-launch.sh - fail-closed tests of vxfwd in each way it can be
# launched (tests/lab/lib.sh builds the lab).
#
# usage: vxfwd-launch.sh [TEST...]     (no TEST: run them all)
#
# One test per launch environment; each starts `vxfwd run -f FILE` that way
# in the sensor's network namespace:
#
#   launch_host             nsenter --net=NS (the host's mount namespace)
#   launch_ipnetns          ip netns exec NS (a private mount namespace with
#                           its own /sys, no BPF file system mounted)
#   launch_unshare_bpffs    nsenter --net=NS unshare -m: private mount
#                           namespace, the host's /sys/fs/bpf visible
#   launch_unshare_nobpffs  the same with /sys/fs/bpf unmounted inside it
#   launch_systemd          the shipped vxfwd@.service as a transient unit
#                           with NetworkNamespacePath= (skips without
#                           systemd as PID 1)
#
# and then, every step launched the same way:
#
#   1. forwards 100 frames, each arrives at the collector exactly once;
#   2. kill -9, 500 mirror frames sent while no vxfwd runs: XDP stays on
#      ens5 and sees them, the leak guard stays on ens5's egress, the
#      sensor's UDP/ICMP/IP counters do not move, and the mirror side of the
#      ens5 wire sees no ICMP and nothing mirror-derived;
#   3. a restart under a continuous stream (1000 frames/s to forward, and
#      3000 frames/s of a drop kind): the gap from the start of `vxfwd run`
#      to the first frame at the collector (ms), the stack counters still
#      unchanged across the takeover, every frame sent after the restart
#      arrives exactly once;
#   4. `vxfwd stats -j -f FILE` agrees with the maps read by bpftool;
#   5. `vxfwd detach -f FILE` refuses (exit 3, with a message) while the
#      instance runs; after a second kill -9 it removes the XDP program and
#      the leak guard: nothing is left on ens5.
#
# launch_foreign: an XDP program that is not vxfwd's is never replaced, nor
# removed by detach.  launch_control shows that the checks can fail:
# without vxfwd's program on ens5 the same frames make the sensor's stack
# count them and answer with ICMP errors out of ens5.
#
# The test's own evidence does not depend on where vxfwd pins: the maps are
# found through the XDP program attached to ens5 and pinned by the test in
# a directory of its own.  Exit 0 pass, 1 fail, 77 skip.
#
# Environment: VXFWD (the binary), VXFWD_SRCDIR (the source tree whose
# bpf/vxfwd_abi.h names the counters), LAB_KEEP=1 keeps the evidence.

set -u

. "$(dirname "${BASH_SOURCE[0]}")/../lab/lib.sh"

ALL_TESTS="launch_control launch_host launch_ipnetns launch_unshare_bpffs launch_unshare_nobpffs launch_systemd launch_foreign"

LAB_RULES=$LAB_DIR/rules/lab.rules
UNIT_SRC=$LAB_SRCDIR/packaging/systemd/vxfwd@.service

# Frames sent while vxfwd is dead: allowed kinds (which a detached program
# would let reach UDP 4789 of the stack) and drop kinds, 500 in all.
DEAD_MIX=udp:200,tcp:200,bad-src:25,bad-vni:25,bad-port:25,bad-trunc:25
STREAM_PPS=1000
STREAM_FRAMES=6000
PRESSURE_PPS=3000
PRESSURE_FRAMES=150
PRESSURE_LOOPS=50

# Stack counters of the sensor that mirror traffic moves when it gets past
# XDP: /proc/net/snmp GROUP.FIELD.
STACK_KEYS="Ip.InReceives Ip.InDelivers Udp.InDatagrams Udp.NoPorts Udp.InErrors Icmp.OutMsgs Icmp.OutDestUnreachs"

FAILS=()

fail()
{
	printf 'FAIL: %s\n' "$*"
	exit 1
}

# check_soft MESSAGE: record a failed assertion and go on collecting
# evidence; the test fails at the end (finish).
check_soft()
{
	printf 'FAIL: %s\n' "$*"
	FAILS+=("$*")
}

finish()
{
	local f

	[ ${#FAILS[@]} -eq 0 ] && return 0
	echo "${#FAILS[@]} assertions failed:"
	for f in "${FAILS[@]}"; do
		printf '  - %s\n' "$f"
	done
	exit 1
}

# ---- launch environments --------------------------------------------------

# launch_wrap ENV: WRAP, the command that runs vxfwd (its last word) in
# the sensor's network namespace the way ENV launches it.
launch_wrap()
{
	local ns=/run/netns/$LAB_NS_S

	case $1 in
	host) WRAP=(nsenter "--net=$ns" -- "$VXFWD") ;;
	ipnetns) WRAP=(ip netns exec "$LAB_NS_S" "$VXFWD") ;;
	unshare_bpffs) WRAP=(nsenter "--net=$ns" -- unshare -m --propagation private "$VXFWD") ;;
	unshare_nobpffs)
		# BPF file systems may be stacked on /sys/fs/bpf: unmount until
		# none is left, in the new mount namespace only.
		# shellcheck disable=SC2016 # expanded by that sh
		WRAP=(nsenter "--net=$ns" -- unshare -m --propagation private sh -c '
			while [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; do
				umount /sys/fs/bpf || exit 3
			done
			exec "$0" "$@"' "$VXFWD")
		;;
	systemd) WRAP=(systemd-run --quiet --wait --pipe --collect
		-p "NetworkNamespacePath=$ns" "${UNIT_PROPS[@]}" "$SD_BIN") ;;
	*) fail "unknown launch environment $1" ;;
	esac
}

# vx ENV ARGS...: a foreground vxfwd command, launched like ENV.
vx()
{
	local env=$1
	shift
	launch_wrap "$env"
	"${WRAP[@]}" "$@" </dev/null
}

# The sensor's XDP program on ens5: its id, or nothing.
xdp_id()
{
	lab_ens5_xdp | awk '{ print $3 }'
}

xdp_attached()
{
	[ -n "$(xdp_id)" ]
}

guard_attached()
{
	tc -n "$LAB_NS_S" filter show dev ens5 egress | grep -q vxfwd_guard
}

# The filters on ens5's egress, as tc prints them (empty when clean).
ens5_egress_filters()
{
	tc -n "$LAB_NS_S" filter show dev ens5 egress
}

vx_running()
{
	kill -0 "$VX_PID" 2>/dev/null || return 125
	[ "$(cat "/proc/$VX_PID/comm" 2>/dev/null)" = "$VX_COMM" ] || return 1
	[ -n "$(xdp_id)" ] && [ "$(xdp_id)" != "$VX_OLD_XDP" ] || return 1
	guard_attached
}

# vx_start ENV: `vxfwd run -f RULES` launched like ENV; wait until a new
# XDP program is on ens5 and the guard on its egress.  VX_PID: vxfwd's own
# PID (every wrapper execs it), VX_T0: when the launch began (ns).
vx_start()
{
	local env=$1 log=$LAB_TMP/vxfwd.$VX_RUNS.log

	VX_RUNS=$((VX_RUNS + 1))
	VX_OLD_XDP=$(xdp_id)
	VX_LOG=$log
	VX_T0=$(date +%s%N)
	if [ "$env" = systemd ]; then
		sd_start || fail "systemd: $SD_UNIT did not start: $(sd_status)"
	else
		launch_wrap "$env"
		"${WRAP[@]}" run -v -f "$RULES" >"$log" 2>&1 </dev/null &
		VX_PID=$!
		LAB_PIDS+=("$VX_PID")
	fi
	if ! lab_wait 20 vx_running; then
		kill -0 "$VX_PID" 2>/dev/null &&
			fail "vxfwd run ($env): no new XDP program and guard on ens5 after 20 s: $(vx_log_tail)"
		fail "vxfwd run ($env): exited before attaching to ens5: $(vx_log_tail)"
	fi
	VX_T_READY=$(date +%s%N)
	# shellcheck disable=SC2034 # read by lib.sh's lab_send
	LAB_VXFWD_PID=$VX_PID
	pin_maps
	echo "vxfwd $VX_PID ($env) attached to ens5: $(lab_ens5_xdp), $(((VX_T_READY - VX_T0) / 1000000)) ms after launch"
}

vx_log_tail()
{
	if [ "$ENV" = systemd ]; then
		sd_status
	else
		tail -n 20 "$VX_LOG"
	fi
}

# kill -9 the vxfwd this test started, and reap it.
vx_kill9()
{
	local rc

	[ "$(cat "/proc/$VX_PID/comm" 2>/dev/null)" = "$VX_COMM" ] ||
		fail "PID $VX_PID is not $VX_COMM; not killing it"
	kill -KILL "$VX_PID"
	if [ "$ENV" = systemd ]; then
		lab_wait 10 lab_not_running "$VX_PID" || fail "vxfwd $VX_PID survived SIGKILL"
		rc=$(systemctl show -p ExecMainStatus --value "$SD_UNIT")
	else
		wait "$VX_PID" 2>/dev/null
		rc=$?
	fi
	echo "vxfwd $VX_PID killed with SIGKILL (status $rc)"
	LAB_VXFWD_PID=
	VX_PID=
}

# The maps of the XDP program on ens5, pinned by the test under PINS, so
# that lib.sh's lab_maps (vxmaps.py, bpftool) reads them whatever vxfwd
# itself pinned where.  A map the program does not use (the engine's
# statistics) is taken from the maps the running vxfwd holds open
# (/proc/PID/fdinfo).
pin_maps()
{
	local prog ids id name

	prog=$(xdp_id)
	[ -n "$prog" ] || fail "no XDP program on ens5 to read the maps of"
	rm -rf "$PINS"
	mkdir -p "$PINS"
	ids=$(bpftool -j prog show id "$prog" | "$LAB_PY" -c '
import json, sys
print(*json.load(sys.stdin).get("map_ids", []))')
	if [ -n "$VX_PID" ]; then
		ids="$ids $(cat /proc/"$VX_PID"/fdinfo/* 2>/dev/null | awk '/^map_id:/ { print $2 }')"
	fi
	for id in $ids; do
		name=$(bpftool -j map show id "$id" | "$LAB_PY" -c '
import json, sys
print(json.load(sys.stdin).get("name", ""))')
		case $name in
		*.*) ;;
		vxfwd_*)
			[ -e "$PINS/$name" ] ||
				bpftool map pin id "$id" "$PINS/$name" || fail "bpftool map pin id $id failed"
			;;
		esac
	done
	[ -e "$PINS/vxfwd_counters" ] || fail "XDP program $prog on ens5 has no vxfwd_counters map"
	[ -e "$PINS/vxfwd_engine" ] || fail "no vxfwd_engine map in XDP program $prog or vxfwd $VX_PID"
}

# ---- evidence --------------------------------------------------------------

# stack_snap FILE: the sensor's stack counters (STACK_KEYS), KEY VALUE.
stack_snap()
{
	lab_sensor cat /proc/net/snmp | awk -v keys="$STACK_KEYS" '
		BEGIN { n = split(keys, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
		{
			g = $1; sub(":", "", g)
			if (!(g in hdr)) { for (i = 2; i <= NF; i++) name[g, i] = $i; hdr[g] = 1; next }
			for (i = 2; i <= NF; i++)
				if ((g "." name[g, i]) in want) print g "." name[g, i], $i
			delete hdr[g]
		}' >"$1"
}

# stack_unchanged BEFORE AFTER WHAT: every counter the same; print the
# moves.
stack_unchanged()
{
	local before=$1 after=$2 what=$3 moves

	moves=$(awk 'NR == FNR { b[$1] = $2; next } { d = $2 - b[$1]; printf "%s %+d\n", $1, d }' \
		"$before" "$after")
	echo "sensor stack $what: $(tr '\n' ',' <<<"$moves" | sed 's/,$//; s/,/, /g')"
	! grep -qv ' +0$' <<<"$moves"
}

# icmp_count PCAP: ICMP frames from the sensor in a capture of the mirror
# side of the ens5 wire.
icmp_count()
{
	"$LAB_PY" -c '
import sys
sys.path.insert(0, sys.argv[2])
import vxlab
print(sum(1 for f in vxlab.read_pcap(sys.argv[1])
          if len(f) >= 34 and f[12:14] == b"\x08\x00" and f[23] == 1))' "$1" "$LAB_DIR"
}

# marked_count PCAP: frames carrying the run's marker.
marked_count()
{
	"$LAB_PY" -c '
import sys
sys.path.insert(0, sys.argv[3])
import vxlab
mk = vxlab.marker_bytes(sys.argv[2])
print(sum(1 for f in vxlab.read_pcap(sys.argv[1]) if mk in f))' "$1" "$LAB_MARKER" "$LAB_DIR"
}

# ens5wire_clean TAG WHEN: no ICMP at all and nothing mirror-derived in
# capture TAG.
ens5wire_clean()
{
	local tag=$1 when=$2 n ok=0

	lab_leakcheck "$LAB_TMP/$tag.pcap" || ok=1
	n=$(icmp_count "$LAB_TMP/$tag.pcap")
	echo "ens5 wire, mirror side, $when: $n ICMP frames from the sensor"
	[ "$n" -eq 0 ] || ok=1
	return $ok
}

# ---- the test ----------------------------------------------------------------

setup()
{
	lab_require
	lab_init
	trap launch_cleanup EXIT
	lab_up
	PINS=$LAB_BPFFS/vxft$LAB_ID
	# shellcheck disable=SC2034 # read by lib.sh's lab_maps
	LAB_PINS=$PINS
	VX_RUNS=0
	VX_PID=
	VX_OLD_XDP=
	# What /proc/PID/comm says of the vxfwd started (every wrapper execs it).
	VX_COMM=$(basename "$VXFWD" | cut -c 1-15)
	# The instance's name comes from the file name: unique per run.
	RULES=$LAB_TMP/vxfl$LAB_ID.rules
	cp "$LAB_RULES" "$RULES"
	LAB_INSTANCES+=("vxfl$LAB_ID")
	lab_collector_listen
}

launch_cleanup()
{
	local rc=$?

	if [ -n "${SD_UNIT:-}" ]; then
		systemctl stop "$SD_UNIT" 2>/dev/null
		rm -f "/run/systemd/system/$SD_TEMPLATE"
		systemctl daemon-reload 2>/dev/null
	fi
	[ -n "${SD_DIR:-}" ] && rm -rf "$SD_DIR"
	[ -n "${PINS:-}" ] && rm -rf "$PINS"
	(exit "$rc")
	lab_cleanup
}

# Phase 1: 100 frames, each at the collector exactly once.
phase_forward()
{
	lab_wait_nexthop
	lab_capture_start "$LAB_NS_C" eth0 fwd.collector in
	lab_gen --mix udp:50,tcp:50 --out "$LAB_TMP/fwd.pcap" --manifest "$LAB_TMP/fwd.json" ||
		fail "gen.py failed"
	lab_send "$LAB_TMP/fwd.pcap"
	lab_wait_drained
	lab_capture_stop fwd.collector
	lab_verify "$LAB_TMP/fwd.collector.pcap" "$LAB_TMP/fwd.json" ||
		fail "collector: the 100 frames did not arrive exactly once each"
}

# Phase 2: kill -9, 500 frames while no vxfwd runs.
phase_dead()
{
	local rx0 rx1 xdp n

	lab_gen --mix "$DEAD_MIX" --out "$LAB_TMP/dead.pcap" --manifest "$LAB_TMP/dead.json" \
		>/dev/null || fail "gen.py failed"
	lab_capture_start "$LAB_NS_M" eth0 dead.ens5wire in
	lab_capture_start "$LAB_NS_C" eth0 dead.collector in
	xdp=$(xdp_id)
	vx_kill9
	# Whatever goes away with the process (its fds, its mount namespace and
	# the pins in it) has gone after a second.
	sleep 1
	stack_snap "$LAB_TMP/stack.dead0"
	rx0=$(lab_maps rx)
	lab_send "$LAB_TMP/dead.pcap" 1000
	sleep 1
	rx1=$(lab_maps rx)
	stack_snap "$LAB_TMP/stack.dead1"
	lab_capture_stop dead.ens5wire
	lab_capture_stop dead.collector

	if xdp_attached; then
		echo "XDP on ens5 after kill -9: $(lab_ens5_xdp) (before: id $xdp)"
	else
		check_soft "XDP detached from ens5 after kill -9 ($ENV): mirror traffic reaches the stack"
	fi
	echo "XDP RX counter while dead: $((rx1 - rx0)) frames of 500 sent"
	[ $((rx1 - rx0)) -ge 500 ] ||
		check_soft "XDP saw $((rx1 - rx0)) of the 500 frames sent while vxfwd was dead"
	if guard_attached; then
		echo "leak guard on ens5 egress after kill -9: $(ens5_egress_filters | grep -o 'vxfwd_guard.*id [0-9]*' | head -n 1)"
	else
		check_soft "leak guard gone from ens5's egress after kill -9 ($ENV)"
	fi
	stack_unchanged "$LAB_TMP/stack.dead0" "$LAB_TMP/stack.dead1" "while dead (500 frames sent)" ||
		check_soft "mirror frames reached the sensor's stack while vxfwd was dead ($ENV)"
	ens5wire_clean dead.ens5wire "while dead" ||
		check_soft "ICMP or mirror-derived frames left ens5 while vxfwd was dead ($ENV)"
	n=$(marked_count "$LAB_TMP/dead.collector.pcap")
	echo "collector while dead: $n frames of the run"
	[ "$n" -eq 0 ] || check_soft "the collector got $n frames while no vxfwd ran"
}

# gap_ms PCAP MANIFEST T0_NS: ms from T0 to the first frame of MANIFEST in
# PCAP (collector side).
gap_ms()
{
	"$LAB_PY" - "$@" "$LAB_DIR" "$LAB_MARKER" <<'EOF'
import json, struct, sys
sys.path.insert(0, sys.argv[4])
import vxlab
pcap, manifest, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
mk = vxlab.marker_bytes(sys.argv[5])
seqs = {e["seq"] for e in json.load(open(manifest))["frames"]}
with open(pcap, "rb") as f:
    data = f.read()
endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
off, first, n = 24, None, 0
while off + 16 <= len(data):
    sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    i = frame.find(mk)
    if i < 0 or len(frame) < i + len(mk) + 4:
        continue
    if struct.unpack("!I", frame[i + len(mk):i + len(mk) + 4])[0] in seqs:
        n += 1
        t = sec * 10**9 + frac * (1 if nano else 1000)
        first = t if first is None else min(first, t)
if first is None:
    print("none")
else:
    print("%d %d" % ((first - t0) // 10**6, n))
EOF
}

# Phase 3: restart under a continuous stream; the gap; nothing reaches the
# stack across the takeover; every frame after it arrives exactly once.
phase_restart()
{
	local load pressure gap n p0 p1

	lab_gen --mix udp:$STREAM_FRAMES --size 256 --out "$LAB_TMP/stream.pcap" \
		--manifest "$LAB_TMP/stream.json" >/dev/null || fail "gen.py failed"
	lab_gen --mix udp:50,tcp:50 --out "$LAB_TMP/after.pcap" --manifest "$LAB_TMP/after.json" \
		>/dev/null || fail "gen.py failed"
	lab_gen --mix bad-port:$PRESSURE_FRAMES --size 64 --out "$LAB_TMP/pressure.pcap" \
		--manifest "$LAB_TMP/pressure.json" >/dev/null || fail "gen.py failed"
	lab_capture_start "$LAB_NS_M" eth0 takeover.ens5wire in
	lab_capture_start "$LAB_NS_C" eth0 takeover.collector in
	stack_snap "$LAB_TMP/stack.take0"
	lab_bg "$LAB_TMP/stream.tcpreplay.log" "$LAB_NS_M" tcpreplay -i eth0 \
		--pps=$STREAM_PPS "$LAB_TMP/stream.pcap"
	load=$LAB_BG_PID
	sleep 0.5
	# Small frames of a drop kind, looped at a higher rate across the
	# takeover: any instant without a vxfwd program on ens5 would let some
	# reach the stack.
	p0=$(date +%s%N)
	lab_bg "$LAB_TMP/pressure.tcpreplay.log" "$LAB_NS_M" tcpreplay -i eth0 \
		--pps=$PRESSURE_PPS --loop=$PRESSURE_LOOPS "$LAB_TMP/pressure.pcap"
	pressure=$LAB_BG_PID
	sleep 0.5
	vx_start "$ENV"
	wait "$load" || fail "tcpreplay of the stream failed: $(cat "$LAB_TMP/stream.tcpreplay.log")"
	wait "$pressure" ||
		fail "tcpreplay of the pressure failed: $(cat "$LAB_TMP/pressure.tcpreplay.log")"
	# When the pressure ended: its start plus tcpreplay's own duration.
	p1=$(awk '/Actual:.* sent in / { for (i = 1; i < NF; i++) if ($i == "in") printf "%d", $(i + 1) * 1000; exit }' \
		"$LAB_TMP/pressure.tcpreplay.log")
	[ -z "$p1" ] || p1=$((p0 + p1 * 1000000))
	lab_wait_nexthop
	lab_wait_drained
	lab_send "$LAB_TMP/after.pcap"
	lab_wait_drained
	sleep 0.5
	stack_snap "$LAB_TMP/stack.take1"
	lab_capture_stop takeover.ens5wire
	lab_capture_stop takeover.collector

	stack_unchanged "$LAB_TMP/stack.take0" "$LAB_TMP/stack.take1" \
		"across the restart ($STREAM_FRAMES stream frames, $((PRESSURE_FRAMES * PRESSURE_LOOPS)) pressure frames, 100 after)" ||
		check_soft "mirror frames reached the sensor's stack across the restart ($ENV)"
	ens5wire_clean takeover.ens5wire "across the restart" ||
		check_soft "ICMP or mirror-derived frames left ens5 across the restart ($ENV)"
	lab_verify "$LAB_TMP/takeover.collector.pcap" "$LAB_TMP/after.json" \
		--optional "$LAB_TMP/stream.json" --optional "$LAB_TMP/dead.json" \
		--json "$LAB_TMP/takeover.json" ||
		check_soft "collector: the frames sent after the restart did not arrive exactly once each ($ENV)"
	read -r gap n < <(gap_ms "$LAB_TMP/takeover.collector.pcap" "$LAB_TMP/stream.json" "$VX_T0")
	if [ "$gap" = none ]; then
		check_soft "no stream frame reached the collector after the restart ($ENV)"
		return
	fi
	# The first forwarded frame follows the takeover: the pressure covered
	# the takeover when it was still running then.
	if [ -n "$p1" ] && [ $((VX_T0 + gap * 1000000)) -le "$p1" ]; then
		echo "pressure: $((PRESSURE_FRAMES * PRESSURE_LOOPS)) drop-kind frames at $PRESSURE_PPS/s, from $(((p0 - VX_T0) / 1000000)) to $(((p1 - VX_T0) / 1000000)) ms around the launch: covered the takeover"
	else
		echo "pressure: ended before the takeover (${p1:-?} ns); only the stream covered it"
	fi
	echo "gap ($ENV): $gap ms from launching vxfwd run to the first stream frame at the collector (stream at $STREAM_PPS frames/s; $n of its $STREAM_FRAMES frames forwarded, the others dropped by the program while no engine ran; the test's poll saw the new program $(((VX_T_READY - VX_T0) / 1000000)) ms after launch)"
	printf '%s %s\n' "$ENV" "$gap" >>"$LAB_TMP/gap.txt"
}

# Phase 4: stats from the same environment agree with the maps.
phase_stats()
{
	local out

	lab_wait_drained
	if ! vx "$ENV" stats -j -f "$RULES" >"$LAB_TMP/stats.json" 2>"$LAB_TMP/stats.err"; then
		check_soft "vxfwd stats -j -f FILE ($ENV) failed: $(head -n 3 "$LAB_TMP/stats.err")"
		return
	fi
	out=$(lab_maps crosscheck --stats "$LAB_TMP/stats.json" 2>&1) ||
		check_soft "vxfwd stats -j ($ENV) disagrees with the maps: $out"
	echo "vxfwd stats -j -f FILE ($ENV): $out"
}

# Phase 5: detach refuses a running instance, then cleans ens5.
phase_detach()
{
	local out rc

	out=$(vx "$ENV" detach -f "$RULES" 2>&1)
	rc=$?
	echo "vxfwd detach ($ENV) while vxfwd runs: exit $rc: $out"
	if [ "$rc" -ne 3 ] || [ -z "$out" ]; then
		check_soft "vxfwd detach ($ENV) of a running instance: exit $rc (want 3 and a message)"
	fi
	kill -0 "$VX_PID" 2>/dev/null || check_soft "vxfwd died when detach was refused"
	if ! xdp_attached || ! guard_attached; then
		check_soft "the refused detach ($ENV) removed XDP or the guard from ens5"
	fi

	vx_kill9
	sleep 1
	out=$(vx "$ENV" detach -f "$RULES" 2>&1)
	rc=$?
	echo "vxfwd detach ($ENV) after kill -9: exit $rc: $out"
	[ "$rc" -eq 0 ] || check_soft "vxfwd detach ($ENV) after kill -9: exit $rc: $out"
	if xdp_attached; then
		check_soft "vxfwd detach ($ENV) left XDP on ens5: $(lab_ens5_xdp)"
	fi
	out=$(ens5_egress_filters)
	[ -z "$out" ] || check_soft "vxfwd detach ($ENV) left filters on ens5's egress: $out"
	xdp_attached || [ -n "$out" ] || echo "ens5 clean: no XDP program, no egress filter"
}

run_launch()
{
	ENV=$1
	setup
	[ "$ENV" = systemd ] && sd_setup
	vx_start "$ENV"
	phase_forward
	phase_dead
	phase_restart
	phase_stats
	phase_detach
	finish
}

test_launch_host() { run_launch host; }
test_launch_ipnetns() { run_launch ipnetns; }
test_launch_unshare_bpffs()
{
	command -v unshare >/dev/null || lab_die "unshare: not installed (util-linux)"
	run_launch unshare_bpffs
}
test_launch_unshare_nobpffs()
{
	command -v unshare >/dev/null || lab_die "unshare: not installed (util-linux)"
	run_launch unshare_nobpffs
}

# ---- systemd ---------------------------------------------------------------

# The shipped unit, as a transient template in /run/systemd/system: its
# [Service] section unchanged but for the paths (the binary and the rules
# under /run, which PrivateTmp= and ProtectSystem= leave visible), the
# sensor's network namespace, and no automatic restart (the test restarts
# it).  UNIT_PROPS: the same sandbox as systemd-run -p options, for the
# one-shot stats and detach.
sd_setup()
{
	local name=vxfl$LAB_ID line key

	SD_DIR=/run/vxflaunch$LAB_ID
	mkdir -p "$SD_DIR"
	SD_BIN=$SD_DIR/vxfwd
	VX_COMM=vxfwd
	cp "$VXFWD" "$SD_BIN"
	cp "$RULES" "$SD_DIR/$name.rules"
	RULES=$SD_DIR/$name.rules
	SD_TEMPLATE=vxfl$LAB_ID@.service
	SD_UNIT=vxfl$LAB_ID@$name.service
	# A dependency on a host device (the lab's ens5 is in a namespace, no
	# systemd device unit follows it) is dropped: it would never start.
	sed -e "s|/usr/sbin/vxfwd|$SD_BIN|g" -e "s|/etc/vxfwd/|$SD_DIR/|g" \
		-e 's|^Restart=.*|Restart=no|' -e '/^\(BindsTo\|Requires\|Wants\)=.*\.device/d' \
		-e "s|^\[Service\]|[Service]\nNetworkNamespacePath=/run/netns/$LAB_NS_S|" \
		"$UNIT_SRC" >"/run/systemd/system/$SD_TEMPLATE"
	systemctl daemon-reload || fail "systemctl daemon-reload failed"
	UNIT_PROPS=()
	while IFS= read -r line; do
		key=${line%%=*}
		case $key in
		Capability* | Ambient* | NoNewPrivileges | SecureBits | LimitMEMLOCK | Protect* | \
			Private* | ReadWritePaths | Restrict* | LockPersonality | MemoryDeny* | \
			SystemCall* | UMask | RuntimeDirectory*)
			UNIT_PROPS+=(-p "$line")
			;;
		esac
	done < <(sed -n '/^\[Service\]/,/^\[/p' "$UNIT_SRC" | grep -v '^#')
}

sd_start()
{
	systemctl start "$SD_UNIT" || return 1
	VX_PID=$(systemctl show -p MainPID --value "$SD_UNIT")
	[ -n "$VX_PID" ] && [ "$VX_PID" != 0 ]
}

sd_status()
{
	systemctl status --no-pager -n 20 "$SD_UNIT" 2>&1 | tail -n 25
}

test_launch_systemd()
{
	[ -d /run/systemd/system ] ||
		lab_skip "systemd is not running here (no /run/systemd/system; PID 1 is $(cat /proc/1/comm)): the shipped unit cannot be started"
	command -v systemd-run >/dev/null || lab_die "systemd-run: not installed, though systemd runs"
	run_launch systemd
}

# ---- a program that is not vxfwd's ------------------------------------------

# foreign_prog OBJ: a trivial XDP program (XDP_PASS) named foreign_pass;
# multi-buffer (xdp.frags), so that veth takes it natively at a jumbo MTU.
foreign_prog()
{
	printf '%s\n' \
		'struct xdp_md;' \
		'__attribute__((section("xdp.frags"), used)) int foreign_pass(struct xdp_md *ctx) { return 2; }' \
		'__attribute__((section("license"), used)) char _license[] = "GPL";' >"$1.c"
	clang -O2 -target bpf -c "$1.c" -o "$1" || fail "clang -target bpf: cannot build $1"
}

# Another XDP program on ens5 is never replaced nor removed: vxfwd run
# refuses to start (in the host's mount namespace and under ip netns exec),
# vxfwd detach leaves it, and the program keeps its id.
test_launch_foreign()
{
	local env id out rc

	setup
	foreign_prog "$LAB_TMP/foreign.o"
	ip -n "$LAB_NS_S" link set dev ens5 xdp obj "$LAB_TMP/foreign.o" sec xdp.frags ||
		fail "cannot attach the foreign XDP program to ens5"
	id=$(xdp_id)
	[ -n "$id" ] || fail "the foreign XDP program is not on ens5"
	echo "foreign XDP program on ens5: $(lab_ens5_xdp)"
	for env in host ipnetns; do
		ENV=$env
		out=$(launch_wrap "$env"; timeout 20 "${WRAP[@]}" run -f "$RULES" 2>&1 </dev/null)
		rc=$?
		echo "vxfwd run ($env) with a foreign program on ens5: exit $rc: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] || [ -z "$out" ]; then
			check_soft "vxfwd run ($env) did not refuse a foreign XDP program on ens5 (exit $rc)"
		fi
		[ "$(xdp_id)" = "$id" ] ||
			check_soft "vxfwd run ($env) replaced the foreign XDP program $id: now $(lab_ens5_xdp)"
		if guard_attached; then
			check_soft "vxfwd run ($env) refused but left its leak guard on ens5"
		fi
		out=$(vx "$env" detach -f "$RULES" 2>&1)
		rc=$?
		echo "vxfwd detach ($env) with a foreign program on ens5: exit $rc: $out"
		[ "$(xdp_id)" = "$id" ] ||
			check_soft "vxfwd detach ($env) removed the foreign XDP program $id"
	done
	finish
}

# ---- control -----------------------------------------------------------------

# The checks above can fail: with no vxfwd program on ens5, the same frames
# move the sensor's stack counters and bring ICMP errors out of ens5.
test_launch_control()
{
	setup
	lab_gen --mix "$DEAD_MIX" --out "$LAB_TMP/dead.pcap" --manifest "$LAB_TMP/dead.json" \
		>/dev/null || fail "gen.py failed"
	! xdp_attached || fail "control: an XDP program is on ens5 before any vxfwd ran"
	lab_capture_start "$LAB_NS_M" eth0 control.ens5wire in
	stack_snap "$LAB_TMP/stack.c0"
	lab_send "$LAB_TMP/dead.pcap" 1000
	sleep 1
	stack_snap "$LAB_TMP/stack.c1"
	lab_capture_stop control.ens5wire
	if stack_unchanged "$LAB_TMP/stack.c0" "$LAB_TMP/stack.c1" "without vxfwd (500 frames sent)"; then
		fail "control: 500 mirror frames without vxfwd did not move the sensor's stack counters; the check cannot see leaks"
	fi
	if ens5wire_clean control.ens5wire "without vxfwd" >"$LAB_TMP/control.txt"; then
		cat "$LAB_TMP/control.txt"
		fail "control: without vxfwd no ICMP error left ens5; the wire check cannot see leaks"
	fi
	head -n 1 "$LAB_TMP/control.txt"
	tail -n 1 "$LAB_TMP/control.txt"
	echo "control: without vxfwd on ens5 the checks see mirror frames reach the stack and ICMP errors leave ens5"
}

# ---- runner --------------------------------------------------------------

lab_main launch "$@"
