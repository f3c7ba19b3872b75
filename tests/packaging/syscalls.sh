#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# syscalls.sh VXFWD UNIT - everything `vxfwd run` does under strace (start,
# forward mirror frames, SIGHUP reload, SIGTERM) stays inside the unit's
# SystemCallFilter= (groups expanded with systemd-analyze) and its
# RestrictAddressFamilies=, and writes files only below its ReadWritePaths=
# and RuntimeDirectory= (ProtectSystem=strict makes the rest read-only), so
# that the sandbox the unit declares cannot kill or cripple the daemon.
# Lab: namespaces shaped like the sensor.
set -u

vxfwd=$(realpath "$1")
unit=$2
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/../lab/lib.sh"
py=$LAB_PY
t_need_root "needs root"
t_need_tools strace systemd-analyze
err=$("$py" -c 'import scapy' 2>&1) ||
	{ echo "FAIL: $py cannot import scapy (scripts/install-deps.sh installs python3-scapy): $err"; exit 1; }
[ -x "$vxfwd" ] || { echo "FAIL: $vxfwd not built"; exit 1; }

lab_init pkgsys
tag=vxfpkgsys$$
S=$LAB_NS_S
M=$LAB_NS_M
work=$LAB_TMP
LAB_INSTANCES+=("$tag")

# expand NAME...: syscall names of the listed groups (recursively) and names.
expand() {
	local n
	for n in "$@"; do
		case $n in
		@*) expand $(systemd-analyze syscall-filter "$n" 2>/dev/null |
				awk 'NF == 1 && $1 !~ /^#/ && $1 != "'"$n"'" { print $1 }') ;;
		*) echo "$n" ;;
		esac
	done
}

filter=$(sed -n 's/^SystemCallFilter=//p' "$unit")
families=$(sed -n 's/^RestrictAddressFamilies=//p' "$unit")
writable="$(sed -n 's/^ReadWritePaths=//p' "$unit") /run/$(sed -n 's/^RuntimeDirectory=//p' "$unit")"
echo "unit: writable: $writable"
[ -n "$filter" ] && [ -n "$families" ] ||
	{ echo "FAIL: $unit lacks SystemCallFilter= or RestrictAddressFamilies="; exit 1; }
expand $filter | sort -u >"$work/allowed"
echo "unit: SystemCallFilter=$filter ($(wc -l <"$work/allowed") system calls)"
echo "unit: RestrictAddressFamilies=$families"

lab_small_up
printf 'ingress ens5 {\n\tvxlan port 4789\n\tvni 1\n}\negress ens6\n%s\n' \
	'forward udp from 198.51.100.10 to port 31765 dnat 172.30.82.95 port 8081' \
	>"$work/$tag.rules"

lab_bg "$work/run.log" "$S" strace -f -qq -o "$work/trace" "$vxfwd" run -f "$work/$tag.rules"
pid=$LAB_BG_PID
lab_wait_forwarding "$pid" "$work/run.log" ||
	{ cat "$work/run.log"; echo "FAIL: vxfwd run did not start"; exit 1; }
dmac=$(ip -n $S -o link show ens5 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
lab_ns_exec "$M" "$py" - "$dmac" 2>"$work/scapy.err" <<'PY' || { echo "FAIL: sending mirror frames"; exit 1; }
import sys
from scapy.all import Ether, IP, UDP, VXLAN, Raw, sendp
inner = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
         IP(src="198.51.100.10", dst="10.0.0.1") / UDP(sport=1234, dport=31765) /
         Raw(b"x" * 100))
outer = (Ether(dst=sys.argv[1]) / IP(src="172.31.0.238", dst="172.30.82.108") /
         UDP(sport=4789, dport=4789) / VXLAN(vni=1, flags=0x08) / inner)
sendp([outer] * 20, iface="m5", verbose=0)
PY
sleep 1
vpid=$(cat "/run/vxfwd/$tag.pid")
kill -HUP "$vpid"
sleep 1
kill -TERM "$vpid"
wait $pid
rc=$?
sed 's/^/run: /' "$work/run.log"

awk '{ sub(/^[0-9]+ +/, ""); if (match($0, /^[a-z0-9_]+\(/)) print substr($0, 1, RLENGTH - 1) }' \
	"$work/trace" | sort -u >"$work/used"
grep -o 'socket(AF_[A-Z0-9]*' "$work/trace" | sed 's/socket(//' | sort -u >"$work/fams"
echo "used: $(tr '\n' ' ' <"$work/used")"
echo "address families: $(tr '\n' ' ' <"$work/fams")"

[ $rc -eq 0 ] || t_fail "vxfwd run exited $rc"
grep -qx io_uring_enter "$work/used" ||
	t_fail "no io_uring_enter: the send path was not exercised"
outside=$(comm -23 "$work/used" "$work/allowed" | tr '\n' ' ')
if [ -n "$outside" ]; then
	t_fail "system calls outside SystemCallFilter: $outside"
else
	echo "ok: every system call is inside SystemCallFilter"
fi
for f in $(cat "$work/fams"); do
	case " $families " in
	*" $f "*) ;;
	*) t_fail "socket family $f not in RestrictAddressFamilies" ;;
	esac
done
[ $T_FAILS -eq 0 ] && echo "ok: every socket family is in RestrictAddressFamilies"

# Paths of calls that create, change or remove files, and of writable opens.
grep -E '^[0-9]+ +(mkdir|unlink|rename|rmdir|chmod|openat\(.*(O_WRONLY|O_RDWR|O_CREAT))' "$work/trace" |
	grep -o '"/[^"]*"' | tr -d '"' | sort -u >"$work/written"
bad=0
while read -r path; do
	inside=0
	for dir in $writable; do
		case $path in
		"$dir" | "$dir"/*) inside=1 ;;
		esac
	done
	if [ $inside -eq 0 ]; then
		echo "FAIL: writes $path, outside $writable"
		bad=1
	fi
done <"$work/written"
if [ $bad -eq 0 ]; then
	echo "ok: writes only below $writable ($(wc -l <"$work/written") paths)"
else
	T_FAILS=$((T_FAILS + 1))
fi
t_done syscalls
