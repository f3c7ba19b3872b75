#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# unit-caps.sh VXFWD UNIT - the capabilities vxfwd.service grants are
# enough: `vxfwd doctor` and `vxfwd run` are started with exactly the unit's
# AmbientCapabilities/CapabilityBoundingSet, NoNewPrivileges and the
# noroot securebits (setpriv(1) standing in for systemd, which is not PID 1
# here), in network namespaces shaped like the sensor.  run must load,
# attach natively to ens5, pin under the BPF file system, drop capabilities
# it no longer needs, and on SIGTERM detach and exit 0.  Says so when a
# granted capability turns out not to be needed for the program to load.
set -u

vxfwd=$(realpath "$1")
unit=$2
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
t_need_root "needs root"
t_need_tools setpriv
[ -x "$vxfwd" ] || { echo "FAIL: $vxfwd not built"; exit 1; }

caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit")
bound=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] && [ "$caps" = "$bound" ] ||
	{ echo "FAIL: $unit: AmbientCapabilities '$caps' and CapabilityBoundingSet '$bound' differ"; exit 1; }
capset() {
	local c out=-all
	for c in "$@"; do
		c=${c#CAP_}
		out="$out,+${c,,}"
	done
	echo "$out"
}
set_all=$(capset $caps)
echo "unit grants: $caps ($set_all)"

lab_init pkgcap
tag=vxfpkgcap$$
S=$LAB_NS_S
work=$LAB_TMP
LAB_INSTANCES+=("$tag")
lab_small_up
printf 'ingress ens5 {\n\tvxlan port 4789\n\tvni 1\n}\negress ens6\n%s\n' \
	'forward udp from 198.51.100.10 to port 31765 dnat 172.30.82.95 port 8081' \
	>"$work/$tag.rules"

# Replaces the calling (sub)shell, so that `as_unit ... &` leaves $! as the
# pid of vxfwd itself; call it in ( ) in the foreground.
as_unit() {
	local set=$1
	shift
	exec nsenter --net=/run/netns/$S setpriv --bounding-set "$set" --inh-caps "$set" \
		--ambient-caps "$set" --securebits +noroot,+noroot_locked,+no_setuid_fixup \
		--no-new-privs "$@"
}

(as_unit "$set_all" "$vxfwd" doctor -f "$work/$tag.rules") >"$work/doctor.out" 2>&1
grep -E '^(ok    |warn  |fail  )(privileges|program|xdp ens5|mode):' "$work/doctor.out"
for want in '^ok    program: ' '^ok    xdp ens5: native XDP attaches' '^ok    privileges: '; do
	grep -Eq "$want" "$work/doctor.out" ||
		t_fail "doctor with the unit's capabilities: no /$want/"
done

as_unit "$set_all" "$vxfwd" run -f "$work/$tag.rules" -n $tag >"$work/run.log" 2>&1 &
pid=$!
LAB_PIDS+=("$pid")
lab_wait_forwarding "$pid" "$work/run.log"
if ! kill -0 $pid 2>/dev/null; then
	cat "$work/run.log"
	echo "FAIL: vxfwd run with the unit's capabilities exited"
	exit 1
fi
sed 's/^/run: /' "$work/run.log"
echo "after start: $(tr '\0' ' ' </proc/$pid/cmdline)"
grep -E '^Cap(Eff|Prm|Bnd|Amb):' /proc/$pid/status | sed 's/^/after start: /'
if ip -n $S link show ens5 | grep -q 'prog/xdp'; then
	echo "ok: XDP attached to ens5"
else
	t_fail "no XDP program on ens5"
fi
if [ -e "/sys/fs/bpf/vxfwd/$tag/prog" ]; then
	echo "ok: pinned under /sys/fs/bpf/vxfwd/$tag/ without CAP_SYS_ADMIN"
else
	t_fail "/sys/fs/bpf/vxfwd/$tag/prog not pinned"
fi
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 0 ] && ! ip -n $S link show ens5 | grep -q 'prog/xdp'; then
	echo "ok: SIGTERM: exit 0, XDP detached"
else
	t_fail "SIGTERM: exit $rc, ens5: $(ip -n $S link show ens5 | grep -o 'prog/xdp.*')"
fi

# Is every granted capability needed to load the program?
for c in $caps; do
	rest=$(echo " $caps " | sed "s/ $c / /")
	(as_unit "$(capset $rest)" "$vxfwd" doctor -f "$work/$tag.rules") >"$work/less.out" 2>&1
	line=$(grep -E '^(ok    |fail  )program: ' "$work/less.out")
	echo "without $c: ${line:-no program line}"
done
t_done unit-caps
