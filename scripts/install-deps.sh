#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-deps.sh - install what building and testing vxfwd needs, and only
# what is missing, on Debian 12 (run as root; no questions asked).
#
# usage: scripts/install-deps.sh [-n] [bench]
#   -n     print the missing packages and exit (1 if any are missing)
#   bench  also what bench/run.sh needs (perf for --profile); setup.sh, and
#          so CI, leave it out
#
# To add a package, append it to the list of the group that needs it.

set -eu

BUILD_PKGS=(
	gcc clang llvm libclang-rt-14-dev
	bpftool libbpf-dev libelf-dev zlib1g-dev
	liburing-dev libcap-ng-dev libsystemd-dev libjson-c-dev
	meson ninja-build pkg-config flex bison
)
# Besides the tools named here, the tests run procps's sysctl, ps and kill,
# util-linux's nsenter, unshare and setpriv, bsdextrautils's col,
# iproute2's ip, tc and ss, and prometheus's promtool (the alert rules'
# tests; the package also brings the server, which no test uses).
TEST_PKGS=(
	procps util-linux bsdextrautils
	iproute2 iputils-ping ethtool tcpdump xdp-tools tcpreplay socat nftables
	prometheus
	python3 python3-scapy mandoc
	cppcheck clang-tidy valgrind
	strace
	zsh bash-completion
	prometheus
)
# build-essential: dpkg-buildpackage checks for it among the build
# dependencies; git: build-deb.sh and build-rpm.sh list the tracked files.
PACKAGING_PKGS=(
	build-essential debhelper dpkg-dev fakeroot lintian rpm systemd xz-utils git
)
BENCH_PKGS=(
	netsniff-ng linux-perf time bc
)

ALL_PKGS=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${PACKAGING_PKGS[@]}")

installed()
{
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

main()
{
	local dry=0 missing=() p

	for p in "$@"; do
		case $p in
		-n) dry=1 ;;
		bench) ALL_PKGS+=("${BENCH_PKGS[@]}") ;;
		*)
			echo "usage: install-deps.sh [-n] [bench]" >&2
			exit 2
			;;
		esac
	done
	for p in "${ALL_PKGS[@]}"; do
		installed "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "install-deps: all ${#ALL_PKGS[@]} packages are installed"
		return 0
	fi
	echo "install-deps: missing: ${missing[*]}"
	[ "$dry" -eq 0 ] || exit 1
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: must run as root to install packages" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# One update, only when apt cannot find a missing package.
	if ! apt-get install -y -q --no-install-recommends --dry-run "${missing[@]}" >/dev/null 2>&1; then
		apt-get update -q
	fi
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

main "$@"
