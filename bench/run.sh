#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/run.sh - vxfwd against the kernel-native path and the XDP_REDIRECT
# ceiling, in one lab, with the same frames, in the same run.
#
# usage: bench/run.sh [--quick | --saturation | --soak | --sweep | --gen-alone] [--runs N]
#                     [--placement split|shared|both] [--xdp-mode native|generic|both]
#                     [--inner ipv4|ipv6|both]
#                     [--sizes "64 1400 8900"] [--peers "native xredir vxfwd"]
#                     [--variants] [--rates "PPS ..."] [--seconds S]
#                     [--profile] [--threaded] [--out DIR]
#
#   (default)  for each run, placement, XDP mode, peer and payload size:
#              delivered pps at saturation, loss, zero-loss rate (binary
#              search), leak to ens5, CPU per forwarded packet, latency,
#              daemon RSS
#   --quick    one run, 64 bytes, short trials, every placement and mode:
#              a sanity check
#   --saturation  saturation trials only (no zero-loss search, hence no
#              latency or CPU per packet), every run, size, cell and peer:
#              the delivered-rate tables of many peers and runs
#   --soak     200K pps offered for 60 s, 64 bytes, every peer
#   --gen-alone  what the generator reaches alone: ens5's XDP drops every
#              frame (peer drop: xredir with an allowlist matching none),
#              one run, one trial as fast as possible per size and cell
#   --sweep    receive livelock: one run of 3 s trials of 64 bytes at each
#              offered rate of --rates (default 100K 200K 400K 600K 800K 1M
#              1.5M 2M and 0, as fast as possible), peers vxfwd and
#              vxfwd-fifo unless --peers is given, in each placement and
#              mode (BENCH_SWEEP_ONE_CPU=1: in split the daemon moves to
#              the generator's CPU, see below); per rate offered and
#              delivered pps and the
#              drop_ring_full delta, per peer the best delivered rate, the
#              rate delivered at the highest offered rate, their ratio and
#              PASS when it is at least 0.9
#   --placement  where the work runs (below); both (the default) measures
#              each placement in turn
#   --xdp-mode native: XDP in the driver (veth's), frames offered as live
#              frames (BPF_PROG_RUN + XDP_REDIRECT); generic: XDP in the
#              stack (what vxfwd gets on EC2, whose ENA refuses native XDP
#              at MTU 9001), frames sent through the stack with sendmmsg()
#              on AF_PACKET, vxfwd run with -x generic; both (the default)
#              measures each mode in turn
#   --inner    the generator's inner packet: ipv4 (the default), ipv6
#              (2001:db8:1::10 -> [2001:db8:ff::40]:31765, DNAT to
#              [fd00:82::95]:8081: vxfwd with bench/bench6.rules, native
#              with bench/peers6.nft; the lab's egress side gets IPv6,
#              lab_ipv6_egress) or both, in turn within each cell; xredir
#              is IPv4 only and is skipped for ipv6
#   --variants peers native, xredir and every vxfwd variant below
#   --rates    the offered rates of --sweep, pps, 0 for as fast as possible
#   --profile  also perf record both CPUs during vxfwd's 64-byte saturation
#              (run 1, in each cell)
#   --threaded split placement, native mode: ens5's NAPI in a kernel thread
#              pinned to the daemon's CPU (see below)
#
# Peers: native (vxlan + nftables), xredir (the XDP_REDIRECT ceiling) and
# vxfwd's variants, the daemon with these `vxfwd run` options (then
# -x generic in generic mode, then BENCH_VXFWD_ARGS, for every one):
#   vxfwd           the defaults (uring-ring backend, one worker)
#   vxfwd-write-fixed -b write-fixed
#   vxfwd-send      -b send
#   vxfwd-sendmmsg  -b sendmmsg
#   vxfwd-txring    -b tx-ring
#   vxfwd-qbypass   -Q
#   vxfwd-fifo      -s fifo:50
#   vxfwd-fanout    the defaults with bench/fanout.rules: the same frames to
#                   two targets, 172.30.82.95 and .96 (both the collector's),
#                   one ring record each; the report's fan-out table sets
#                   each target's delivered rate against vxfwd's in the
#                   same cell and run (goal: each at least 0.5 of it)
# Every peer is measured in every cell (placement x XDP mode), with the same
# generator: in native mode native carries an XDP_PASS program on ens5 (a
# veth takes redirected frames only then) and xredir attaches natively; in
# generic mode native has no XDP program and xredir attaches generic.  The
# report groups by cell and gives run-by-run ratios, within a cell, of each
# vxfwd peer to native and to xredir, and of each variant to vxfwd.
# Examples:
#   bench/run.sh --variants                            all peers, full bench
#   bench/run.sh --quick --peers "vxfwd vxfwd-sendmmsg" --placement split
#   bench/run.sh --sweep --rates "200000 1000000 0"    a short sweep
#
# Placements on this 2-core machine.  CPU 1 (GEN_CPU) runs the generator,
# CPU 0 (WORK_CPU) is the CPU under test.
#   split   ens5's receive (XDP, or the stack and nft) runs in softirq in the
#           generator's context on CPU 1: inline after its XDP_REDIRECT in
#           native mode, after its sendmmsg() (the backlog, no RPS) in
#           generic mode.  It shares the core with the generator and slows
#           it down, so the offered rate adapts to what the sensor takes.
#           vxfwd's daemon is alone on CPU 0.  With --threaded (native mode),
#           ens5's NAPI runs in a kernel thread pinned to CPU 0 with the
#           daemon, and the generator paces as in shared.
#   shared  everything under test on CPU 0, the generator alone on CPU 1:
#           ens5's NAPI in a kernel thread pinned to CPU 0 (SCHED_OTHER at
#           BENCH_NICE; GRO on gives the veth a NAPI instance in both XDP
#           modes, and `echo 1 > threaded` moves it into a thread, set
#           before any peer starts, as on an ENA sensor with threaded NAPI),
#           the daemon on CPU 0, where `run` finds that thread and runs its
#           workers as SCHED_FIFO 1 (its default when every CPU it may use
#           receives).  The generator sends through AF_PACKET in both modes
#           (live frames redirected into a threaded veth from CPU 1 left
#           CPU 0 half idle while 90 % were lost at veth's ring: the
#           wake-ups, not the CPU, were measured); a full veth ring stops
#           its queue, sendmmsg() fails with ENOBUFS and the frames are sent
#           again, so an overloaded sensor shows as a lower offered rate.
#           BENCH_GENERIC_RX=rps (generic mode) puts ens5's receive in
#           softirq on CPU 0 instead (RPS, GRO off, no thread).  A paced
#           generator sends at most GEN_BURST (64) frames back to back
#           (vxbench gen -B): its debt beyond that after a gap is forgiven
#           (gen.forgiven), so the rate achieved is below the one asked.  It
#           runs at BENCH_NICE there.
# The collector's receive runs in softirq on the CPU that transmits into
# ens6 (veth schedules its peer's NAPI there): the daemon's CPU for vxfwd,
# ens5's receive CPU for native and xredir; so on CPU 0 in shared.  Each
# trial records NET_RX softirqs per CPU (net_rx, net_rx_after) to show it.
# --sweep in split is the split placement above; with BENCH_SWEEP_ONE_CPU=1
# it moves the daemon to CPU 1: everything shares one core with the
# generator (the sweep's placement before the shared one existed).  There,
# XDP runs in the generator's context, so the
# generator slows down as the daemon takes the core, and excess offered
# load shows as a lower offered rate, as drop_ring_full (shed by XDP at the
# ring) or as "lost elsewhere" (veth's ring, the egress path).  --sweep in
# shared is the placement above: the generator keeps offering from CPU 1.
# CPU per packet: busy time of both CPUs (and of the daemon's CPU) over the
# frames delivered, during the zero-loss trial (generator included, same
# for all peers of a cell).
#
# Environment: BENCH_NICE (forwarder's nice, -10), BENCH_FIFO=PRIO (the
# daemon, and the NAPI thread with --threaded or shared, at SCHED_FIFO PRIO
# instead), BENCH_NAPI_FIFO (the shared placement's NAPI thread at
# SCHED_FIFO PRIO; empty, the default: BENCH_NICE), BENCH_GENERIC_RX
# (shared placement, generic XDP: threaded, the default, ens5's receive in
# a NAPI thread on the forwarder's CPU, or rps: in softirq there),
# BENCH_RULES (vxfwd's rules, bench/bench.rules),
# BENCH_BUILD (build-bench), VXBENCH / VXFWD (prebuilt binaries).
#
# Writes bench/out/<UTC time>/{trials.jsonl,summary.json,table.txt}; prints
# the table.  Each trial records its placement, xdp_mode and inner, NET_RX
# softirqs per CPU and the dropped counters of the sensor's and the
# collector's devices before and after it (drops0, drops); each trial of
# a vxfwd peer keeps `vxfwd stats -j` from before (vxfwd_stats0) and after
# (vxfwd_stats) it; the daemon's log is <PEER>-<PLACEMENT>-<MODE>.log, the
# profile perf-<PLACEMENT>-<MODE>-vxfwd-64.{data,txt}; meta.json lists each
# vxfwd peer's options.  Root only; namespaces and processes are removed on
# any exit.

