# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
#
# tests/lab/lib.sh - the real host's shape out of network namespaces.
#
# Sourced by scripts/demo.sh, tests/e2e/ and bench/.  Three namespaces, names
# unique per run so that two runs may overlap:
#
#   mirror  (vxfmID)  eth0 172.30.82.20/23, MTU 9216
#                      |  VXLAN to 172.30.82.108:4789
#   sensor  (vxfsID)  ens5 172.30.82.108/23, MTU 9216   <- vxfwd's XDP program
#                     ens6 MTU 9001, port of br0 172.30.82.192/23 (same /23)
#                      |
#   collector (vxfcID) eth0 172.30.82.95/23, MTU 9001, UDP 8081 / TCP 8082
#
# IPv6 is off everywhere (no router solicitations or MLD reports in the
# evidence) unless lab_ipv6_egress() turns it on for the egress side: br0
# fd00:82::192/64 and the collector's eth0 fd00:82::95/64; ens5 stays
# without IPv6.
#
# The LAB_* variables are this library's interface to the scripts that
# source it (hence SC2034 above).  Everything started through lab_bg() and
# every namespace is removed by lab_cleanup(), which lab_init() installs as
# the EXIT trap.  Commands run in a namespace through nsenter --net, never
# `ip netns exec`: the latter remounts /sys and hides the vxfwd pins under
# /sys/fs/bpf.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/test.sh
. "$LAB_DIR/../lib/test.sh"
LAB_SRCDIR=${VXFWD_SRCDIR:-$(cd "$LAB_DIR/../.." && pwd)}
LAB_PY=${LAB_PY:-/usr/bin/python3}
VXFWD=${VXFWD:-$LAB_SRCDIR/build/engine/vxfwd}
LAB_BPFFS=${LAB_BPFFS:-/sys/fs/bpf}
PATH=$PATH:/usr/sbin:/sbin

LAB_PLEN=23
LAB_MIRROR_ADDR=172.30.82.20
LAB_ENS5_ADDR=172.30.82.108
LAB_BR0_ADDR=172.30.82.192
LAB_COLLECTOR_ADDR=172.30.82.95
LAB_COLLECTOR2_ADDR=172.30.82.96
LAB_PLEN6=64
LAB_BR0_ADDR6=fd00:82::192
LAB_COLLECTOR_ADDR6=fd00:82::95
LAB_VXLAN_PORT=4789
LAB_UDP_PORT=8081
LAB_TCP_PORT=8082
LAB_SENSOR_TCP_PORT=2222
LAB_MIRROR_MTU=9216
LAB_EGRESS_MTU=9001

LAB_PIDS=()
LAB_INSTANCES=()
LAB_NAMESPACES=()
LAB_FILES=()	# removed by lab_cleanup besides LAB_TMP
LAB_DIRS=()	# removed by lab_cleanup even when LAB_TMP is kept
LAB_TMP=
LAB_VXFWD_PID=
LAB_VXFWD_NAME=

lab_log()
{
	printf 'lab: %s\n' "$*" >&2
}

lab_die()
{
	printf 'lab: error: %s\n' "$*" >&2
	exit 1
}

# Exit 77 (meson: SKIP) with the reason.
lab_skip()
{
	t_skip "$@"
}

