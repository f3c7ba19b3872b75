#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# doctor.sh VXFWD - `vxfwd doctor` in network namespaces shaped like the
# real sensor: ens5 (172.30.82.108/23) and ens6 as a port of br0
# (172.30.82.192/23) in one subnet, the collector 172.30.82.95 behind ens6.
# Every expectation is checked against the namespaces' own facts (the
# collector's MAC, the driver that refuses native XDP), not against a
# recorded transcript.  Cases:
#   lab        everything in place: exit 0, native XDP, next hop resolved on
#              br0 with the collector's MAC, the shared subnet explained
#   generic    ingress is an ifb device (no native XDP): refused with the
#              driver's reason, run uses generic mode, exit 0
#   native     the same with `xdp-mode native`: fail, exit 3
#   missing    egress interface absent: fail, exit 3
#   unresolved no neighbour entry for the target: warn, exit 0
#   ipv6       IPv6 DNAT targets: the one in br0's IPv6 subnet resolved with
#              the collector's MAC, the one outside it warned of (as IPv4's);
#              br0's IPv6 address removed: both warned of
#   rpfilter   strict rp_filter on ens5 with the shared subnet: warn
#   mtu        ens5 MTU 9000, ens6 MTU 1500: warn with the exact command
#   mtugeneve  the same with a geneve port: the GENEVE overhead is counted
#   running    vxfwd runs: doctor names its pid and recognises its pinned
#              program on ens5 instead of probing
#   busy       another tool's program attached to ens5: reported, not replaced
#   badrules   a rules file with errors: fail, exit 1
#   nocaps     run as nobody without capabilities: says which are missing and
#              that the BPF probes cannot tell, exit 3
#   json       doctor -j of the lab and of badrules: one JSON object (checked
#              with python3 -m json.tool), the same checks as the text, each
#              with subject, status, finding and hint, the rules' diagnostics
#              as check -j gives them, the overall result, and the exit status
#              of the text mode
set -u

vxfwd=$(realpath "$1")
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
t_need_root "needs root for network namespaces"
t_need_tools ip ethtool setpriv

lab_init pkg
tag=vxfpkg$$
S=$LAB_NS_S	# sensor
C=$LAB_NS_C	# collector
M=$LAB_NS_M	# mirror source
D=vxfd$LAB_ID	# sensor whose ingress has no native XDP (ifb)
work=$LAB_TMP
# Rules files are named after $tag: the instance name (and so the pin
# directory and pid file, shared by all namespaces) is their base name.
lab=$work/$tag.rules
LAB_INSTANCES+=("$tag")
LAB_FILES+=("/tmp/$tag-np.rules")

setup() {
	lab_small_up bridge
	lab_add_ns $D
	ip -n $D link add ens5 type ifb && ip -n $D link add ens6 type ifb &&
	ip -n $D link set ens5 up && ip -n $D link set ens6 up
}

rules() {
	local file=$1 mode=$2
	{
		printf 'ingress ens5 {\n\tvxlan port 4789\n\tvni 1\n'
		[ -n "$mode" ] && printf '\txdp-mode %s\n' "$mode"
		printf '}\n\negress ens6\n\n'
		printf 'forward udp from 198.51.100.10 to port 31765 dnat 172.30.82.95 port 8081\n'
	} >"$file"
}

# run_case NAME NS RULES EXPECTED_RC: runs doctor, keeps its output.
run_case() {
	local name=$1 ns=$2 file=$3 want=$4 rc
	lab_ns_exec "$ns" "$vxfwd" doctor -f "$file" >"$work/$name.out" 2>"$work/$name.err"
	rc=$?
	echo "--- $name: vxfwd doctor -f $file (exit $rc)"
	cat "$work/$name.out"
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, expected $want"
		sed 's/^/stderr: /' "$work/$name.err"
		T_FAILS=$((T_FAILS + 1))
	fi
}

# expect NAME REGEX: a line of the case's output must match.
expect() {
	if grep -Eq -- "$2" "$work/$1.out"; then
		echo "ok   $1: /$2/"
	else
		t_fail "$1: no line matches /$2/"
	fi
}

reject() {
	if grep -Eq -- "$2" "$work/$1.out"; then
		t_fail "$1: a line matches /$2/"
	else
		echo "ok   $1: no /$2/"
	fi
}

setup || { echo "FAIL: lab setup"; exit 1; }
rules "$lab" ""
rules "$work/${tag}n.rules" native
if ! "$vxfwd" check -q -f "$lab" 2>"$work/check.err"; then
	cat "$work/check.err"
	echo "FAIL: vxfwd check rejects the lab's rules file"
	exit 1