set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRCDIR=$(cd "$BENCH_DIR/.." && pwd)
BUILD=${BENCH_BUILD:-$SRCDIR/build-bench}
PY=/usr/bin/python3
GENERIC_RX=${BENCH_GENERIC_RX:-threaded}
GEN_CPU=1
# Most frames a paced generator sends back to back in the shared placement.
GEN_BURST=64
# The CPU under test: the daemon's, and in the shared placement everything's
# but the generator's.
WORK_CPU=0
FWD_CPU=$WORK_CPU
# The forwarder (ens5's NAPI thread, the daemon) at nice -10: this machine is
# shared with builds and tests, and a sensor's forwarding core is not.
FWD_NICE=${BENCH_NICE:--10}
# BENCH_FIFO=PRIO puts the NAPI thread and the daemon at SCHED_FIFO PRIO.
FWD_FIFO=${BENCH_FIFO:-}
# ens5's NAPI thread in the shared placement runs at SCHED_FIFO PRIO;
# empty (the default): SCHED_OTHER at the forwarder's nice, as --threaded.
NAPI_FIFO=${BENCH_NAPI_FIFO-}

MODE=full
PLACEMENTS="split shared"
XDP_MODES="native generic"
INNERS=ipv4
# The inner family being measured.
INNER=ipv4
# The cell being measured: its placement and XDP mode.
PLACEMENT="split"
XDP_MODE="native"
RUNS=3
SIZES="64 1400 8900"
PEERS="native xredir vxfwd"
TRIAL_S=3
SEARCH_STEPS=6
RATES=
PROFILE=
THREADED=
# ens5's NAPI threads in this cell (thread_napi).
NAPI_PIDS=
OUT=
# Values given on the command line, applied over the mode's defaults.
OPT_RUNS=
OPT_SIZES=
OPT_PEERS=
OPT_SECONDS=

# vxfwd's variants: peer name, then the options it adds to `vxfwd run`
# (BENCH_VXFWD_ARGS comes after them, for every variant).
VXFWD_VARIANTS=(
	"vxfwd"
	"vxfwd-send -b send"
	"vxfwd-sendmmsg -b sendmmsg"
	"vxfwd-txring -b tx-ring"
	"vxfwd-write-fixed -b write-fixed"
	"vxfwd-qbypass -Q"
	"vxfwd-fifo -s fifo:50"
	"vxfwd-fanout"
)
SWEEP_PEERS="vxfwd vxfwd-fifo"
SWEEP_RATES="100000 200000 400000 600000 800000 1000000 1500000 2000000 0"