# lab_ns_exec NS CMD...: run CMD in namespace NS (mirror, sensor, collector).
lab_ns_exec()
{
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

lab_mirror() { lab_ns_exec "$LAB_NS_M" "$@"; }
lab_sensor() { lab_ns_exec "$LAB_NS_S" "$@"; }
lab_collector() { lab_ns_exec "$LAB_NS_C" "$@"; }

# Everything the lab needs.  A missing tool is an error (the install step,
# scripts/install-deps.sh, provides every one); only a kernel feature that
# is really absent skips (77), named, with the command's own message.
lab_require()
{
	local cmd err

	[ "$(id -u)" -eq 0 ] || lab_skip "the lab needs root (network namespaces, XDP)"
	for cmd in ip nsenter sysctl tcpdump tcpreplay bpftool; do
		command -v "$cmd" >/dev/null 2>&1 ||
			lab_die "$cmd: not installed; scripts/install-deps.sh installs it"
	done
	err=$("$LAB_PY" -c 'import scapy.all' 2>&1) ||
		lab_die "$LAB_PY: cannot import scapy (scripts/install-deps.sh installs python3-scapy): $err"
	if ! err=$(ip netns add "vxfprobe$$" 2>&1); then
		[ -e /proc/self/ns/net ] ||
			lab_skip "network namespaces: the kernel has none (CONFIG_NET_NS): ip netns add: $err"
		lab_die "ip netns add vxfprobe$$: $err"
	fi
	if ! err=$(ip -n "vxfprobe$$" link add name vxfpa type veth peer name vxfpb 2>&1); then
		ip netns del "vxfprobe$$"
		case $err in
		*"Unknown device type"*)
			lab_skip "veth: the kernel has no veth driver (CONFIG_VETH): ip link add: $err"
			;;
		esac
		lab_die "ip -n vxfprobe$$ link add ... type veth: $err"
	fi
	ip netns del "vxfprobe$$" || lab_die "ip netns del vxfprobe$$ failed"
	lab_mount_bpffs
	[ -x "$VXFWD" ] || lab_die "$VXFWD: not built; run meson compile -C build"
}

lab_mount_bpffs()
{
	local err

	[ "$(stat -f -c %T "$LAB_BPFFS" 2>/dev/null)" = bpf_fs ] && return 0
	mkdir -p "$LAB_BPFFS" || lab_die "mkdir $LAB_BPFFS failed"
	err=$(mount -t bpf bpf "$LAB_BPFFS" 2>&1) && return 0
	grep -qw bpf /proc/filesystems ||
		lab_skip "the BPF file system: the kernel has none (CONFIG_BPF_SYSCALL): mount: $err"
	lab_die "mount -t bpf bpf $LAB_BPFFS: $err"
}

