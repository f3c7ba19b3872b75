#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# build-deb.sh - build the vxfwd .deb from this source tree.
#
# usage: packaging/build-deb.sh [-o outdir] [-L] [-n]
#
# Copies the source (files git knows of, or the whole tree without build
# directories outside git) into a temporary build tree, adds debian/ from
# packaging/debian, runs `dpkg-buildpackage -b -us -uc` there and copies the
# .deb, .buildinfo and .changes files into outdir (default: the current
# directory).  Then runs lintian on the .changes file and fails on any
# error, unless -L is given.  -n skips the build-time tests
# (DEB_BUILD_OPTIONS=nocheck), for callers that run the suites themselves.  Needs dpkg-dev, debhelper, fakeroot, lintian
# and the build dependencies listed in packaging/debian/control.
set -euo pipefail

usage() {
	echo "usage: ${0##*/} [-o outdir] [-L] [-n]" >&2
	exit 2
}

outdir=$PWD
run_lintian=1
while getopts "o:Ln" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	L) run_lintian=0 ;;
	n) export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }nocheck" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage

srcdir=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

for tool in dpkg-buildpackage dh fakeroot; do
	command -v "$tool" >/dev/null ||
		{ echo "build-deb: $tool: not found; install dpkg-dev, debhelper and fakeroot" >&2; exit 3; }
done

version=$(dpkg-parsechangelog -l "$srcdir/packaging/debian/changelog" -S Version)
upstream=${version%-*}
work=$(mktemp -d /tmp/vxfwd-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
tree=$work/vxfwd-$upstream

copy_source() {
	"$srcdir/packaging/source-tar.sh" "vxfwd-$upstream" | tar -C "$work" -xf -
	rm -rf "$tree/debian"
	cp -r "$srcdir/packaging/debian" "$tree/debian"
}

copy_source
echo "build-deb: building vxfwd $version in $tree"
(cd "$tree" && dpkg-buildpackage -b -us -uc) >"$work/build.log" 2>&1 || {
	tail -n 60 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log above)" >&2
	exit 1
}

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=vxfwd_${version}_${arch}.changes
for f in "$work"/*.deb "$work"/*.buildinfo "$work/$changes"; do
	cp "$f" "$outdir/"
	echo "build-deb: wrote $outdir/${f##*/}"
done

if [ $run_lintian -eq 1 ]; then
	command -v lintian >/dev/null ||
		{ echo "build-deb: lintian: not found; install lintian or pass -L" >&2; exit 3; }
	# lintian exits non-zero on errors (E:) only; warnings are shown.
	lintian --fail-on error --suppress-tags-from-file /dev/null \
		"$outdir/$changes" || {
		echo "build-deb: lintian reported errors" >&2
		exit 1
	}
fi