die()
{
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

note()
{
	printf 'bench: %s\n' "$*" >&2
}

parse_args()
{
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) MODE=quick; RUNS=1; SIZES=64; TRIAL_S=1; SEARCH_STEPS=3 ;;
		--soak) MODE=soak; RUNS=1; SIZES=64 ;;
		--sweep) MODE=sweep; RUNS=1; SIZES=64; PEERS=$SWEEP_PEERS ;;
		--saturation) MODE=saturation ;;
		--gen-alone) MODE="gen-alone"; RUNS=1; PEERS=drop ;;
		--placement) PLACEMENTS=$(both "$2" split shared) || die "--placement: split, shared or both"; shift ;;
		--xdp-mode) XDP_MODES=$(both "$2" native generic) || die "--xdp-mode: native, generic or both"; shift ;;
		--inner) INNERS=$(both "$2" ipv4 ipv6) || die "--inner: ipv4, ipv6 or both"; shift ;;
		--variants) PEERS="native xredir $(variant_names)" ;;
		--rates) RATES=$2; shift ;;
		--runs) OPT_RUNS=$2; shift ;;
		--sizes) OPT_SIZES=$2; shift ;;
		--peers) OPT_PEERS=$2; shift ;;
		--seconds) OPT_SECONDS=$2; shift ;;
		--profile) PROFILE=1 ;;
		--threaded) THREADED=1 ;;
		--out) OUT=$2; shift ;;
		-h | --help) sed -n '4,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) die "$1: unknown option (see --help)" ;;
		esac
		shift
	done
	RUNS=${OPT_RUNS:-$RUNS}
	SIZES=${OPT_SIZES:-$SIZES}
	PEERS=${OPT_PEERS:-$PEERS}
	TRIAL_S=${OPT_SECONDS:-$TRIAL_S}
	RATES=${RATES:-$SWEEP_RATES}
	check_peers
	OUT=${OUT:-$BENCH_DIR/out/$(date -u +%Y%m%dT%H%M%SZ)}
}

# both VALUE A B: "A B" for both, VALUE for A or B; fails otherwise.
both()
{
	case $1 in
	both) printf '%s %s\n' "$2" "$3" ;;
	"$2" | "$3") printf '%s\n' "$1" ;;
	*) return 1 ;;
	esac
}

# Names of vxfwd's variants, in the table's order.
variant_names()
{
	local v names=()

	for v in "${VXFWD_VARIANTS[@]}"; do
		names+=("${v%% *}")
	done
	printf '%s\n' "${names[*]}"
}

# variant_args PEER: the run options of vxfwd variant PEER; fails for
# a name not in VXFWD_VARIANTS.
variant_args()
{
	local v

	for v in "${VXFWD_VARIANTS[@]}"; do
		[ "${v%% *}" = "$1" ] || continue
		[ "$v" = "$1" ] || printf '%s' "${v#* }"
		return 0
	done
	return 1
}

check_peers()
{
	local peer

	for peer in $PEERS; do
		case $peer in
		native | xredir | drop) ;;
		*) variant_args "$peer" >/dev/null ||
			die "$peer: unknown peer (native, xredir, $(variant_names | sed 's/ /, /g'))" ;;
		esac
	done
}

# Build vxbench and vxfwd in build-bench unless VXBENCH / VXFWD point at
# binaries already built.  A vxfwd that does not build only loses its peer.
build()
{
	VXBENCH=${VXBENCH:-$BUILD/bench/vxbench}
	VXFWD=${VXFWD:-$BUILD/engine/vxfwd}
	if [ ! -e "$BUILD/build.ninja" ]; then
		meson setup "$BUILD" "$SRCDIR" >"$OUT/build.log" 2>&1 ||
			note "meson setup $BUILD failed, see $OUT/build.log"
	fi
	if [ -e "$BUILD/build.ninja" ]; then
		ninja -C "$BUILD" bench/vxbench >>"$OUT/build.log" 2>&1 ||
			note "building vxbench failed, see $OUT/build.log"
		ninja -C "$BUILD" engine/vxfwd >>"$OUT/build.log" 2>&1 ||
			note "building vxfwd failed, see $OUT/build.log"
	fi
	[ -x "$VXBENCH" ] || die "$VXBENCH: not built (see $OUT/build.log)"
}

bench_cleanup()
{
	local rc=$?

	[ -n "${VXF_PID:-}" ] && lab_kill "$VXF_PID"
	[ -n "${PIN:-}" ] && rm -rf "$PIN"
	(exit "$rc")
	lab_cleanup
}

lab_start()
{
	# shellcheck source=../tests/lab/lib.sh
	source "$SRCDIR/tests/lab/lib.sh"
	lab_init bench
	trap bench_cleanup EXIT
	PIN=$LAB_BPFFS/vxbench-$LAB_ID
	lab_mount_bpffs
	mkdir -p "$PIN"
	lab_up >"$OUT/lab.log" 2>&1 || die "lab: could not build the namespaces: $(tail -n 3 "$OUT/lab.log")"
	if [[ " $INNERS " == *" ipv6 "* ]]; then
		lab_ipv6_egress >>"$OUT/lab.log" 2>&1 || die "lab: no IPv6 on the egress side"
	fi
	# the fan-out peer's second target: the collector answers for it too
	ip -n "$LAB_NS_C" addr add "$LAB_COLLECTOR2_ADDR/$LAB_PLEN" dev eth0 ||
		die "lab: cannot give the collector the second target's address"
	lab_collector "$VXBENCH" collector -i eth0 -d "$PIN" || die "collector: XDP attach failed"
	lab_mirror "$VXBENCH" leak -i eth0 -d "$PIN" || die "mirror: tc leak counter attach failed"
	leak_selftest
}

