#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# run-fuzz.sh SRCDIR WORKDIR [SECONDS [TARGET]] - build a libFuzzer target
# with clang (ASan and UBSan) and fuzz it: TARGET `rules` (the default) is
# the rules parser, seeded with every golden file; `http` is the health
# listener's request parser (engine/http_req.c), seeded with tests/fuzz/http/.
# Fails, naming it, when clang or its fuzzer runtime is missing.  Crashes are
# left in WORKDIR/crash-* and fail the run.  FUZZ_SECONDS overrides the
# time (default 60); longer runs: run-fuzz.sh . /tmp/fz 3600.
set -eu

src=$(cd "${1:?usage: run-fuzz.sh SRCDIR WORKDIR [SECONDS]}" && pwd)
work=${2:?usage: run-fuzz.sh SRCDIR WORKDIR [SECONDS]}
secs=${3:-${FUZZ_SECONDS:-60}}
target=${4:-rules}
case $target in
rules | http) ;;
*)
	echo "fuzz: unknown target '$target' (rules or http)" >&2
	exit 2
	;;
esac

clang=
for c in clang-14 clang; do
	if command -v "$c" >/dev/null 2>&1; then
		clang=$c
		break
	fi
done
if [ -z "$clang" ]; then
	echo "fuzz: clang not found (scripts/install-deps.sh installs it)" >&2
	exit 1
fi

mkdir -p "$work/gen" "$work/corpus"
if [ "$target" = rules ]; then
	flex --outfile="$work/gen/scanner.yy.c" --header-file="$work/gen/scanner.yy.h" \
		"$src/dsl/scanner.l"
	bison --output="$work/gen/parser.tab.c" --defines="$work/gen/parser.tab.h" "$src/dsl/parser.y"
	set -- -I"$work/gen" -I"$src/dsl" -I"$src/conf" -I"$src/bpf" \
		"$src/tests/fuzz/fuzz_rules.c" "$src"/dsl/*.c "$src"/conf/*.c \
		"$work/gen/parser.tab.c" "$work/gen/scanner.yy.c"
else
	set -- -I"$src/engine" "$src/tests/fuzz/fuzz_http.c" "$src/engine/http_req.c"
fi

if ! "$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -o "$work/fuzz-$target" "$@" 2>"$work/build.log"; then
	if grep -q "libclang_rt.fuzzer\|cannot find.*fuzzer" "$work/build.log"; then
		cat "$work/build.log" >&2
		echo "fuzz: clang has no libFuzzer runtime (scripts/install-deps.sh installs libclang-rt-14-dev)" >&2
		exit 1
	fi
	cat "$work/build.log" >&2
	exit 1
fi

# seeds: every golden case and example, or the request heads of tests/fuzz/http
if [ "$target" = rules ]; then
	find "$src/tests/rules" "$src/rules/examples" -name '*.rules' -exec cp {} "$work/corpus/" \;
else
	cp "$src"/tests/fuzz/http/*.req "$work/corpus/"
fi

cd "$work"
ASAN_OPTIONS=detect_leaks=1 "./fuzz-$target" -max_total_time="$secs" -timeout=10 -max_len=8192 \
	-dict="$src/tests/fuzz/$target.dict" -print_final_stats=1 corpus 2>fuzz.log || {
	tail -n 60 fuzz.log >&2
	exit 1
}
grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov:' fuzz.log | tail -n 3
