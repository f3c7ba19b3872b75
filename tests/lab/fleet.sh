# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash disable=SC2034
#
# tests/lab/fleet.sh - a scale-out lab: AWS Traffic Mirroring to a Network
# Load Balancer in front of three sensors, out of network namespaces.
# Sourced by tests/e2e/vxfwd-fleet.sh and bench/fleet.sh; builds on lib.sh.
#
#   mirror (vxfmID) eth0 172.30.80.20/24 --VXLAN to the VIP 172.30.80.1:4789
#     |
#   lb (vxflID)  mir 172.30.80.1/24; br0 172.30.82.1/23 over l1 l2 l3
#                nftables: jhash of the outer 5-tuple -> 60 buckets ->
#                map @bucket -> ip daddr set (stateless, the source kept);
#                lbhealth.py rewrites the map from each sensor's /healthz;
#                prometheus (fleet_prom_start) scrapes the sensors and
#                evaluates the shipped alert rules
#     |  l1, l2, l3
#   sensor K (vxfsKID)  ens5 172.30.82.11K/23  vxfwd run, health listener :9000
#                       ens6 172.30.82.19K/23
#     |  e1, e2, e3
#   egress switch (vxfeID) br0 over e1 e2 e3 c0
#     |  c0
#   collector (vxfcID) eth0 172.30.82.95/23, UDP 8081 / TCP 8082
#
# The load balancer rewrites the destination statelessly (no conntrack): a
# frame follows the map as it is when it passes, so a flow moves as soon as
# its bucket does, as behind an NLB whose target turned unhealthy.
# fleet_use K points lib.sh's single-sensor helpers (lab_maps,
# lab_vxfwd_start, lab_leakcheck, ...) at sensor K.

# shellcheck source=tests/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLEET_N=3
FLEET_VIP=172.30.80.1
FLEET_MIRROR_ADDR=172.30.80.20
FLEET_LB_ADDR=172.30.82.1
FLEET_GENEVE_PORT=6081
FLEET_HEALTH_PORT=9000
FLEET_PROM_PORT=9090
FLEET_BUCKETS=60
FLEET_INTERVAL=${FLEET_INTERVAL:-1}
FLEET_TIMEOUT=${FLEET_TIMEOUT:-0.5}
FLEET_RULES=$LAB_DIR/rules/lab.rules
FLEET_PID=()
FLEET_BASE_SEQ=1

fleet_ens5_addr() { echo "172.30.82.11$1"; }
fleet_ens6_addr() { echo "172.30.82.19$1"; }

