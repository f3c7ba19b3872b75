#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# units.sh VXFWD UNITDIR - `systemd-analyze verify` on vxfwd.service and an
# instance of vxfwd@.service, with /usr/sbin/vxfwd pointed at the built
# binary (the installed units are verified again by deb.sh), and the
# hardening the units promise actually present.
set -u

vxfwd=$(realpath "$1")
unitdir=$2
command -v systemd-analyze >/dev/null ||
	{ echo "FAIL: systemd-analyze not installed (scripts/install-deps.sh installs systemd)"; exit 1; }
[ -x "$vxfwd" ] || { echo "FAIL: $vxfwd not built"; exit 1; }

work=$(mktemp -d /tmp/vxfpkgunits.XXXXXX)
trap 'rm -rf "$work"' EXIT
sed "s|/usr/sbin/vxfwd|$vxfwd|g" "$unitdir/vxfwd.service" >"$work/vxfwd.service"
sed "s|/usr/sbin/vxfwd|$vxfwd|g" "$unitdir/vxfwd@.service" >"$work/vxfwd@.service"
cp "$work/vxfwd@.service" "$work/vxfwd@lab.service"

rc=0
for unit in vxfwd.service vxfwd@lab.service; do
	out=$(cd "$work" && systemd-analyze verify --man=no "./$unit" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		echo "FAIL: systemd-analyze verify $unit"
		rc=1
	else
		echo "ok: systemd-analyze verify $unit: clean"
	fi
done

for unit in vxfwd.service vxfwd@.service; do
	for want in \
		'^ExecStartPre=/usr/sbin/vxfwd check -q -f /etc/vxfwd/' \
		'^ExecStart=/usr/sbin/vxfwd run -k -f /etc/vxfwd/' \
		'^ExecReload=/usr/sbin/vxfwd reload -n (vxfwd|%i)$' \
		'^Restart=on-failure$' \
		'^CapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN CAP_NET_RAW( CAP_PERFMON)? CAP_SYS_NICE$' \
		'^AmbientCapabilities=CAP_BPF CAP_NET_ADMIN CAP_NET_RAW( CAP_PERFMON)? CAP_SYS_NICE$' \
		'^NoNewPrivileges=yes$' \
		'^ProtectSystem=strict$' \
		'^ReadWritePaths=/sys/fs/bpf$' \
		'^RuntimeDirectory=vxfwd$' \
		'^ProtectHome=yes$' \
		'^PrivateTmp=yes$' \
		'^ProtectKernelTunables=yes$' \
		'^RestrictAddressFamilies=AF_NETLINK AF_PACKET AF_UNIX AF_INET$' \
		'^LimitMEMLOCK=infinity$'; do
		if ! grep -Eq "$want" "$unitdir/$unit"; then
			echo "FAIL: $unit: no line matches /$want/"
			rc=1
		fi
	done
done
[ $rc -eq 0 ] && echo "ok: both units carry the promised hardening"

# deps UNIT KEY: every unit named by KEY= lines, one per line.
deps()
{
	sed -n "s/^$2=//p" "$unitdir/$1" | tr ' ' '\n' | sed '/^$/d' | sort -u
}

# has UNIT KEY DEP...: each DEP is among UNIT's KEY= dependencies.
has()
{
	local unit=$1 key=$2 dep
	shift 2
	for dep in "$@"; do
		deps "$unit" "$key" | grep -qxF "$dep" && continue
		echo "FAIL: $unit: $key= lacks $dep (has: $(deps "$unit" "$key" | tr '\n' ' '))"
		rc=1
	done
}

# Boot order: XDP on ens5 before any network configuration can give it an
# address (network-pre.target, which networkd, ifupdown and cloud-init's
# network stage are ordered after), as soon as the devices exist; ready
# means attached (Type=notify), so that order holds for the whole start.
devs="sys-subsystem-net-devices-ens5.device sys-subsystem-net-devices-ens6.device"
for unit in vxfwd.service vxfwd@.service; do
	# shellcheck disable=SC2086
	has "$unit" Wants network-pre.target $devs
	# shellcheck disable=SC2086
	has "$unit" After $devs local-fs.target
	has "$unit" Before network-pre.target shutdown.target
	has "$unit" Conflicts shutdown.target
	for want in '^Type=notify$' '^NotifyAccess=main$' '^DefaultDependencies=no$' '^WatchdogSec=[0-9]+s$'; do
		grep -Eq "$want" "$unitdir/$unit" || { echo "FAIL: $unit: no line matches /$want/"; rc=1; }
	done
	# Any network target on the After= side would be an ordering cycle.
	bad=$(deps "$unit" After | grep -E '^network(-pre|-online)?\.target$')
	[ -z "$bad" ] || { echo "FAIL: $unit: After=$bad: a cycle with Before=network-pre.target"; rc=1; }
	bad=$(deps "$unit" After | grep -E '^(sysinit|basic)\.target$')
	[ -z "$bad" ] || { echo "FAIL: $unit: After=$bad: too late for network-pre.target"; rc=1; }
done
[ $rc -eq 0 ] && echo "ok: both units start before network-pre.target, after ens5 and ens6 exist, ready once XDP is attached"
exit $rc