# The leak figure means something only if the counter can fire: route three
# pings to the DNAT target out of ens5 (a static neighbour on the mirror's
# MAC) and expect three leaks, then undo it.
leak_selftest()
{
	local leaked

	ip -n "$LAB_NS_S" neigh replace "$LAB_COLLECTOR_ADDR" lladdr "$LAB_MIRROR_MAC" dev ens5 ||
		die "leak self-test: cannot add the neighbour"
	lab_sensor ping -c 3 -i 0.2 -q -I ens5 "$LAB_COLLECTOR_ADDR" >/dev/null 2>&1
	ip -n "$LAB_NS_S" neigh del "$LAB_COLLECTOR_ADDR" dev ens5
	sleep 0.2
	leaked=$("$VXBENCH" read -d "$PIN" | json_field leaked)
	[ "${leaked:-0}" -eq 3 ] || die "leak self-test: 3 frames to the DNAT target left ens5, the counter saw ${leaked:-0}"
	"$VXBENCH" reset -d "$PIN" || die "resetting the counters in $PIN failed"
	note "leak counter self-test: 3 of 3 provoked leaks counted"
}

# thread_napi NS DEV CPU [FIFO]: DEV's NAPI in kernel threads (new ones:
# the switch off and on again recreates them) pinned to CPU, at SCHED_FIFO
# FIFO or else the forwarder's nice; their PIDs in NAPI_PIDS.  A veth has
# NAPI only while it has a native XDP program or GRO on; without one there
# is no thread and its receive goes through the backlog, which RPS steers
# (set_rps).
thread_napi()
{
	local ns=$1 dev=$2 cpu=$3 fifo=${4-$FWD_FIFO} before pid n=0

	before=$(napi_threads "$dev")
	ip netns exec "$ns" sh -c "echo 0 >/sys/class/net/$dev/threaded; echo 1 >/sys/class/net/$dev/threaded" ||
		{ note "threaded NAPI on $dev refused: its receive stays in softirq"; return 0; }
	sleep 0.2
	for pid in $(napi_threads "$dev"); do
		grep -qx "$pid" <<<"$before" && continue
		n=$((n + 1))
		taskset -p -c "$cpu" "$pid" >/dev/null || note "napi thread $pid: cannot pin to CPU $cpu"
		renice -n "$FWD_NICE" -p "$pid" >/dev/null || note "napi thread $pid: cannot renice"
		[ -n "$fifo" ] && { chrt -f -p "$fifo" "$pid" || note "napi thread $pid: SCHED_FIFO refused"; }
		NAPI_PIDS="$NAPI_PIDS $pid"
	done
	note "$dev ($ns): $n NAPI thread(s) pinned to CPU $cpu${fifo:+, SCHED_FIFO $fifo}"
}

# unthread_napi NS DEV: DEV's NAPI back in softirq (a veth without NAPI
# refuses the write, and has nothing to switch).
unthread_napi()
{
	ip netns exec "$1" sh -c "grep -qx 0 /sys/class/net/$2/threaded || echo 0 >/sys/class/net/$2/threaded" 2>/dev/null
}

# set_rps NS DEV MASK: RPS of DEV's receive queue to the CPUs of hex MASK
# (0: none, the receive stays on the CPU that queued the frame).
set_rps()
{
	ip netns exec "$1" sh -c "echo $3 >/sys/class/net/$2/queues/rx-0/rps_cpus" ||
		note "$2 ($1): cannot set rps_cpus to $3"
}

# napi_threads DEV: PIDs of every napi/DEV-N kernel thread (other
# namespaces' included: the new ones after a switch to threaded mode are ours).
napi_threads()
{
	ps -e -o pid=,comm= | awk -v p="napi/$1-" 'index($2, p) == 1 { print $1 }'
}

# The cell's placement, before its peers.  split: the daemon alone on
# WORK_CPU (the generator's CPU under --sweep with BENCH_SWEEP_ONE_CPU),
# ens5's receive in softirq on the CPU that queued the frame, the
# generator's.  shared: ens5's receive
# and the daemon on WORK_CPU, the generator alone on GEN_CPU: ens5's NAPI in
# a kernel thread pinned there (napi_on), or with BENCH_GENERIC_RX=rps in
# generic mode, its backlog in softirq there (RPS).  The collector's receive
# is left in softirq: a veth schedules its peer's NAPI on the CPU that
# transmits, so it runs where the forwarder (the daemon, or ens5's receive
# for native and xredir) sends into ens6; a NAPI thread of its own would
# only add a wake-up, and overflow its 256-frame ring while the daemon holds
# the CPU.  Each trial records NET_RX softirqs per CPU (net_rx) to show
# where receive ran.
place_cell()
{
	FWD_CPU=$WORK_CPU
	[ "$MODE" = sweep ] && [ "$PLACEMENT" = split ] && [ -n "${BENCH_SWEEP_ONE_CPU:-}" ] &&
		FWD_CPU=$GEN_CPU
	unthread_napi "$LAB_NS_S" ens5
	NAPI_PIDS=
	set_rps "$LAB_NS_S" ens5 0
	# veth's defaults; napi_on changes them.
	ip netns exec "$LAB_NS_S" ethtool -K ens5 gro off >/dev/null 2>&1
	ip netns exec "$LAB_NS_M" ethtool -K eth0 tso on >/dev/null 2>&1
	if [ "$PLACEMENT" = shared ] && [ "$XDP_MODE" = generic ] && [ "$GENERIC_RX" = rps ]; then
		set_rps "$LAB_NS_S" ens5 "$(printf '%x' $((1 << FWD_CPU)))"
	elif [ "$PLACEMENT" = shared ] || { [ -n "$THREADED" ] && [ "$XDP_MODE" = native ]; }; then
		napi_on
	fi
	note "cell: placement $PLACEMENT, XDP $XDP_MODE, generator on CPU $GEN_CPU, daemon on CPU $FWD_CPU"
}