# fleet_ks [K...]: the sensors named, or every one.
fleet_ks()
{
	if [ $# -gt 0 ]; then echo "$@"; else seq 1 $FLEET_N; fi
}

# fleet_init [TAG]: lib.sh's checks and trap, and the namespaces' names.
fleet_init()
{
	local k

	lab_require
	command -v nft >/dev/null || lab_die "nft: not installed (scripts/install-deps.sh installs nftables)"
	lab_init "${1:-}"
	FLEET_NS_LB=vxfl$LAB_ID
	FLEET_NS_E=vxfe$LAB_ID
	for ((k = 1; k <= FLEET_N; k++)); do
		FLEET_NS_S[k]=vxfs$k$LAB_ID
		FLEET_NAME[k]=vxffleet$k$LAB_ID
	done
}

# The namespaces and their wires; fills the FLEET_*_MAC arrays.
fleet_up()
{
	local k s lb=$FLEET_NS_LB e=$FLEET_NS_E ports=() eports=()

	lab_add_ns "$LAB_NS_M"
	lab_add_ns "$lb"
	lab_add_ns "$e"
	lab_add_ns "$LAB_NS_C"
	lab_veth "$LAB_NS_M" eth0 "$lb" mir $LAB_MIRROR_MTU
	ip -n "$LAB_NS_M" addr add $FLEET_MIRROR_ADDR/24 dev eth0 &&
		ip -n "$lb" addr add $FLEET_VIP/24 dev mir ||
		lab_die "mirror <-> load balancer: cannot add the addresses"
	for ((k = 1; k <= FLEET_N; k++)); do
		s=${FLEET_NS_S[k]}
		lab_add_ns "$s"
		lab_veth "$s" ens5 "$lb" "l$k" $LAB_MIRROR_MTU
		lab_veth "$s" ens6 "$e" "e$k" $LAB_EGRESS_MTU
		# ens5 first: as on the real host the /23's route (and so the
		# DNAT target's) points at ens5; vxfwd resolves on ens6 itself.
		ip -n "$s" addr add "$(fleet_ens5_addr $k)/$LAB_PLEN" dev ens5 &&
			ip -n "$s" addr add "$(fleet_ens6_addr $k)/$LAB_PLEN" dev ens6 ||
			lab_die "sensor $k: cannot add the addresses"
		ports+=("l$k")
		eports+=("e$k")
	done
	lab_veth "$LAB_NS_C" eth0 "$e" c0 $LAB_EGRESS_MTU
	lab_bridge "$lb" br0 $LAB_MIRROR_MTU "${ports[@]}"
	lab_bridge "$e" br0 $LAB_EGRESS_MTU "${eports[@]}" c0
	ip -n "$lb" addr add $FLEET_LB_ADDR/$LAB_PLEN dev br0 &&
		ip -n "$LAB_NS_C" addr add $LAB_COLLECTOR_ADDR/$LAB_PLEN dev eth0 ||
		lab_die "load balancer, collector: cannot add the addresses"
	lab_sysctl "$lb" net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	lab_sysctl "$LAB_NS_C" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0
	for ((k = 1; k <= FLEET_N; k++)); do
		s=${FLEET_NS_S[k]}
		lab_wait 10 lab_link_up "$s" ens5 && lab_wait 10 lab_link_up "$s" ens6 ||
			lab_die "sensor $k: ens5 or ens6 not up"
		FLEET_ENS5_MAC[k]=$(lab_mac "$s" ens5)
		FLEET_ENS6_MAC[k]=$(lab_mac "$s" ens6)
	done
	lab_wait 10 lab_link_up "$lb" br0 && lab_wait 10 lab_link_up "$e" br0 ||
		lab_die "a bridge is not up"
	LAB_MIRROR_MAC=$(lab_mac "$LAB_NS_M" eth0)
	FLEET_VIP_MAC=$(lab_mac "$lb" mir)
	LAB_COLLECTOR_MAC=$(lab_mac "$LAB_NS_C" eth0)
	LAB_EGRESS_MACS="${FLEET_ENS6_MAC[*]}"
	fleet_lb_rules
	lab_log "fleet up: mirror $LAB_NS_M, load balancer $lb (VIP $FLEET_VIP), sensors ${FLEET_NS_S[*]}, switch $e, collector $LAB_NS_C"
}

# The load balancer's nftables: UDP 4789 (VXLAN, as from a Network Load
# Balancer) or 6081 (GENEVE, as from a Gateway Load Balancer) to the VIP
# hashed over the outer 5-tuple into a bucket, the bucket's sensor written
# as the destination before routing; a frame whose bucket has no sensor is
# dropped and counted (fleet_lb_dropped).
fleet_lb_rules()
{
	local err

	err=$(lab_ns_exec "$FLEET_NS_LB" nft -f - 2>&1 <<EOF
table ip vxlb {
	map bucket {
		typeof numgen inc mod 2 : ip daddr
	}
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip daddr $FLEET_VIP udp dport { $LAB_VXLAN_PORT, $FLEET_GENEVE_PORT } notrack ip daddr set jhash ip saddr . udp sport . ip daddr . udp dport . ip protocol mod $FLEET_BUCKETS seed 0x76786677 map @bucket
		ip daddr $FLEET_VIP udp dport { $LAB_VXLAN_PORT, $FLEET_GENEVE_PORT } counter drop
	}
}
EOF
) || lab_die "load balancer: nft -f: $err"
}

# fleet_lb_dropped: the frames to the VIP the load balancer dropped, no
# sensor being in their bucket, since fleet_lb_rules.
fleet_lb_dropped()
{
	lab_ns_exec "$FLEET_NS_LB" nft list chain ip vxlb pre |
		awk '$NF == "drop" { for (i = 1; i < NF; i++) if ($i == "packets") n = $(i + 1) }
			END { if (n == "") exit 1; print n }'
}