fi
printf 'ingress ens5 {\n\tvni 1\n}\negress ens6\nforward udp from 198.51.100.10 to port 99999 dnat 172.30.82.95\n' \
	>"$work/${tag}b.rules"

# Resolve the collector the way an operator would, then read its MAC.
lab_ns_exec $S ping -c 1 -W 2 -I br0 172.30.82.95 >/dev/null ||
	{ echo "FAIL: collector 172.30.82.95 not reachable on br0"; exit 1; }
cmac=$(ip -n $C -o link show c6 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

run_case lab $S "$lab" 0
expect lab '^ok    kernel: '
expect lab '^ok    ingress ens5: up, carrier, driver veth, MTU 1500'
expect lab '^ok    egress ens6: port of br0: next hops are looked up in br0'
expect lab '^ok    xdp ens5: native XDP attaches \(driver veth; tried and detached\)'
expect lab '^ok    mode: run will attach to ens5 in native mode \(xdp-mode auto\)'
expect lab "^ok    nexthop 172\.30\.82\.95: $cmac on br0 \((reachable|stale|delay)\)"
expect lab '^ok    subnet: ens5 172\.30\.82\.108/23 and br0 172\.30\.82\.192/23 share 172\.30\.82\.0/23'
expect lab '^ok    mtu: ens6 MTU 1500 sends every inner packet'
expect lab '^(ok    |warn  )aws: .*--no-source-dest-check'
reject lab '^fail'
# The probe left nothing attached.
if ip -n $S link show ens5 | grep -q xdp; then
	t_fail "lab: an XDP program is still attached to ens5"
else
	echo "ok   lab: nothing left attached to ens5"
fi

drv=unknown
if command -v ethtool >/dev/null; then
	drv=$(lab_ns_exec $D ethtool -i ens5 2>/dev/null | awk '/^driver:/ { print $2 }')
	drv=${drv:-unknown}
fi
# The daemon itself: doctor must recognise it rather than probe.
lab_bg "$work/run.log" $S "$vxfwd" run -f "$lab"
pid=$LAB_BG_PID
lab_wait_forwarding $pid "$work/run.log"
if kill -0 $pid 2>/dev/null; then
	run_case running $S "$lab" 0
	expect running "^ok    instance $tag: running \(pid $pid\)"
	expect running "^ok    xdp ens5: instance $tag's program is attached \(native mode, id [0-9]+\)"
	kill -TERM $pid
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || t_fail "running: vxfwd run exited $rc on SIGTERM"
else
	sed 's/^/run: /' "$work/run.log"
	t_fail "running: vxfwd run did not start"
fi

run_case generic $D "$lab" 0
expect generic "^(ok    |warn  )ingress ens5: up, .*driver $drv, "
expect generic "^warn  xdp ens5: native XDP refused by driver $drv: .*(native|support)"
expect generic '^warn  mode: run will attach to ens5 in generic mode \(xdp-mode auto\)'
expect generic '^ok    subnet: ens5 and ens6 share no IPv4 subnet'

if "$vxfwd" check -q -f "$work/${tag}n.rules" 2>/dev/null; then
	run_case native $D "$work/${tag}n.rules" 3
	expect native '^fail  mode: run will fail: xdp-mode native, and the driver refuses it'
else
	echo "skip native: this build's rules language has no xdp-mode"
fi

ip -n $D link del ens6
run_case missing $D "$lab" 3
expect missing '^fail  egress ens6: no such interface: run would fail'

ip -n $S neigh flush dev br0
ip -n $C link set c6 down
run_case unresolved $S "$lab" 0
expect unresolved '^warn  nexthop 172\.30\.82\.95: (no entry in br0|not resolved on br0)'
ip -n $C link set c6 up

# IPv6 DNAT targets: one in br0's IPv6 subnet (resolved by NDP, its MAC
# shown), one in no IPv6 subnet of br0 (warned of as an IPv4 one is).
lab_sysctl $S net.ipv6.conf.br0.disable_ipv6=0 net.ipv6.conf.br0.router_solicitations=0
lab_sysctl $C net.ipv6.conf.c6.disable_ipv6=0 net.ipv6.conf.c6.router_solicitations=0
ip -n $S addr add $LAB_BR0_ADDR6/$LAB_PLEN6 dev br0 nodad &&
	ip -n $C addr add $LAB_COLLECTOR_ADDR6/$LAB_PLEN6 dev c6 nodad ||
	{ echo "FAIL: ipv6: cannot add the addresses"; exit 1; }
lab_ns_exec $S ping -6 -c 1 -W 2 -I br0 $LAB_COLLECTOR_ADDR6 >/dev/null ||
	t_fail "ipv6: collector $LAB_COLLECTOR_ADDR6 not reachable on br0"
{
	printf 'ingress ens5 {\n\tvni 1\n}\n\negress ens6\n\n'
	printf 'forward udp from 2001:db8:1::/64 to port 31765 dnat %s port 8081\n' $LAB_COLLECTOR_ADDR6
	printf 'forward tcp from 2001:db8:1::/64 to port 31766 dnat 2001:db8:77::1 port 8082\n'
} >"$work/${tag}6.rules"
run_case ipv6 $S "$work/${tag}6.rules" 0
expect ipv6 "^ok    rules $work/${tag}6.rules: 2 forward rules, 2 DNAT targets"
expect ipv6 "^ok    nexthop fd00:82::95: $cmac on br0 \((reachable|stale|delay)\)"
reject ipv6 '^warn  nexthop fd00:82::95: not in an IPv6 subnet'
expect ipv6 '^warn  nexthop 2001:db8:77::1: not in an IPv6 subnet of br0: vxfwd does not route, .* \[put the target on the egress link, or pin next-hop mac\]'
expect ipv6 '^warn  nexthop 2001:db8:77::1: no entry in br0.s IPv6 neighbour table yet'
ip -n $S addr del $LAB_BR0_ADDR6/$LAB_PLEN6 dev br0
run_case ipv6-noaddr $S "$work/${tag}6.rules" 0
expect ipv6-noaddr '^warn  nexthop fd00:82::95: not in an IPv6 subnet of br0'

lab_ns_exec $S sysctl -q -w net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ens5.rp_filter=1
run_case rpfilter $S "$lab" 0
expect rpfilter '^warn  rp_filter: ens5 is strict and shares a subnet with br0: .* \[sysctl -w '
lab_ns_exec $S sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.ens5.rp_filter=2
run_case rploose $S "$lab" 0
expect rploose '^ok    rp_filter: ens5 is loose'

ip -n $M link set m5 mtu 9000 && ip -n $S link set ens5 mtu 9000
run_case mtu $S "$lab" 0
expect mtu '^ok    mtu: ens5 MTU 9000 carries inner packets up to 8950 bytes whole'
expect mtu '^warn  mtu: ens6 MTU 1500 is below the 8950 bytes .* \[ip link set dev ens6 mtu 8950\]'
expect mtu '^ok    xdp ens5: native XDP attaches'
# Behind a Gateway Load Balancer the GENEVE layer and its options come on top.
sed 's/^\tvxlan port 4789$/&\n\tgeneve port 6081/' "$lab" >"$work/${tag}g.rules"
run_case mtugeneve $S "$work/${tag}g.rules" 0
expect mtugeneve '^ok    mtu: ens5 MTU 9000 carries inner packets up to 8882 bytes whole \(50 of VXLAN overhead and 68 of GENEVE with the GWLB.s 32 bytes of options\)'
expect mtugeneve '^warn  mtu: ens6 MTU 1500 is below the 8882 bytes .* \[ip link set dev ens6 mtu 8882\]'

# A program someone else attached must be reported and left in place.
busy_obj=$work/pass.o
if printf '%s\n' '#include <linux/bpf.h>' \
	'__attribute__((section("xdp"), used)) int pass(struct xdp_md *c) { return XDP_PASS; }' \
	'char _license[] __attribute__((section("license"), used)) = "GPL";' |
	clang -O2 -g -target bpf -x c -c - -o "$busy_obj" -I/usr/include/"$(gcc -print-multiarch)" 2>"$work/clang.err" &&
	lab_ns_exec $S ip link set dev ens5 xdpgeneric obj "$busy_obj" sec xdp 2>"$work/ip.err"; then
	before=$(ip -n $S -d link show ens5 | grep -o 'prog/xdp id [0-9]*')
	run_case busy $S "$lab" 0
	expect busy '^warn  xdp ens5: a program of another tool is attached \(generic mode, id [0-9]+\): run will fail'
	after=$(ip -n $S -d link show ens5 | grep -o 'prog/xdp id [0-9]*')
	if [ -n "$before" ] && [ "$before" = "$after" ]; then
		echo "ok   busy: $before still attached"
	else
		t_fail "busy: attached program changed: '$before' -> '$after'"
	fi
else
	echo "skip busy: cannot attach a test program:"
	cat "$work/clang.err" "$work/ip.err" 2>/dev/null
fi

run_case badrules $S "$work/${tag}b.rules" 1
expect badrules "^fail  rules $work/${tag}b.rules: has errors"

if command -v setpriv >/dev/null; then
	install -m 0644 "$lab" "/tmp/$tag-np.rules"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$vxfwd" doctor -f "/tmp/$tag-np.rules" >"$work/nocaps.out" 2>"$work/nocaps.err"
	rc=$?
	echo "--- nocaps: vxfwd doctor as nobody (exit $rc)"
	cat "$work/nocaps.out"
	[ $rc -eq 3 ] || t_fail "nocaps: exit $rc, expected 3"
	expect nocaps '^fail  privileges: missing CAP_BPF .*CAP_NET_ADMIN .*CAP_NET_RAW '
	expect nocaps '^warn  bpf: cannot probe XDP and ring buffer support without CAP_BPF'
	expect nocaps '^fail  program: the kernel refuses .*\[needs CAP_BPF and CAP_NET_ADMIN\]'
else
	echo "skip nocaps: setpriv not installed"
fi

# json_case NAME NS RULES EXPECTED_RC: doctor -j against the text of case NAME.
json_case() {
	local name=$1 ns=$2 file=$3 want=$4 rc
	lab_ns_exec "$ns" "$vxfwd" doctor --json --file "$file" >"$work/$name.json" 2>"$work/$name.jerr"
	rc=$?
	echo "--- $name: vxfwd doctor -j -f $file (exit $rc)"
	if [ "$rc" -ne "$want" ]; then
		t_fail "$name -j: exit $rc, expected $want"
	fi
	if /usr/bin/python3 -m json.tool "$work/$name.json" >/dev/null; then
		echo "ok   $name -j: python3 -m json.tool accepts it"
	else
		echo "FAIL $name -j: not JSON:"
		sed 's/^/  /' "$work/$name.json"
		T_FAILS=$((T_FAILS + 1))
		return
	fi
	# The text's lines, "status  subject: finding [hint]", are the JSON's checks.
	if /usr/bin/python3 - "$work/$name.json" "$work/$name.out" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
text = [l.rstrip("\n") for l in open(sys.argv[2]) if l.strip()]
checks = doc["checks"]
assert set(doc) == {"file", "instance", "checks", "diagnostics", "warnings", "failures",
                    "result"}, doc.keys()
assert len(checks) == len(text), (len(checks), len(text))
for c, line in zip(checks, text):
    assert set(c) == {"subject", "status", "finding", "hint"}, c
    assert c["status"] in ("ok", "warn", "fail"), c
    want = "%-4s  %s: %s" % (c["status"], c["subject"], c["finding"])
    if c["hint"] is not None:
        want += " [%s]" % c["hint"]
    # doctor -j says where the rules' errors went instead of "(above)".
    line = line.replace("(above)", "(in diagnostics)")
    # A neighbour's state may move between the two runs.
    if c["subject"].startswith("nexthop "):
        want, line = want.split(": ")[0], line.split(": ")[0]
    assert line == want, (line, want)
st = [c["status"] for c in checks]
assert doc["failures"] == st.count("fail"), doc["failures"]
assert doc["warnings"] == st.count("warn"), doc["warnings"]
worst = "fail" if "fail" in st else "warn" if "warn" in st else "ok"
assert doc["result"] == worst, (doc["result"], worst)
print("checks: %d, result: %s" % (len(checks), doc["result"]))
EOF
	then
		echo "ok   $name -j: the checks of the text, each with subject, status, finding, hint"
	else
		t_fail "$name -j: the JSON does not match the text"
	fi
}

# The lab once more (its neighbour resolved again) for text and JSON alike.
lab_ns_exec $S ping -c 1 -W 2 -I br0 172.30.82.95 >/dev/null
run_case jsonlab $S "$lab" 0
json_case jsonlab $S "$lab" 0
grep -q '"subject": "nexthop 172.30.82.95"' "$work/jsonlab.json" &&
	echo "ok   jsonlab -j: the next hop is a subject of its own" ||
	t_fail "jsonlab -j: no check with subject 'nexthop 172.30.82.95'"
json_case badrules $S "$work/${tag}b.rules" 1
grep -q '"result": "fail"' "$work/badrules.json" &&
	echo "ok   badrules -j: result fail" ||
	t_fail "badrules -j: result is not fail"
# The rules' error as check -j gives it, in the object rather than on stderr.
if /usr/bin/python3 - "$work/badrules.json" "$work/${tag}b.rules" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
errs = [x for x in doc["diagnostics"] if x["severity"] == "error"]
assert len(errs) == 1, doc["diagnostics"]
e = errs[0]
assert e["file"] == sys.argv[2] and e["line"] == 5 and e["column"] == 40, e
assert "99999" in e["message"] and isinstance(e["notes"], list), e
EOF
then
	echo "ok   badrules -j: the error in diagnostics with its file, line and column"
else
	t_fail "badrules -j: diagnostics: $(cat "$work/badrules.json")"
fi
if [ -s "$work/badrules.jerr" ]; then
	t_fail "badrules -j: stderr: $(cat "$work/badrules.jerr")"
else
	echo "ok   badrules -j: nothing on stderr"
fi

t_done doctor