# The SCHED_FIFO priority of ens5's NAPI threads in this cell, or nothing
# for the forwarder's nice.
napi_fifo()
{
	if [ "$PLACEMENT" = shared ]; then
		printf '%s\n' "${FWD_FIFO:-$NAPI_FIFO}"
	else
		printf '%s\n' "$FWD_FIFO"
	fi
}

# napi_on: ens5's receive in NAPI kernel threads pinned to the
# forwarder's CPU (at SCHED_FIFO napi_fifo when set), before any peer
# starts, so that the daemon finds them when it looks where the ingress
# receives, as on a host with `echo 1 > /sys/class/net/ens5/threaded`.  A
# veth has NAPI while it has a native XDP program or GRO on; GRO on gives
# it one for every peer in both XDP modes (ENA has GRO on too), and a
# program attached later keeps that instance.  Without a native program,
# veth queues a frame to that NAPI only when the sending device has no TSO
# (or the receiver forwards UDP GRO): otherwise it goes through netif_rx()
# into the sending CPU's backlog, the generator's, and generic XDP would
# run there, not on the CPU under test.  So the mirror's eth0 sends
# without TSO in this placement (its frames are never segmented anyway).
napi_on()
{
	ip netns exec "$LAB_NS_S" ethtool -K ens5 gro on >/dev/null 2>&1 ||
		note "ens5: GRO refused, no NAPI instance to thread"
	ip netns exec "$LAB_NS_M" ethtool -K eth0 tso off >/dev/null 2>&1 ||
		note "mirror eth0: TSO stays on: generic XDP runs on the generator's CPU"
	thread_napi "$LAB_NS_S" ens5 "$FWD_CPU" "$(napi_fifo)"
}

# After a peer started: ens5's NAPI threads are still the ones napi_on
# pinned (a peer that re-created them gets new ones pinned the same way).
pin_napi()
{
	local pid

	[ -n "$NAPI_PIDS" ] || return 0
	for pid in $NAPI_PIDS; do
		[ -d "/proc/$pid" ] && continue
		note "ens5's NAPI thread $pid is gone: threading it again"
		NAPI_PIDS=
		thread_napi "$LAB_NS_S" ens5 "$FWD_CPU" "$(napi_fifo)"
		return 0
	done
}

# The generator's options for the cell: in generic mode every frame goes
# through the stack (AF_PACKET), which reaches an ens5 without native XDP.
# In the shared placement (and with --threaded) ens5's receive runs on
# another CPU than the generator, and a burst beyond veth's 256-frame ring
# is lost there, so a paced generator sends at most GEN_BURST frames back to
# back (gen -B; with live frames it then paces inside its program: each
# BPF_PROG_RUN costs tens of milliseconds, paced by calls it sends bursts).
# The soak paces that way in every placement: paced by calls, live frames
# came in bursts of thousands every 15-50 ms, and vxfwd's latency measured
# the time its worker took to drain each burst (p50 0.7 ms, one wake-up
# per burst), not what a sensor receiving 200K a second sees.
gen_args()
{
	{ [ "$XDP_MODE" = generic ] || [ "$PLACEMENT" = shared ]; } && printf '%s\n' -P
	[ "$INNER" = ipv6 ] && printf '%s\n' -6
	if [ "$PLACEMENT" = shared ] || [ "$MODE" = soak ] ||
		{ [ -n "$THREADED" ] && [ "$XDP_MODE" = native ]; }; then
		printf '%s\n' -B "$GEN_BURST"
	fi
}

# The generator's priority: in the shared placement it paces by spinning
# (live frames) and forgives what it could not send in time, so it runs at
# the forwarder's nice there, where other work on its CPU would cost it
# rate.
gen_nice()
{
	[ "$PLACEMENT" = shared ] && printf '%s\n' nice -n "$FWD_NICE"
}

xdp_off()
{
	ip -n "$LAB_NS_S" link set dev ens5 xdp off 2>/dev/null
	ip -n "$LAB_NS_S" link set dev ens5 xdpgeneric off 2>/dev/null
}

# XDP_MODE as vxbench's attach flag.
generic_flag()
{
	[ "$XDP_MODE" = generic ] && printf '%s\n' -g
}

# In native mode ens5 carries XDP_PASS (a veth takes XDP_REDIRECTed frames
# only then); in generic mode the frames come through the stack, no XDP.
peer_up_native()
{
	[ "$XDP_MODE" = generic ] || lab_sensor "$VXBENCH" pass -i ens5 || return 1
	ip -n "$LAB_NS_S" link add vx0 type vxlan id 1 dstport 4789 local "$LAB_ENS5_ADDR" \
		dev ens5 nolearning || return 1
	ip -n "$LAB_NS_S" link set vx0 mtu 9000 up || return 1
	lab_sensor nft -D ENS6_MAC="$LAB_ENS6_MAC" -D COLLECTOR_MAC="$LAB_COLLECTOR_MAC" \
		-f "$BENCH_DIR/$([ "$INNER" = ipv6 ] && echo peers6.nft || echo peers.nft)"
}

peer_down_native()
{
	lab_sensor nft delete table netdev vxbench 2>/dev/null
	ip -n "$LAB_NS_S" link del vx0 2>/dev/null
	xdp_off
}

peer_up_xredir()
{
	# shellcheck disable=SC2046 # no flag or one word
	lab_sensor "$VXBENCH" xredir -i ens5 -o ens6 -D "$LAB_COLLECTOR_MAC" -d "$PIN" \
		-a 198.51.100.10/31 -a 203.0.113.0/28 $(generic_flag)
}