# fleet_use K: lib.sh's single-sensor variables point at sensor K.
fleet_use()
{
	local k=$1

	LAB_NS_S=${FLEET_NS_S[k]}
	LAB_ENS5_MAC=${FLEET_ENS5_MAC[k]}
	LAB_ENS6_MAC=${FLEET_ENS6_MAC[k]}
	LAB_VXFWD_LOG=$LAB_TMP/vxfwd$k.log
	LAB_VXFWD_NAME=${FLEET_NAME[k]}
	LAB_PINS=$LAB_BPFFS/vxfwd/${FLEET_NAME[k]}
	LAB_VXFWD_PID=${FLEET_PID[k]:-}
}

# fleet_rules K: the lab's rules with sensor K's health listener.
fleet_rules()
{
	local k=$1 f=$LAB_TMP/sensor$1.rules

	{
		cat "$FLEET_RULES"
		printf '\nhealth listen %s port %d\n' "$(fleet_ens5_addr "$k")" $FLEET_HEALTH_PORT
	} >"$f"
	echo "$f"
}

# fleet_vxfwd_start K: vxfwd run in sensor K, attached, next hop resolved.
fleet_vxfwd_start()
{
	local k=$1

	fleet_use "$k"
	lab_vxfwd_start "$(fleet_rules "$k")" "${FLEET_NAME[k]}"
	FLEET_PID[k]=$LAB_VXFWD_PID
	lab_wait_nexthop "$LAB_COLLECTOR_ADDR"
}

