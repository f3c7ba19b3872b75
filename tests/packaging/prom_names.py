#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# prom_names.py RULES STATS_C ABI_H - every vxfwd metric the alert
# rules name must be one `vxfwd stats -p` prints, and every value they
# match a label of those metrics against must be one it can take.
#
# What stats -p can print is read from its source: the string literals of
# engine/stats.c (shared by stats -p and /metrics) hold the "# TYPE" line of each metric family, some with
# %s (vxfwd_xdp_%s_total), and the words that fill them ("packets", the
# engine's field names); the counter label takes the names of the
# VXFWD_COUNTERS list in bpf/vxfwd_abi.h, any other label the words of
# stats.c.  Renaming a metric, a field or a counter there without the
# rules fails this test.
#
# Then the check runs against copies of the two sources with each literal
# it relied on renamed, and must fail on every one: it proves it can fail.
import re
import sys

METRIC = re.compile(r"\bvxfwd_[a-z0-9_]+\b")
# A selector's braces after a vxfwd metric name, and the matchers in them.
SELECTOR = re.compile(r"\b(vxfwd_[a-z0-9_]+)\{([^}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
WORD = re.compile(r"[a-z][a-z0-9_]*")
COUNTER = re.compile(r'X\(\s*[A-Z0-9_]+\s*,\s*"([a-z0-9_]+)"\s*\)')
# Labels that Prometheus adds to every scraped sample.
TARGET_LABELS = {"job", "instance"}


def literals(src):
    """The C string literals of src, escapes undone."""
    out = []
    for m in LITERAL.finditer(src):
        s = m.group(1).replace('\\"', '"').replace("\\n", "\n")
        out.append(s.replace("\\\\", "\\"))
    return out


def source_facts(stats_src, abi_src):
    """(templates, words, label names, counter names) of the sources."""
    lits = literals(stats_src)
    # A family is what its TYPE line declares (a HELP text may name others).
    templates = set()
    for s in lits:
        templates.update(re.findall(r"# TYPE (vxfwd_[a-z0-9_%]*[a-z0-9]) ", s))
    words = {s for s in lits if WORD.fullmatch(s)}
    labels = set()
    for s in lits:
        labels.update(re.findall(r"([a-z_]+)=\"", s))
    counters = set(COUNTER.findall(abi_src))
    return templates, words, labels, counters


def witness(name, templates, words):
    """(template, fillers) that print `name`, or None."""
    alt = "(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
    for t in sorted(templates):
        rx = "%s".join(re.escape(p) for p in t.split("%s")).replace("%s", alt)
        m = re.fullmatch(rx, name)
        if m:
            return t, m.groups()
    return None


def alternatives(rx):
    """The alternatives of a regex of words, one group level expanded."""
    m = re.match(r"^(.*?)\(([^()]*)\)(.*)$", rx)
    if not m:
        return rx.split("|")
    out = []
    for a in m.group(2).split("|"):
        out.extend(alternatives(m.group(1) + a + m.group(3)))
    return out


def value_errors(label, op, value, valid):
    """(errors, words relied on) of matching `label op "value"` against the
    valid values: a word must be one, a regex must match one."""
    errs, words = [], set()
    alts = [value] if op in ("=", "!=") else alternatives(value)
    for a in alts:
        if WORD.fullmatch(a):
            words.add(a)
            if a not in valid:
                errs.append(f'{label}{op}"{value}": {a}: no such {label}')
        elif not any(re.fullmatch(a, v) for v in valid):
            errs.append(f'{label}{op}"{value}": {a} matches no {label}')
    return errs, words


def check(rules, stats_src, abi_src):
    """(errors, literals relied on) of the rules against the sources."""
    templates, words, labels, counters = source_facts(stats_src, abi_src)
    errs, used = [], set()
    for name in sorted(set(METRIC.findall(rules))):
        w = witness(name, templates, words)
        if w is None:
            errs.append(f"{name}: not a metric vxfwd stats -p prints")
            continue
        used.add(("template", w[0]))
        used.update(("word", f) for f in w[1])
    for sel in SELECTOR.finditer(rules):
        for label, op, value in MATCHER.findall(sel.group(2)):
            if label in TARGET_LABELS:
                continue
            if label not in labels:
                errs.append(f"{sel.group(1)}: label {label}: not printed")
                continue
            used.add(("label", label))
            valid = counters if label == "counter" else words
            e, ws = value_errors(label, op, value, valid)
            errs.extend(f"{sel.group(1)}: {x}" for x in e)
            used.update(("counter" if label == "counter" else "word", x) for x in ws)
    return errs, used


def mutants(stats_src, abi_src, used):
    """(what, stats_src, abi_src) with one relied-on literal renamed."""
    for kind, lit in sorted(used):
        if kind == "template":
            yield f"metric {lit} renamed", stats_src.replace(lit, lit + "x"), abi_src
        elif kind == "word":
            yield f'"{lit}" renamed', stats_src.replace(f'"{lit}"', f'"{lit}x"'), abi_src
        elif kind == "label":
            yield (f"label {lit} renamed",
                   stats_src.replace(f'{lit}=\\"', f'{lit}x=\\"'), abi_src)
        else:
            yield (f"counter {lit} renamed", stats_src,
                   abi_src.replace(f'"{lit}"', f'"{lit}x"'))


def main():
    if len(sys.argv) != 4:
        print("usage: prom_names.py RULES CMD_STATS_C ABI_H", file=sys.stderr)
        return 99
    rules, stats_src, abi_src = (open(p).read() for p in sys.argv[1:])
    errs, used = check(rules, stats_src, abi_src)
    for e in errs:
        print(f"FAIL: {sys.argv[1]}: {e}")
    names = sorted(set(METRIC.findall(rules)))
    print(f"{'ok' if not errs else 'FAIL'}: {len(names)} metrics: {' '.join(names)}")
    fails = len(errs)
    for what, s, a in mutants(stats_src, abi_src, used):
        if s == stats_src and a == abi_src:
            print(f"FAIL: self-test: {what}: the sources did not change")
            fails += 1
        elif check(rules, s, a)[0]:
            print(f"ok: self-test: {what}: the check fails")
        else:
            print(f"FAIL: self-test: {what}: the check still passes")
            fails += 1
    print(f"prometheus-metric-names: {fails} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