peer_down_xredir()
{
	xdp_off
}

# The generator alone (--gen-alone): xredir with an allowlist that matches
# none of the frames, so ens5's XDP drops every one.
peer_up_drop()
{
	# shellcheck disable=SC2046 # no flag or one word
	lab_sensor "$VXBENCH" xredir -i ens5 -o ens6 -D "$LAB_COLLECTOR_MAC" -d "$PIN" \
		-a 192.0.2.1/32 $(generic_flag)
}

peer_down_drop()
{
	xdp_off
}

# vxfwd's rules: BENCH_RULES, else bench.rules (bench6.rules for inner IPv6).
vxfwd_rules()
{
	if [ -n "${BENCH_RULES:-}" ]; then
		printf '%s\n' "$BENCH_RULES"
	elif [ "$INNER" = ipv6 ]; then
		printf '%s\n' "$BENCH_DIR/bench6.rules"
	else
		printf '%s\n' "$BENCH_DIR/bench.rules"
	fi
}

vxfwd_ready()
{
	kill -0 "$VXF_PID" && ip -n "$LAB_NS_S" -d link show ens5 | grep -q 'prog/xdp'
}

# The daemon sees the sensor's sysfs, as under `ip netns exec` or on the
# host itself, so that `run` finds where ens5 receives (RPS, threaded NAPI)
# and places its workers as it would there; the host's bpffs stays at
# /sys/fs/bpf, where the bench reads the daemon's pins.  Run by sh -ec in
# a private mount namespace of the sensor's network namespace, then exec.
# shellcheck disable=SC2016 # expanded by that sh
OWN_SYSFS='d=$(mktemp -d); mount --rbind /sys/fs/bpf "$d"; mount -t sysfs sysfs /sys;
mount --move "$d" /sys/fs/bpf; rmdir "$d"; exec "$@"'

# peer_up_vxfwd PEER: the daemon with variant PEER's options, then
# BENCH_VXFWD_ARGS; its log in $OUT/PEER.log.
peer_up_vxfwd()
{
	local peer=${1:-vxfwd} sched=(nice -n "$FWD_NICE") args rules

	[ -x "$VXFWD" ] || { note "$peer: $VXFWD not built"; return 1; }
	args=$(variant_args "$peer") || { note "$peer: not a vxfwd variant"; return 1; }
	[ "$XDP_MODE" = generic ] && args="$args -x generic"
	VXF_NAME=vxbench$LAB_ID
	LAB_INSTANCES+=("$VXF_NAME")
	[ -n "$FWD_FIFO" ] && sched=(chrt -f "$FWD_FIFO")
	note "$peer: vxfwd run $args ${BENCH_VXFWD_ARGS:-} on CPU $FWD_CPU ($PLACEMENT, $XDP_MODE)"
	rules=$(vxfwd_rules)
	[ "$peer" = vxfwd-fanout ] && rules=$BENCH_DIR/fanout.rules
	# shellcheck disable=SC2086 # the options are words
	lab_bg "$OUT/$peer-$PLACEMENT-$XDP_MODE.log" "$LAB_NS_S" unshare --mount --propagation private \
		sh -ec "$OWN_SYSFS" own-sysfs "${sched[@]}" taskset -c "$FWD_CPU" "$VXFWD" run \
		-f "$rules" -n "$VXF_NAME" $args ${BENCH_VXFWD_ARGS:-}
	VXF_PID=$LAB_BG_PID
	lab_wait 20 vxfwd_ready ||
		{ note "$peer: not attached: $(tail -n 5 "$OUT/$peer-$PLACEMENT-$XDP_MODE.log")"; return 1; }
}

peer_down_vxfwd()
{
	[ -n "${VXF_PID:-}" ] && lab_kill "$VXF_PID"
	VXF_PID=
	xdp_off
}

# peer_up PEER / peer_down PEER: every vxfwd* peer is the daemon with
# its variant's options.
peer_up()
{
	case $1 in
	vxfwd*) peer_up_vxfwd "$1" ;;
	*) "peer_up_$1" ;;
	esac
}

peer_down()
{
	case $1 in
	vxfwd*) peer_down_vxfwd ;;
	*) "peer_down_$1" ;;
	esac
}

# A peer is usable when a short low-rate burst reaches the collector intact
# (this also lets the sensor resolve the collector's MAC).
peer_warm()
{
	local i good

	for i in 1 2 3 4 5; do
		# shellcheck disable=SC2046 # no option or one word
		lab_mirror "$VXBENCH" gen -i eth0 -D "$LAB_ENS5_MAC" -s 64 -r 1000 -t 1 $(gen_args) \
			>/dev/null || return 1
		sleep 0.3
		good=$("$VXBENCH" read -d "$PIN" | json_field good)
		[ "${good:-0}" -gt 0 ] && return 0
	done
	return 1
}

json_field()
{
	"$PY" -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"
}

# Busy jiffies of CPU FWD_CPU and of all CPUs: "cpu0 all".
cpu_busy()
{
	awk -v c="cpu$FWD_CPU" '
		$1 == "cpu" { all = $2 + $3 + $4 + $7 + $8 + $9 }
		$1 == c { one = $2 + $3 + $4 + $7 + $8 + $9 }
		END { print one, all }' /proc/stat
}

# NET_RX softirqs so far on each CPU, comma-separated: where receive ran
# in softirq (a NAPI thread polls outside it).
net_rx()
{
	awk '$1 == "NET_RX:" { for (i = 2; i <= NF; i++) printf "%s%s", $i, (i < NF ? ", " : "") }' /proc/softirqs
}

