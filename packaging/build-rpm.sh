#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-rpm.sh - build the vxfwd binary RPM from this source tree.
#
# usage: packaging/build-rpm.sh [-o outdir] [-n]
#
# Makes vxfwd-VERSION.tar.gz from the files git knows of (or the whole tree
# without build directories outside git) and runs `rpmbuild -bb` on
# packaging/rpm/vxfwd.spec in a temporary _topdir, then copies the RPMs
# into outdir (default: the current directory).  -n skips %check
# (rpmbuild --nocheck), for callers that run the suites themselves.  On a host whose rpm
# database does not hold the build dependencies (Debian, where they come
# from dpkg) rpmbuild runs with --nodeps, and says so.
set -euo pipefail

usage() {
	echo "usage: ${0##*/} [-o outdir] [-n]" >&2
	exit 2
}

outdir=$PWD
nocheck=
while getopts "o:n" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	n) nocheck=--nocheck ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

srcdir=$(cd "$(dirname "$0")/.." && pwd)
spec=$srcdir/packaging/rpm/vxfwd.spec
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

command -v rpmbuild >/dev/null ||
	{ echo "build-rpm: rpmbuild: not found; install rpm" >&2; exit 3; }

version=$(rpmspec -q --srpm --qf '%{VERSION}' "$spec")
work=$(mktemp -d /tmp/vxfwd-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/SOURCES"

"$srcdir/packaging/source-tar.sh" "vxfwd-$version" | gzip -n >"$work/SOURCES/vxfwd-$version.tar.gz"

nodeps=
if ! rpmbuild -bb --nobuild --define "_topdir $work" "$spec" >"$work/deps.log" 2>&1; then
	if ! command -v dpkg-query >/dev/null; then
		cat "$work/deps.log" >&2
		echo "build-rpm: build dependencies missing (above)" >&2
		exit 1
	fi
	nodeps=--nodeps
	echo "build-rpm: the rpm database lacks the BuildRequires;" \
		"dpkg installed them on this host: using --nodeps"
fi

echo "build-rpm: building vxfwd $version in $work"
rpmbuild -bb $nodeps $nocheck --define "_topdir $work" "$spec" >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-rpm: rpmbuild failed (log above)" >&2
	exit 1
}

find "$work/RPMS" -name '*.rpm' -print0 |
	while IFS= read -r -d '' f; do
		cp "$f" "$outdir/"
		echo "build-rpm: wrote $outdir/${f##*/}"
	done