# fleet_lb_start [K...]: the health checker over sensors K (default all).
fleet_lb_start()
{
	local k args=()

	for k in $(fleet_ks "$@"); do
		args+=(--backend "$(fleet_ens5_addr "$k")")
	done
	lab_bg "$LAB_TMP/lbhealth.log" "$FLEET_NS_LB" "$LAB_PY" "$LAB_DIR/lbhealth.py" \
		--port $FLEET_HEALTH_PORT --interval "$FLEET_INTERVAL" --timeout "$FLEET_TIMEOUT" \
		--buckets $FLEET_BUCKETS "${args[@]}"
	FLEET_LB_PID=$LAB_BG_PID
	FLEET_LB_BACKENDS=$((${#args[@]} / 2))
}

# The load balancer's last map line ("map 60 buckets: A=20 ...").
fleet_lb_map()
{
	grep ' map ' "$LAB_TMP/lbhealth.log" | tail -n 1 | cut -d' ' -f2-
}

# fleet_lb_has COUNT: the last map gives every one of COUNT sensors buckets.
fleet_lb_has()
{
	kill -0 "$FLEET_LB_PID" || return 125
	fleet_lb_map | awk -v n="$1" -v b=$FLEET_BUCKETS '
		{ k = 0; for (i = 4; i <= NF; i++) if ($i !~ /=0$/) k++; ok = k == n && $2 == b }
		END { exit !ok }'
}

# fleet_lb_wait COUNT: until COUNT sensors are in the map (15 s at most).
fleet_lb_wait()
{
	lab_wait 15 fleet_lb_has "$1" && return 0
	lab_die "load balancer: not $1 healthy sensors after 15 s: $(tail -n 6 "$LAB_TMP/lbhealth.log")"
}

# The whole fleet: collector listening, every vxfwd running and healthy in
# the load balancer's map, each sensor's counters as a base.
fleet_setup()
{
	local k

	[ -n "$LAB_TMP" ] || fleet_init
	fleet_up
	lab_collector_listen
	for ((k = 1; k <= FLEET_N; k++)); do
		fleet_vxfwd_start "$k"
	done
	fleet_lb_start
	fleet_lb_wait $FLEET_N
	fleet_bases
}

# fleet_bases [K...]: each sensor's counters now, the base of its checks.
fleet_bases()
{
	local k

	for k in $(fleet_ks "$@"); do
		fleet_use "$k"
		lab_maps counters >"$LAB_TMP/base$k.json" || lab_die "sensor $k: cannot read the counters"
	done
}

# fleet_window TAG: each sensor's counters since its base in TAGK.json and
# the load balancer's drops in TAG.lb, the account of a stream (fleet.py
# failover --window) taken before anything restarts or rebases.
fleet_window()
{
	local k

	for k in $(fleet_ks); do
		fleet_use "$k"
		lab_maps counters --base "$LAB_TMP/base$k.json" >"$LAB_TMP/$1$k.json" ||
			lab_die "sensor $k: cannot read the counters"
	done
	fleet_lb_dropped >"$LAB_TMP/$1.lb" || lab_die "load balancer: cannot read its drop counter"
}

# fleet_gen TAG ARGS...: frames for the VIP (gen.py; ARGS: --mix, --flows...).
fleet_gen()
{
	local tag=$1
	shift
	lab_gen --dst-mac "$FLEET_VIP_MAC" --outer-src $FLEET_MIRROR_ADDR --outer-dst $FLEET_VIP \
		--out "$LAB_TMP/$tag.pcap" --manifest "$LAB_TMP/$tag.json" "$@" >/dev/null ||
		lab_die "gen.py failed"
}

# fleet_pyargs: the --pins/--base pairs of every sensor for fleet.py.
fleet_pyargs()
{
	local k

	for ((k = 1; k <= FLEET_N; k++)); do
		printf -- '--sensor\n%s\n%s\n%s\n%s\n' "$k" "$LAB_BPFFS/vxfwd/${FLEET_NAME[k]}" \
			"$LAB_TMP/base$k.json" "${FLEET_ENS6_MAC[k]}"
	done
}

fleet_py()
{
	local cmd=$1 a=()
	shift
	mapfile -t a < <(fleet_pyargs)
	"$LAB_PY" "$LAB_DIR/fleet.py" "$cmd" --abi "$LAB_SRCDIR/bpf/vxfwd_abi.h" "${a[@]}" "$@"
}

# fleet_send PCAP PPS: replay from the mirror source; return once the
# sensors' XDP programs have seen every frame (mirror frames: RX - PASS).
fleet_send()
{
	local pcap=$1 pps=$2 out sent

	out=$(lab_mirror tcpreplay -i eth0 --pps="$pps" "$pcap" 2>&1) || lab_die "tcpreplay $pcap: $out"
	printf '%s\n' "$out" >>"$LAB_TMP/tcpreplay.log"
	grep -q 'Failed packets: *0' <<<"$out" || lab_die "tcpreplay $pcap: some frames were not sent: $out"
	sent=$(awk '/Successful packets:/ { print $3 }' <<<"$out")
	FLEET_SENT=$((${FLEET_SENT:-0} + sent))
	fleet_wait_seen "$FLEET_SENT"
}

# fleet_wait_seen N: until the sensors' XDP saw N mirror frames since the bases.
fleet_wait_seen()
{
	lab_wait 15 fleet_py seen --count "$1" >/dev/null ||
		lab_die "the sensors did not see the $1 frames sent: $(fleet_py seen --count "$1")"
}

# fleet_drained [K...]: every ring of the running sensors K emptied.
fleet_drained()
{
	local k

	for k in $(fleet_ks "$@"); do
		fleet_use "$k"
		lab_wait_drained
	done
}

# fleet_captures_start: the collector's eth0 and, on the load balancer's
# side of each ens5 wire, what each sensor sent (l1 l2 l3, direction in).
fleet_captures_start()
{
	local k

	lab_capture_start "$LAB_NS_C" eth0 collector in
	for ((k = 1; k <= FLEET_N; k++)); do
		lab_capture_start "$FLEET_NS_LB" "l$k" "ens5wire$k" in
	done
}

fleet_captures_stop()
{
	local k

	lab_capture_stop collector
	for ((k = 1; k <= FLEET_N; k++)); do
		lab_capture_stop "ens5wire$k"
	done
}

# fleet_leakcheck [ARGS]: nothing mirror-derived left any sensor's ens5
# (ARGS: more of leakcheck.py's, e.g. the ports mirror traffic goes to).
fleet_leakcheck()
{
	local k rc=0

	for ((k = 1; k <= FLEET_N; k++)); do
		fleet_use "$k"
		printf 'sensor %d: ' "$k"
		lab_leakcheck "$LAB_TMP/ens5wire$k.pcap" --addr $FLEET_MIRROR_ADDR "$@" || rc=1
	done
	return $rc
}

# fleet_prom_start: Prometheus in the load balancer's namespace scraping
# every sensor's /metrics each second and evaluating the shipped alert
# rules (packaging/prometheus/vxfwd-alerts.yml) each second; its files in a
# directory of its own that lab_cleanup removes.  The configuration is the
# man page's (vxfwd(8), SCALING OUT) with the lab's rules path and targets
# put in and the intervals before it: the lab checks what operators copy.
FLEET_PROM_RULES=$LAB_SRCDIR/packaging/prometheus/vxfwd-alerts.yml
fleet_prom_start()
{
	local dir k targets=''

	command -v prometheus >/dev/null ||
		lab_die "prometheus: not installed (scripts/install-deps.sh installs it)"
	dir=$(mktemp -d "${TMPDIR:-/tmp}/vxfwd-prom.XXXXXX") || lab_die "mktemp failed"
	LAB_DIRS+=("$dir")
	for ((k = 1; k <= FLEET_N; k++)); do
		targets+="${targets:+, }\"$(fleet_ens5_addr $k):$FLEET_HEALTH_PORT\""
	done
	{
		printf 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n'
		fleet_man_prom_config | sed -e "s|/usr/share/vxfwd/prometheus/vxfwd-alerts.yml|$FLEET_PROM_RULES|" \
			-e "s|targets: \[.*\]|targets: [$targets]|"
	} >"$dir/prometheus.yml"
	grep -q "^  - $FLEET_PROM_RULES\$" "$dir/prometheus.yml" &&
		grep -q "^ *- targets: \[$targets\]\$" "$dir/prometheus.yml" &&
		grep -q '^  - job_name: vxfwd$' "$dir/prometheus.yml" ||
		lab_die "vxfwd(8)'s Prometheus configuration is not the shape the lab expects: $(cat "$dir/prometheus.yml")"
	FLEET_PROM_URL=http://$FLEET_LB_ADDR:$FLEET_PROM_PORT
	lab_bg "$LAB_TMP/prometheus.log" "$FLEET_NS_LB" prometheus \
		--config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
		--web.listen-address="$FLEET_LB_ADDR:$FLEET_PROM_PORT" --log.level=warn
	FLEET_PROM_PID=$LAB_BG_PID
	FLEET_PROM_DIR=$dir
	lab_wait 30 fleet_prom_ready ||
		lab_die "prometheus did not become ready: $(tail -n 5 "$LAB_TMP/prometheus.log")"
}

# The example prometheus.yml of vxfwd(8): the literal display that starts
# with rule_files.
fleet_man_prom_config()
{
	awk '/^rule_files:$/ { on = 1 } on && /^\.Ed$/ { exit } on' "$LAB_SRCDIR/man/vxfwd.8" | grep . ||
		lab_die "man/vxfwd.8: no example prometheus.yml (a display starting with rule_files:)"
}

fleet_prom_ready()
{
	kill -0 "$FLEET_PROM_PID" || return 125
	lab_ns_exec "$FLEET_NS_LB" "$LAB_PY" "$LAB_DIR/fleet.py" prom --url "$FLEET_PROM_URL" \
		--ready >/dev/null
}

# fleet_prom QUERY...: the instant query's result as "LABELS VALUE" lines.
fleet_prom()
{
	lab_ns_exec "$FLEET_NS_LB" "$LAB_PY" "$LAB_DIR/fleet.py" prom --url "$FLEET_PROM_URL" "$@"
}

# fleet_prom_api rules|alerts ARGS...: fleet.py's reading of Prometheus' API.
fleet_prom_api()
{
	local cmd=$1
	shift
	lab_ns_exec "$FLEET_NS_LB" "$LAB_PY" "$LAB_DIR/fleet.py" "$cmd" --url "$FLEET_PROM_URL" "$@"
}

fleet_prom_stop()
{
	lab_kill "$FLEET_PROM_PID"
	rm -rf "$FLEET_PROM_DIR"
}