# Dropped-frame counters of the wire's devices, as JSON: {"sensor/ens5":
# [rx_dropped, tx_dropped], ...}.  A full veth ring counts on the receiving
# side's rx_dropped (ens5's for what the generator redirected, the
# collector's eth0 for what the sensor sent).
dev_drops()
{
	{
		ip -j -s -n "$LAB_NS_S" link show
		ip -j -s -n "$LAB_NS_C" link show
	} 2>/dev/null | "$PY" -c '
import json, sys
out = {}
for ns, text in zip(("sensor", "collector"), sys.stdin.read().split("\n")):
    for d in json.loads(text or "[]"):
        s = d.get("stats64", {})
        if d["ifname"] != "lo":
            out[ns + "/" + d["ifname"]] = [s["rx"]["dropped"], s["tx"]["dropped"]]
print(json.dumps(out))' 2>/dev/null || printf 'null'
}

# utime + stime of the daemon, in clock ticks.
daemon_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$VXF_PID/stat" 2>/dev/null || echo null
}

# The daemon's `vxfwd stats -j` on one line, or null.
vxfwd_stats()
{
	local vst

	vst=$("$VXFWD" stats -j -n "$VXF_NAME" 2>/dev/null | tr -d '\n')
	"$PY" -c 'import json,sys; json.loads(sys.argv[1])' "$vst" 2>/dev/null || vst=null
	printf '%s' "$vst"
}

# trial PEER RUN SIZE RATE SECONDS KIND: one measurement, one JSON line.
trial()
{
	local peer=$1 run=$2 size=$3 rate=$4 secs=$5 kind=$6 gen col b0 b1 rss=null hwm=null
	local vst=null vst0=null t0=null t1=null rx0 rx1 dr0 dr1

	"$VXBENCH" reset -d "$PIN" || die "resetting the counters in $PIN failed"
	[ -n "${VXF_PID:-}" ] && vst0=$(vxfwd_stats)
	b0=$(cpu_busy)
	rx0=$(net_rx)
	dr0=$(dev_drops)
	[ -n "${VXF_PID:-}" ] && t0=$(daemon_ticks)
	# shellcheck disable=SC2046 # no option, or words
	gen=$(lab_mirror $(gen_nice) taskset -c "$GEN_CPU" "$VXBENCH" gen -i eth0 -D "$LAB_ENS5_MAC" \
		-s "$size" -r "$rate" -t "$secs" -c "$GEN_CPU" $(gen_args)) ||
		die "generator failed ($peer, $size bytes, $XDP_MODE)"
	sleep 0.5
	b1=$(cpu_busy)
	rx1=$(net_rx)
	dr1=$(dev_drops)
	col=$("$VXBENCH" read -d "$PIN") || die "reading the counters in $PIN failed"
	if [ -n "${VXF_PID:-}" ]; then
		t1=$(daemon_ticks)
		rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$VXF_PID/status" 2>/dev/null)
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$VXF_PID/status" 2>/dev/null)
		vst=$(vxfwd_stats)
	fi
	printf '{"peer": "%s", "placement": "%s", "xdp_mode": "%s", "inner": "%s", "run": %s, "size": %s, "kind": "%s", "gen": %s, "col": %s, "gen_cpu": %s, "fwd_cpu": %s, "net_rx": [%s], "net_rx_after": [%s], "drops0": %s, "drops": %s, "cpu_busy": [%s], "cpu_busy_after": [%s], "hz": %s, "rss_kb": %s, "hwm_kb": %s, "daemon_ticks": [%s, %s], "vxfwd_stats0": %s, "vxfwd_stats": %s}\n' \
		"$peer" "$PLACEMENT" "$XDP_MODE" "$INNER" "$run" "$size" "$kind" "$gen" "$col" "$GEN_CPU" "$FWD_CPU" "$rx0" "$rx1" "$dr0" "$dr1" "${b0// /, }" "${b1// /, }" \
		"$(getconf CLK_TCK)" "${rss:-null}" "${hwm:-null}" "${t0:-null}" "${t1:-null}" "$vst0" "$vst" | tee -a "$OUT/trials.jsonl" |
		"$PY" "$BENCH_DIR/report.py" --line >&2
}

# Where the time went: by command, then the daemon's and the generator's
# context (XDP runs there inline) by symbol, then the daemon's stacks by stage.
profile_report()
{
	local data=$1 comm

	perf report -i "$data" --no-children --sort comm --stdio -g none 2>/dev/null |
		grep -v '^#' | grep . | head -n 12
	for comm in vxfwd vxbench; do
		printf '\n== %s, by symbol\n' "$comm"
		perf report -i "$data" --no-children --comms "$comm" --sort sym --stdio -g none \
			2>/dev/null | grep -v '^#' | grep . | head -n 25
	done
	printf '\n== vxfwd, by stage (share of its samples)\n'
	perf script -i "$data" --comms vxfwd -F ip,sym 2>/dev/null | awk -f "$BENCH_DIR/stages.awk"
}

# Last trial's figures: "sent good".
last_counts()
{
	tail -n 1 "$OUT/trials.jsonl" |
		"$PY" -c 'import json,sys; t=json.load(sys.stdin); print(t["gen"]["sent"], t["col"]["good"])'
}

# Zero-loss rate: binary search below the saturation figure.
search()
{
	local peer=$1 run=$2 size=$3 hi=$4 lo=0 mid i sent good

	for ((i = 0; i < SEARCH_STEPS; i++)); do
		mid=$(((lo + hi) / 2))
		[ "$i" -eq 0 ] && mid=$hi
		trial "$peer" "$run" "$size" "$mid" "$TRIAL_S" search
		read -r sent good < <(last_counts)
		if [ "$sent" -gt 0 ] && [ "$sent" -eq "$good" ]; then
			lo=$mid
			[ "$i" -eq 0 ] && break
		else
			hi=$mid
		fi
	done
	# Confirm the rate found and measure latency there (0: none found).
	[ "$lo" -gt 0 ] && trial "$peer" "$run" "$size" "$lo" "$TRIAL_S" zeroloss
	return 0
}