# lab_init [TAG]: unique names, a scratch directory, the cleanup trap.
lab_init()
{
	local tag=${1:-}

	LAB_ID=$tag$$
	LAB_NS_M=vxfm$LAB_ID
	LAB_NS_S=vxfs$LAB_ID
	LAB_NS_C=vxfc$LAB_ID
	LAB_MARKER=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vxfwd-lab.XXXXXX")
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

lab_cleanup()
{
	local rc=$? i ns name

	trap - EXIT
	for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do
		lab_kill "${LAB_PIDS[i]}"
	done
	for ns in "${LAB_NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for name in "${LAB_INSTANCES[@]}"; do
		rm -rf "${LAB_BPFFS:?}/vxfwd/$name"
		rm -f "/run/vxfwd/$name.pid" "/run/vxfwd/$name.rules.state"
	done
	rm -f "${LAB_FILES[@]}"
	rm -rf "${LAB_DIRS[@]}"
	if [ -n "$LAB_TMP" ] && [ -d "$LAB_TMP" ]; then
		if [ "$rc" -ne 0 ] && [ "$rc" -ne $T_EXIT_SKIP ] || [ -n "${LAB_KEEP:-}" ]; then
			lab_log "evidence kept in $LAB_TMP"
		else
			rm -rf "$LAB_TMP"
		fi
	fi
	exit "$rc"
}

# lab_kill PID: SIGTERM, then SIGKILL after 5 s.  Only a background job of
# this shell not yet reaped: a PID already waited for may belong to someone
# else by now.
lab_kill()
{
	local pid=$1 i

	jobs -p | grep -qx "$pid" || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# lab_bg LOG NS CMD...: start CMD in namespace NS in the background; its PID
# (nsenter execs CMD, so the PID is CMD's own) in LAB_BG_PID.
lab_bg()
{
	local log=$1 ns=$2
	shift 2
	nsenter --net="/run/netns/$ns" -- "$@" >"$log" 2>&1 </dev/null &
	LAB_BG_PID=$!
	LAB_PIDS+=("$LAB_BG_PID")
}

lab_mac()
{
	local ns=$1 ifname=$2
	ip -n "$ns" -br link show dev "$ifname" | awk '{ print $3 }'
}

# lab_sysctl NS NAME=VALUE...: set sysctls in NS; dies with sysctl's own
# message if one cannot be set.
lab_sysctl()
{
	local ns=$1 err
	shift
	err=$(lab_ns_exec "$ns" sysctl -q -w "$@" 2>&1 >/dev/null) ||
		lab_die "sysctl -w $* in $ns: ${err:-exit status $?}"
}

# lab_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds; CMD
# exiting 125 means it never will.
lab_wait()
{
	local tries=$(($1 * 10))
	shift
	for (( ; ; )); do
		"$@" 2>/dev/null && return 0
		[ $? -ne 125 ] || return 1
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

lab_link_up()
{
	ip -n "$1" -br link show dev "$2" | awk '{ exit ($2 == "UP" ? 0 : 1) }'
}

lab_add_ns()
{
	ip netns add "$1" || lab_die "ip netns add $1 failed (its message is above)"
	LAB_NAMESPACES+=("$1")
	ip -n "$1" link set lo up || lab_die "ip -n $1 link set lo up failed (its message is above)"
	# IPv6 off: no router solicitations or MLD reports in the evidence.
	lab_sysctl "$1" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# lab_veth NS1 IF1 NS2 IF2 MTU: a veth pair, IF1 in NS1 and IF2 in NS2, up.
lab_veth()
{
	ip -n "$1" link add "$2" mtu "$5" type veth peer name "$4" mtu "$5" netns "$3" ||
		lab_die "$2 in $1 <-> $4 in $3: cannot create the veth pair"
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up ||
		lab_die "$2 in $1 <-> $4 in $3: cannot set up"
}

# lab_bridge NS NAME MTU PORT...: a bridge without STP or forwarding delay
# over PORTs (already in NS), up.
lab_bridge()
{
	local ns=$1 br=$2 mtu=$3 port
	shift 3

	ip -n "$ns" link add "$br" mtu "$mtu" type bridge stp_state 0 forward_delay 0 ||
		lab_die "$br in $ns: cannot create the bridge"
	for port in "$@"; do
		ip -n "$ns" link set "$port" master "$br" ||
			lab_die "$port in $ns: cannot join $br"
	done
	ip -n "$ns" link set "$br" up || lab_die "$br in $ns: cannot set up"
}

# lab_small_up [bridge] [MTU]: the sensor alone, for tests of what vxfwd
# checks and does itself (little or no traffic): in the sensor, ens5
# $LAB_ENS5_ADDR (veth to m5, $LAB_SMALL_MIRROR_ADDR, in the mirror
# namespace) and ens6 (veth to c6, $LAB_COLLECTOR_ADDR, in the collector
# namespace) holding $LAB_BR0_ADDR, or with "bridge" a port of br0 which
# holds it.  Every link MTU 1500 unless given, up, the sensor's with carrier.
LAB_SMALL_MIRROR_ADDR=172.31.0.238/24
lab_small_up()
{
	local bridge=${1:-} mtu=${2:-1500} m=$LAB_NS_M s=$LAB_NS_S c=$LAB_NS_C egress=ens6 dev

	lab_add_ns "$m"
	lab_add_ns "$s"
	lab_add_ns "$c"
	ip -n "$s" link add ens5 mtu "$mtu" type veth peer name m5 mtu "$mtu" netns "$m" ||
		lab_die "mirror m5 <-> sensor ens5: cannot create the veth pair"
	ip -n "$s" link add ens6 mtu "$mtu" type veth peer name c6 mtu "$mtu" netns "$c" ||
		lab_die "sensor ens6 <-> collector c6: cannot create the veth pair"
	if [ "$bridge" = bridge ]; then
		egress=br0
		ip -n "$s" link add br0 type bridge && ip -n "$s" link set ens6 master br0 ||
			lab_die "sensor br0: cannot create the bridge"
	fi
	ip -n "$s" addr add $LAB_ENS5_ADDR/$LAB_PLEN dev ens5 &&
		ip -n "$s" addr add $LAB_BR0_ADDR/$LAB_PLEN dev $egress &&
		ip -n "$c" addr add $LAB_COLLECTOR_ADDR/$LAB_PLEN dev c6 &&
		ip -n "$m" addr add $LAB_SMALL_MIRROR_ADDR dev m5 ||
		lab_die "small lab: cannot add the addresses"
	for dev in "$m m5" "$s ens5" "$s ens6" "$s $egress" "$c c6"; do
		# shellcheck disable=SC2086
		ip -n ${dev% *} link set ${dev#* } up || lab_die "${dev#* } in ${dev% *}: cannot set up"
	done
	for dev in ens5 ens6; do
		lab_wait 10 lab_link_up "$s" $dev || lab_die "$dev in $s: link not up"
	done
}

# Build the three namespaces and their wires; fill LAB_*_MAC.
lab_up()
{
	local m=$LAB_NS_M s=$LAB_NS_S c=$LAB_NS_C dev

	lab_add_ns "$m"
	lab_add_ns "$s"
	lab_add_ns "$c"

	ip -n "$m" link add eth0 mtu $LAB_MIRROR_MTU type veth \
		peer name ens5 mtu $LAB_MIRROR_MTU netns "$s" ||
		lab_die "mirror eth0 <-> sensor ens5: cannot create the veth pair"
	ip -n "$s" link add ens6 mtu $LAB_EGRESS_MTU type veth \
		peer name eth0 mtu $LAB_EGRESS_MTU netns "$c" ||
		lab_die "sensor ens6 <-> collector eth0: cannot create the veth pair"
	ip -n "$s" link add br0 mtu $LAB_EGRESS_MTU type bridge stp_state 0 forward_delay 0 ||
		lab_die "sensor br0: cannot create the bridge"
	ip -n "$s" link set ens6 master br0

	# ens5 first, br0 second: as on the real host, the kernel's route for
	# the shared /23 (and so for the DNAT target) points at ens5.
	ip -n "$m" addr add $LAB_MIRROR_ADDR/$LAB_PLEN dev eth0
	ip -n "$s" addr add $LAB_ENS5_ADDR/$LAB_PLEN dev ens5
	ip -n "$s" link set ens5 up
	ip -n "$s" addr add $LAB_BR0_ADDR/$LAB_PLEN dev br0
	ip -n "$c" addr add $LAB_COLLECTOR_ADDR/$LAB_PLEN dev eth0
	lab_sysctl "$c" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0

	for dev in "$m eth0" "$s ens6" "$s br0" "$c eth0"; do
		# shellcheck disable=SC2086
		ip -n ${dev% *} link set ${dev#* } up
	done
	for dev in "$m eth0" "$s ens5" "$s ens6" "$s br0" "$c eth0"; do
		# shellcheck disable=SC2086
		lab_wait 10 lab_link_up $dev || lab_die "${dev#* } in ${dev% *}: link not up"
	done

	LAB_MIRROR_MAC=$(lab_mac "$m" eth0)
	LAB_ENS5_MAC=$(lab_mac "$s" ens5)
	LAB_ENS6_MAC=$(lab_mac "$s" ens6)
	LAB_BR0_MAC=$(lab_mac "$s" br0)
	LAB_COLLECTOR_MAC=$(lab_mac "$c" eth0)

	ip -n "$s" route get $LAB_MIRROR_ADDR | grep -q 'dev ens5' ||
		lab_die "sensor: route to the mirror source does not use ens5"
	lab_log "up: mirror $m ($LAB_MIRROR_MAC), sensor $s (ens5 $LAB_ENS5_MAC, ens6 $LAB_ENS6_MAC), collector $c ($LAB_COLLECTOR_MAC)"
}

# IPv6 on the egress side of a lab_up() lab: br0 and the collector's eth0
# (addresses without duplicate address detection, so nothing waits), no
# router solicitations.  ens5 keeps IPv6 off.
lab_ipv6_egress()
{
	local s=$LAB_NS_S c=$LAB_NS_C

	lab_sysctl "$s" net.ipv6.conf.br0.disable_ipv6=0 net.ipv6.conf.br0.router_solicitations=0
	lab_sysctl "$c" net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.eth0.router_solicitations=0
	ip -n "$s" addr add $LAB_BR0_ADDR6/$LAB_PLEN6 dev br0 nodad &&
		ip -n "$c" addr add $LAB_COLLECTOR_ADDR6/$LAB_PLEN6 dev eth0 nodad ||
		lab_die "egress IPv6: cannot add the addresses"
	lab_log "egress IPv6: br0 $LAB_BR0_ADDR6, collector $LAB_COLLECTOR_ADDR6"
}

# A second collector on the egress segment of a lab_up() lab, for fan-out:
# the ens6 wire ends in a switch namespace (vxfwID, bridge sw0) instead of
# the collector, and the switch has a port to each collector's eth0: the
# first keeps $LAB_COLLECTOR_ADDR (LAB_COLLECTOR_MAC is its new eth0's), the
# second (vxfdID) holds $LAB_COLLECTOR2_ADDR, its MAC in LAB_COLLECTOR2_MAC.
# Call before vxfwd starts (the neighbour entries are the new eth0s').
lab_second_collector()
{
	local s=$LAB_NS_S c=$LAB_NS_C w=vxfw$LAB_ID d=vxfd$LAB_ID dev

	LAB_NS_W=$w
	LAB_NS_C2=$d
	lab_add_ns "$w"
	lab_add_ns "$d"
	ip -n "$c" link set eth0 netns "$w" ||
		lab_die "the ens6 wire's far end cannot move from the collector to the switch"
	ip -n "$w" link add sw0 mtu $LAB_EGRESS_MTU type bridge stp_state 0 forward_delay 0 &&
		ip -n "$w" link set eth0 master sw0 &&
		ip -n "$w" link add p1 mtu $LAB_EGRESS_MTU type veth \
			peer name eth0 mtu $LAB_EGRESS_MTU netns "$c" &&
		ip -n "$w" link add p2 mtu $LAB_EGRESS_MTU type veth \
			peer name eth0 mtu $LAB_EGRESS_MTU netns "$d" &&
		ip -n "$w" link set p1 master sw0 && ip -n "$w" link set p2 master sw0 ||
		lab_die "switch $w: cannot build the bridge and its ports"
	ip -n "$s" neigh flush dev br0 2>/dev/null
	ip -n "$c" addr add $LAB_COLLECTOR_ADDR/$LAB_PLEN dev eth0 &&
		ip -n "$d" addr add $LAB_COLLECTOR2_ADDR/$LAB_PLEN dev eth0 ||
		lab_die "cannot give the collectors their addresses"
	lab_sysctl "$c" net.ipv4.conf.eth0.rp_filter=0
	lab_sysctl "$d" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
	for dev in "$w eth0" "$w sw0" "$w p1" "$w p2" "$c eth0" "$d eth0"; do
		# shellcheck disable=SC2086
		ip -n ${dev% *} link set ${dev#* } up
	done
	for dev in "$w eth0" "$w sw0" "$w p1" "$w p2" "$c eth0" "$d eth0"; do
		# shellcheck disable=SC2086
		lab_wait 10 lab_link_up $dev || lab_die "${dev#* } in ${dev% *}: link not up"
	done
	LAB_COLLECTOR_MAC=$(lab_mac "$c" eth0)
	LAB_COLLECTOR2_MAC=$(lab_mac "$d" eth0)
	lab_log "second collector: switch $w, collectors $c ($LAB_COLLECTOR_MAC) and $d ($LAB_COLLECTOR2_MAC, $LAB_COLLECTOR2_ADDR)"
}

# Listener on the collector: UDP 8081 and TCP 8082, counts what it gets.
lab_collector_listen()
{
	lab_bg "$LAB_TMP/collector.log" "$LAB_NS_C" "$LAB_PY" "$LAB_DIR/listen.py" \
		--udp $LAB_UDP_PORT --tcp $LAB_TCP_PORT --marker "$LAB_MARKER" \
		--out "$LAB_TMP/collector.json"
	LAB_LISTEN_PID=$LAB_BG_PID
	lab_wait 10 grep -q '^listening' "$LAB_TMP/collector.log" ||
		lab_die "collector listener did not start: $(cat "$LAB_TMP/collector.log")"
}

lab_collector_listen_stop()
{
	lab_kill "$LAB_LISTEN_PID"
	[ -s "$LAB_TMP/collector.json" ] ||
		lab_die "collector listener wrote no report: $(cat "$LAB_TMP/collector.log")"
}

# lab_capture_start NS IFNAME TAG [DIRECTION]: tcpdump into $LAB_TMP/TAG.pcap.
lab_capture_start()
{
	local ns=$1 ifname=$2 tag=$3 dir=${4:-inout} var

	lab_bg "$LAB_TMP/$tag.tcpdump.log" "$ns" tcpdump -i "$ifname" -Q "$dir" -n -s 0 \
		--immediate-mode -U -B 65536 -w "$LAB_TMP/$tag.pcap"
	var=LAB_CAP_${tag//[^A-Za-z0-9]/_}
	printf -v "$var" %s "$LAB_BG_PID"
	lab_wait 10 grep -q 'listening on' "$LAB_TMP/$tag.tcpdump.log" ||
		lab_die "tcpdump -i $ifname in $ns did not start: $(cat "$LAB_TMP/$tag.tcpdump.log")"
}

# True once FILE has not grown for half a second.
lab_file_still()
{
	local a b

	a=$(stat -c %s "$1")
	sleep 0.5
	b=$(stat -c %s "$1")
	[ "$a" = "$b" ]
}

# lab_capture_stop TAG: stop the capture; fail if the kernel dropped frames.
lab_capture_stop()
{
	local tag=$1 var pid dropped

	var=LAB_CAP_${tag//[^A-Za-z0-9]/_}
	pid=${!var}
	lab_wait 10 lab_file_still "$LAB_TMP/$tag.pcap"
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	dropped=$(awk '/dropped by kernel/ { print $1 }' "$LAB_TMP/$tag.tcpdump.log")
	[ "${dropped:-0}" -eq 0 ] ||
		lab_die "capture $tag: tcpdump lost $dropped frames, the evidence is incomplete"
}

# lab_vxfwd_start RULES [NAME]: run vxfwd in the sensor, wait until it has
# attached and pinned its own maps (a restart replaces the previous pins).
lab_vxfwd_start()
{
	local rules=$1 name=${2:-vxflab$LAB_ID}

	LAB_VXFWD_NAME=$name
	LAB_INSTANCES+=("$name")
	LAB_PINS=$LAB_BPFFS/vxfwd/$name
	LAB_OLD_MAP_ID=$(lab_map_id vxfwd_counters)
	# LAB_VXFWD_ARGS: extra options of `vxfwd run` (backend, workers...);
	# LAB_VXFWD_LOG: its output (a lab of several sensors has one each).
	local log=${LAB_VXFWD_LOG:-$LAB_TMP/vxfwd.log}
	# shellcheck disable=SC2086
	lab_bg "$log" "$LAB_NS_S" "$VXFWD" run -v -f "$rules" -n "$name" \
		${LAB_VXFWD_ARGS:-}
	LAB_VXFWD_PID=$LAB_BG_PID
	if ! lab_wait 20 lab_vxfwd_ready; then
		kill -0 "$LAB_VXFWD_PID" 2>/dev/null &&
			lab_die "vxfwd run -f $rules -n $name: not attached to ens5 after 20 s: $(tail -n 20 "$log")"
		wait "$LAB_VXFWD_PID"
		lab_die "vxfwd run -f $rules -n $name: exited with status $? before attaching to ens5: $(tail -n 20 "$log")"
	fi
	cat "$log" >>"${log%.log}.all.log"
	lab_log "vxfwd $LAB_VXFWD_PID attached to ens5: $(lab_ens5_xdp)"
}

# The XDP program on the sensor's ens5 ("prog/xdp id N", "prog/xdpgeneric
# id N"), or nothing.  `ip link show` names a veth peer's namespace by
# asking the kernel for the id of every entry of /run/netns; an entry that
# is not a namespace at that moment (another test's, being added or
# deleted) makes it print "Error: Peer netns reference is invalid." though
# the listing is complete.  That line alone is dropped; other errors stay.
lab_ens5_xdp()
{
	{ ip -n "$LAB_NS_S" -d link show ens5 2>&1 1>&3 3>&- |
		grep -v '^Error: Peer netns reference is invalid\.$' >&2; } 3>&1 |
		grep -o 'prog/xdp[a-z]* id [0-9]*'
}

# The id of a map pinned by the instance, or nothing.
lab_map_id()
{
	bpftool -j map show pinned "$LAB_PINS/$1" 2>/dev/null |
		"$LAB_PY" -c 'import json, sys; print(json.load(sys.stdin)["id"])' 2>/dev/null
}

lab_vxfwd_ready()
{
	local id

	kill -0 "$LAB_VXFWD_PID" || return 125
	[ -n "$(lab_ens5_xdp)" ] || return 1
	id=$(lab_map_id vxfwd_counters)
	[ -n "$id" ] && [ "$id" != "$LAB_OLD_MAP_ID" ]
}

# SIGTERM, then check that vxfwd exited 0 and detached from ens5.
lab_vxfwd_stop()
{
	local rc

	kill -TERM "$LAB_VXFWD_PID" 2>/dev/null
	lab_wait 10 lab_not_running "$LAB_VXFWD_PID" ||
		lab_die "vxfwd $LAB_VXFWD_PID: still running 10 s after SIGTERM"
	wait "$LAB_VXFWD_PID"
	rc=$?
	[ "$rc" -eq 0 ] || lab_die "vxfwd: exit status $rc after SIGTERM: $(tail -n 20 "$LAB_TMP/vxfwd.log")"
	if [ -n "$(lab_ens5_xdp)" ]; then
		lab_die "vxfwd exited but an XDP program is still attached to ens5"
	fi
}

# lab_log_says PID LOG REGEX: LOG has a line matching REGEX (grep -E); 125
# (for lab_wait: never) once PID has exited without one.
lab_log_says()
{
	grep -Eq -- "$3" "$2" && return 0
	kill -0 "$1" 2>/dev/null || return 125
	return 1
}

# lab_wait_forwarding PID LOG: until `vxfwd run` (PID, output in LOG) says it
# forwards, for 10 s at most; 1 when it exits or the time runs out first.
lab_wait_forwarding()
{
	lab_wait 10 lab_log_says "$1" "$2" 'forwarding from'
}

lab_not_running()
{
	! kill -0 "$1" 2>/dev/null
}

# lab_maps CMD [ARGS]: counters / engine / nexthop of the running instance.
lab_maps()
{
	"$LAB_PY" "$LAB_DIR/vxmaps.py" --abi "$LAB_SRCDIR/bpf/vxfwd_abi.h" \
		--pins "$LAB_PINS" "$@"
}

# Wait until XDP has a valid next hop for ADDR (resolved on the egress side).
lab_wait_nexthop()
{
	local addr=${1:-$LAB_COLLECTOR_ADDR}

	lab_wait 15 lab_maps nexthop --valid "$addr" >/dev/null && return 0
	lab_log "sensor neighbours: $(ip -n "$LAB_NS_S" neigh show | tr '\n' ';')"
	lab_die "vxfwd: no valid next hop for $addr after 15 s ($(lab_maps nexthop 2>&1))"
}

# lab_gen ARGS...: build frames (tests/lab/gen.py) for the mirror source.
LAB_SEQ=1
lab_gen()
{
	local first=$LAB_SEQ

	# Sequence numbers never repeat within a run: each call gets its own range.
	LAB_SEQ=$((LAB_SEQ + 1000000))
	"$LAB_PY" "$LAB_DIR/gen.py" --marker "$LAB_MARKER" --first-seq "$first" \
		--src-mac "$LAB_MIRROR_MAC" --dst-mac "$LAB_ENS5_MAC" \
		--outer-src $LAB_MIRROR_ADDR --outer-dst $LAB_ENS5_ADDR "$@"
}

# lab_send PCAP [PPS]: replay PCAP from the mirror namespace's eth0; with
# vxfwd running, return once its XDP program has seen every frame.
lab_send()
{
	local pcap=$1 pps=${2:-2000} out before='' sent

	if [ -n "$LAB_VXFWD_PID" ] && kill -0 "$LAB_VXFWD_PID" 2>/dev/null; then
		before=$(lab_maps rx) || lab_die "cannot read the RX counter"
	fi
	# LAB_SEND_CPU: replay from that CPU; veth runs the sensor's XDP on the
	# sending CPU, so this picks the CPU (and vxfwd worker ring) XDP uses.
	out=$(lab_mirror ${LAB_SEND_CPU:+taskset -c "$LAB_SEND_CPU"} \
		tcpreplay -i eth0 --pps="$pps" "$pcap" 2>&1) ||
		lab_die "tcpreplay $pcap: $out"
	printf '%s\n' "$out" >>"$LAB_TMP/tcpreplay.log"
	grep -q 'Failed packets: *0' <<<"$out" ||
		lab_die "tcpreplay $pcap: some frames were not sent: $out"
	[ -n "$before" ] || return 0
	sent=$(awk '/Successful packets:/ { print $3 }' <<<"$out")
	lab_wait 10 lab_maps seen $((before + sent)) >/dev/null ||
		lab_die "XDP on ens5 did not see the $sent frames sent: $(lab_maps rx) seen, $before before"
}

# Wait until the engine has completed every frame XDP put into the ring.
lab_wait_drained()
{
	lab_wait 15 lab_maps drained >/dev/null ||
		lab_die "vxfwd: ring not drained after 15 s: $(lab_maps drained 2>&1)"
}

# lab_verify PCAP MANIFEST [ARGS]: every expected frame, correct, exactly once.
lab_verify()
{
	local pcap=$1 manifest=$2
	shift 2
	local mac srcs=()

	# LAB_EGRESS_MACS: every sensor's ens6 when several feed the collector.
	for mac in ${LAB_EGRESS_MACS:-$LAB_ENS6_MAC}; do
		srcs+=(--eth-src "$mac")
	done
	"$LAB_PY" "$LAB_DIR/verify.py" --pcap "$pcap" --manifest "$manifest" \
		"${srcs[@]}" --eth-dst "$LAB_COLLECTOR_MAC" "$@"
}

# lab_leakcheck PCAP [ARGS]: nothing mirror-derived came out of ens5.
lab_leakcheck()
{
	local pcap=$1
	shift
	"$LAB_PY" "$LAB_DIR/leakcheck.py" --pcap "$pcap" --marker "$LAB_MARKER" \
		--sensor-mac "$LAB_ENS5_MAC" --addr $LAB_COLLECTOR_ADDR "$@"
}

# lab_main NAME [TEST...]: run test_TEST for each TEST (default: every one of
# $ALL_TESTS), each in a subshell of its own; one test exits with its own
# status, several print a summary "NAME: N passed, N failed, N skipped".
lab_main()
{
	local name=$1 t rc pass=0 failed=0 skip=0 tests
	shift

	# shellcheck disable=SC2206 # the list is words by design
	tests=(${*:-$ALL_TESTS})
	for t in "${tests[@]}"; do
		case " $ALL_TESTS " in
		*" $t "*) ;;
		*)
			echo "$name: unknown test '$t' (tests: $ALL_TESTS)" >&2
			return 2
			;;
		esac
	done
	for t in "${tests[@]}"; do
		echo "=== $t"
		("test_$t")
		rc=$?
		[ $# -eq 1 ] && { [ "$rc" -eq 0 ] && echo "PASS: $t"; return "$rc"; }
		case $rc in
		0) pass=$((pass + 1)); echo "PASS: $t" ;;
		"$T_EXIT_SKIP") skip=$((skip + 1)) ;;
		*) failed=$((failed + 1)); echo "FAIL: $t" ;;
		esac
	done
	echo "$name: $pass passed, $failed failed, $skip skipped"
	[ "$failed" -eq 0 ]
}