# Receive livelock: the daemon shares the generator's CPU, and so
# XDP's, under a rising offered rate.
sweep()
{
	local peer=$1 run=$2 size=$3 rate

	for rate in $RATES; do
		trial "$peer" "$run" "$size" "$rate" "$TRIAL_S" sweep
	done
}

measure_peer()
{
	local peer=$1 run=$2 size sent good sat perf=$OUT/perf-$PLACEMENT-$XDP_MODE-vxfwd-64

	for size in $SIZES; do
		if [ "$MODE" = gen-alone ]; then
			trial "$peer" "$run" "$size" 0 "$TRIAL_S" gen-alone
			continue
		fi
		if [ "$MODE" = soak ]; then
			trial "$peer" "$run" "$size" 200000 60 soak
			continue
		fi
		if [ "$MODE" = sweep ]; then
			sweep "$peer" "$run" "$size"
			continue
		fi
		if [ -n "$PROFILE" ] && [ "$peer" = vxfwd ] && [ "$size" = 64 ] && [ "$run" = 1 ]; then
			perf record -a -g -o "$perf.data" -- sleep "$((TRIAL_S + 1))" \
				>"$OUT/perf.log" 2>&1 &
			PERF_PID=$!
		fi
		trial "$peer" "$run" "$size" 0 "$TRIAL_S" saturation
		if [ -n "${PERF_PID:-}" ]; then
			wait "$PERF_PID"
			PERF_PID=
			profile_report "$perf.data" >"$perf.txt"
		fi
		[ "$MODE" = saturation ] && continue
		read -r sent good < <(last_counts)
		sat=$(tail -n 1 "$OUT/trials.jsonl" | "$PY" -c 'import json,sys; t=json.load(sys.stdin); print(int(t["col"]["good"] / t["gen"]["seconds"]))')
		search "$peer" "$run" "$size" "$sat"
	done
}

# unavailable PEER RUN WHY: a peer not measured in this cell, in the trials.
unavailable()
{
	printf '{"peer": "%s", "placement": "%s", "xdp_mode": "%s", "inner": "%s", "run": %s, "kind": "unavailable", "why": "%s"}\n' \
		"$1" "$PLACEMENT" "$XDP_MODE" "$INNER" "$2" "$3" >>"$OUT/trials.jsonl"
}

run_peer()
{
	local peer=$1 run=$2

	if [ "$INNER" = ipv6 ] && { [ "$peer" = xredir ] || [ "$peer" = drop ] || [ "$peer" = vxfwd-fanout ]; }; then
		unavailable "$peer" "$run" "IPv4 only"
		return 0
	fi
	if ! peer_up "$peer" >>"$OUT/peers.log" 2>&1; then
		note "$peer: set-up failed, peer skipped (see $OUT/peers.log)"
		unavailable "$peer" "$run" "set-up failed"
		peer_down "$peer"
		return 0
	fi
	pin_napi
	if [ "$peer" != drop ] && ! peer_warm; then
		note "$peer: no frame reached the collector, peer skipped"
		unavailable "$peer" "$run" "nothing delivered"
	else
		measure_peer "$peer" "$run"
	fi
	peer_down "$peer"
}

# The run's settings, and each vxfwd peer's run options, as JSON.
write_meta()
{
	local peer args=()

	for peer in $PEERS; do
		case $peer in
		vxfwd*) args+=("$peer" "$(variant_args "$peer") ${BENCH_VXFWD_ARGS:-}") ;;
		esac
	done
	"$PY" - "$MODE" "$PLACEMENTS" "$RUNS" "$SIZES" \
		"$PEERS" "$TRIAL_S" "$GEN_CPU" "$WORK_CPU" "$([ "$MODE" = sweep ] && echo "$RATES")" \
		"$(uname -r)" "$(nproc)" "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
		"$XDP_MODES" "$([ -n "$THREADED" ] && echo 1)" "$INNERS" "${args[@]}" <<-'EOF'
		import json, sys
		a = sys.argv[1:]
		v = a[15:]
		print(json.dumps({
		    'mode': a[0], 'placements': a[1].split(), 'runs': int(a[2]), 'sizes': a[3],
		    'peers': a[4], 'trial_s': int(a[5]), 'gen_cpu': int(a[6]), 'work_cpu': int(a[7]),
		    'rates': [int(r) for r in a[8].split()], 'kernel': a[9], 'cpus': int(a[10]),
		    'cpu_model': a[11], 'xdp_modes': a[12].split(), 'threaded': bool(a[13]),
		    'inners': a[14].split(),
		    'vxfwd_args': {v[i]: v[i + 1].strip() for i in range(0, len(v), 2)}}))
		EOF
}

main()
{
	local run peer

	[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, XDP, BPF_PROG_RUN)"
	[ "$(nproc)" -ge 2 ] || note "fewer than 2 CPUs: generator and forwarder share one"
	parse_args "$@"
	mkdir -p "$OUT" || die "$OUT: cannot create it"
	build
	lab_start
	note "lab up ($LAB_NS_M -> $LAB_NS_S -> $LAB_NS_C), results in $OUT"
	write_meta >"$OUT/meta.json" || die "$OUT/meta.json: cannot write it"
	for ((run = 1; run <= RUNS; run++)); do
		for PLACEMENT in $PLACEMENTS; do
			for XDP_MODE in $XDP_MODES; do
				place_cell
				for INNER in $INNERS; do
					for peer in $PEERS; do
						run_peer "$peer" "$run"
					done
				done
			done
		done
	done
	"$PY" "$BENCH_DIR/report.py" --meta "$OUT/meta.json" --json "$OUT/summary.json" \
		"$OUT/trials.jsonl" | tee "$OUT/table.txt"
}

main "$@"
