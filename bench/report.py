#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/report.py - turn bench/run.sh's trials into the table and the JSON.
#
#   report.py --line < trial.json        one progress line for one trial
#   report.py [--meta M] [--json OUT] trials.jsonl
#
# Trials are grouped by cell first: placement (split, shared), XDP mode
# (native, generic) and inner family (ipv4, ipv6: run.sh --inner), all in
# every trial record; trials written before they existed count as split,
# native and ipv4.  IPv6 cells go under "cells_ipv6" in the JSON, their
# ratios are named "split native ipv6 vxfwd/native ...".  Within a cell:
#
# Per run, peer and size: delivered pps at saturation (good frames at the
# collector over the generator's seconds), loss there; the zero-loss rate
# (highest rate the generator achieved in a trial that delivered every
# frame); leak (frames from the sensor on the mirror's eth0 carrying the
# marker or the DNAT target, over every trial); CPU ns per delivered frame
# (both CPUs, CPU 0 alone, the daemon's own utime+stime) and latency p50/p99/p99.9 in the zero-loss
# trial; daemon RSS (VmHWM).  Across runs: median and min-max.  Ratios of
# every vxfwd peer (vxfwd and its variants, vxfwd-sendmmsg...) to native and
# xredir, and of each variant to vxfwd, are taken run by run, pair by pair,
# within one cell, then summarised the same way ("shared generic
# vxfwd/native sat_pps 64B").
#
# Sweep trials (run.sh --sweep: a rising offered rate, the daemon sharing a
# CPU with receive) go into their own table: per cell, peer and rate,
# offered and delivered pps, vxfwd's drop_ring_full delta over the trial and
# the loss elsewhere; then the best delivered rate, the rate delivered at
# the highest offered rate, their ratio and PASS when it is at least 0.9 (no
# receive livelock).  The lowest delivered/best among the overloaded trials
# (offered above the best delivered rate) is given too, and a FAIL where
# nothing was lost at the highest rate is flagged: the generator shares the
# CPU, so there the offered rate fell, not the delivered share.

# Fan-out (peer vxfwd-fanout, its rule's two targets both the collector's):
# per cell and run, its saturation trial beside vxfwd's: offered and
# delivered frames per second, per target (good, good2) for fan-out, each
# target's rate over vxfwd's single-target rate and PASS when both are at
# least FANOUT_MIN (two targets deliver at least 2 x 0.5 of the single
# rate in frames).  Its sat Kpps in the main table is the first target's.

# Generator-alone trials (run.sh --gen-alone: ens5's XDP drops every frame)
# go into a table of their own: per cell and size, what the generator sent
# and how much of it reached ens5's XDP.

import argparse
import json
import statistics
import sys

LIVELOCK_MIN = 0.9
FANOUT_MIN = 0.5
PLACEMENTS = ['split', 'shared']
XDP_MODES = ['native', 'generic']
INNERS = ['ipv4', 'ipv6']
METRICS = ['sat_pps', 'sat_loss_pct', 'zl_pps', 'leak', 'wrong', 'cpu_ns', 'cpu0_ns', 'daemon_ns',
           'p50_us', 'p99_us', 'p999_us', 'rss_mb']


def cpu_ns(t, idx=0):
    busy = t['cpu_busy_after'][idx] - t['cpu_busy'][idx]
    good = t['col']['good']
    return busy * 1e9 / t['hz'] / good if good else None


def daemon_ns(t):
    d = t.get('daemon_ticks') or [None, None]
    if d[0] is None or d[1] is None or not t['col']['good']:
        return None
    return (d[1] - d[0]) * 1e9 / t['hz'] / t['col']['good']


def loss_pct(t):
    sent = t['gen']['sent']
    return 100.0 * (sent - t['col']['good']) / sent if sent else None


def counter_delta(t, name):
    """Packets vxfwd counted as NAME during the trial, or None without stats."""
    a, b = t.get('vxfwd_stats0'), t.get('vxfwd_stats')
    if not a or not b:
        return None
    try:
        return b['counters'][name]['packets'] - a['counters'][name]['packets']
    except KeyError:
        return None


def cell_of(t):
    """The trial's (placement, XDP mode, inner family)."""
    return t.get('placement', 'split'), t.get('xdp_mode', 'native'), t.get('inner', 'ipv4')


def cell_name(c):
    """"split native", "split native ipv6": IPv4 cells keep their old names."""
    return ' '.join(c if c[2] != 'ipv4' else c[:2])


def cell_order(c):
    p, m = c[:2]
    i = c[2] if len(c) > 2 else 'ipv4'
    return (PLACEMENTS.index(p) if p in PLACEMENTS else len(PLACEMENTS), p,
            XDP_MODES.index(m) if m in XDP_MODES else len(XDP_MODES), m,
            INNERS.index(i) if i in INNERS else len(INNERS), i)


def line(t):
    g, c = t['gen'], t['col']
    ns = cpu_ns(t)
    rf = counter_delta(t, 'drop_ring_full')
    return ('bench: %-6s %-7s %-4s %-14s run %d %5dB %-10s offered %9s sent %9d good %9d wrong %d '
            'leak %d loss %.3f%% p99 %.1fus cpu%d %s ns/pkt%s' % (
                *cell_of(t), t['peer'], t['run'], t['size'], t['kind'],
                g['offered_pps'] or 'max', g['sent'], c['good'], c['wrong'],
                c['leaked'], loss_pct(t) or 0.0, c['lat_p99_ns'] / 1000,
                t.get('fwd_cpu', 0), '%.0f' % ns if ns else '-',
                ' ring_full %d' % rf if rf is not None else ''))


def cell(trials):
    """Figures of one (run, peer, size) from its trials."""
    sat = [t for t in trials if t['kind'] in ('saturation', 'soak')]
    ok = [t for t in trials if t['kind'] in ('search', 'zeroloss', 'soak')
          and t['gen']['sent'] > 0 and t['gen']['sent'] == t['col']['good']]
    zl = [t for t in trials if t['kind'] in ('zeroloss', 'soak')]
    r = {k: None for k in METRICS}
    r['leak'] = sum(t['col']['leaked'] for t in trials)
    r['wrong'] = sum(t['col']['wrong'] for t in trials)
    if sat:
        s = sat[-1]
        r['sat_pps'] = s['col']['good'] / s['gen']['seconds']
        r['sat_loss_pct'] = loss_pct(s)
    r['zl_pps'] = max((t['gen']['sent'] / t['gen']['seconds'] for t in ok), default=0)
    if sat and not zl:
        # --saturation: CPU per packet at saturation (there is nothing else)
        s = sat[-1]
        r['cpu_ns'] = cpu_ns(s, 1)
        r['cpu0_ns'] = cpu_ns(s, 0)
        r['daemon_ns'] = daemon_ns(s)
    if zl:
        z = zl[-1]
        r['cpu_ns'] = cpu_ns(z, 1)
        r['cpu0_ns'] = cpu_ns(z, 0)
        r['daemon_ns'] = daemon_ns(z)
        r['p50_us'] = z['col']['lat_p50_ns'] / 1000
        r['p99_us'] = z['col']['lat_p99_ns'] / 1000
        r['p999_us'] = z['col']['lat_p999_ns'] / 1000
    hwm = [t['hwm_kb'] for t in trials if t.get('hwm_kb')]
    if hwm:
        r['rss_mb'] = max(hwm) / 1024
    return r


def spread(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return {'median': statistics.median(vals), 'min': min(vals), 'max': max(vals),
            'n': len(vals)}


def fmt(s, scale=1.0, digits=0):
    if not s:
        return '-'
    f = '%.' + str(digits) + 'f'
    m = f % (s['median'] / scale)
    if s['n'] > 1 and s['min'] != s['max']:
        m += ' [' + f % (s['min'] / scale) + '-' + f % (s['max'] / scale) + ']'
    return m


def ratios(figs, prefix=''):
    """Run-by-run ratios of every vxfwd peer to native and xredir, and of
    every variant to vxfwd, in one cell: {PREFIX + "vxfwd-sendmmsg/native
    sat_pps 64B": spread}."""
    out = {}
    peers = sorted({p for p, _, _ in figs if p.startswith('vxfwd')})
    sizes = sorted({s for _, s, _ in figs})
    for p in peers:
        for base in ('native', 'xredir', 'vxfwd'):
            if base == p:
                continue
            for s in sizes:
                for m in ('sat_pps', 'zl_pps'):
                    vals = []
                    for (pp, ss, run), f in figs.items():
                        b = figs.get((base, ss, run))
                        if pp == p and ss == s and b and b[m] and f[m] is not None:
                            vals.append(f[m] / b[m])
                    if vals:
                        out['%s%s/%s %s %dB' % (prefix, p, base, m, s)] = spread(vals)
    return out


def sweep_row(t):
    secs = t['gen']['seconds']
    sent, good = t['gen']['sent'], t['col']['good']
    rf = counter_delta(t, 'drop_ring_full')
    return {'run': t['run'], 'size': t['size'], 'requested_pps': t['gen']['offered_pps'],
            'offered_pps': sent / secs if secs else 0.0,
            'delivered_pps': good / secs if secs else 0.0,
            'ring_full': rf, 'send_errors': engine_delta(t, 'send_errors'),
            'lost_elsewhere': sent - good - rf if rf is not None else sent - good}


def engine_delta(t, name):
    a, b = t.get('vxfwd_stats0'), t.get('vxfwd_stats')
    if not a or not b or name not in b.get('engine', {}):
        return None
    return b['engine'][name] - a['engine'][name]


def sweep_verdict(rows):
    """Best delivered rate, the rate delivered at the highest offered rate
    (a requested 0, as fast as possible, is the highest), their ratio."""
    best = max(rows, key=lambda r: r['delivered_pps'])
    top = max(rows, key=lambda r: (r['requested_pps'] == 0, r['requested_pps']))
    v = {'best_pps': best['delivered_pps'], 'best_offered_pps': best['offered_pps'],
         'at_max_pps': top['delivered_pps'], 'max_offered_pps': top['offered_pps'],
         'max_requested_pps': top['requested_pps'], 'ratio': None, 'verdict': 'FAIL',
         'overload_min_ratio': None, 'threshold': LIVELOCK_MIN,
         'at_max_lossless': top['offered_pps'] > 0 and top['lost_elsewhere'] == 0
         and not top['ring_full'] and top['delivered_pps'] >= top['offered_pps']}
    if not best['delivered_pps']:
        return v
    v['ratio'] = top['delivered_pps'] / best['delivered_pps']
    v['verdict'] = 'PASS' if v['ratio'] >= LIVELOCK_MIN else 'FAIL'
    over = [r['delivered_pps'] / best['delivered_pps'] for r in rows
            if r['offered_pps'] > best['delivered_pps']]
    v['overload_min_ratio'] = min(over, default=None)
    return v


def sweep_summary(trials):
    """Per cell and peer (and run, for --runs above 1): the rows of the
    rate sweep in the order they ran, and the livelock verdict."""
    out = {}
    for t in trials:
        key = '%s %s' % (cell_name(cell_of(t)), t['peer'])
        if t['run'] != 1:
            key += ' run %d' % t['run']
        out.setdefault(key, {'rates': []})['rates'].append(sweep_row(t))
    for v in out.values():
        v.update(sweep_verdict(v['rates']))
    return out


def gen_alone_row(t):
    secs = t['gen']['seconds']
    return {'placement': cell_of(t)[0], 'xdp_mode': cell_of(t)[1], 'run': t['run'],
            'size': t['size'], 'gen_mode': t['gen']['mode'],
            'sent_pps': t['gen']['sent'] / secs if secs else 0.0,
            'xdp_dropped_pps': t['col'].get('xredir_drop', 0) / secs if secs else 0.0}


def gen_alone_table(rows):
    out = [('placement', 'xdp', 'size', 'generator', 'sent Kpps', 'at XDP Kpps')]
    for r in rows:
        out.append((r['placement'], r['xdp_mode'], str(r['size']), r['gen_mode'],
                    kpps(r['sent_pps']), kpps(r['xdp_dropped_pps'])))
    return columns(out)


def fanout_rows(trials):
    """One row per cell and run with saturation trials of both vxfwd and
    vxfwd-fanout."""
    sat = {}
    for t in trials:
        if t['kind'] == 'saturation' and t['peer'] in ('vxfwd', 'vxfwd-fanout'):
            sat[(cell_of(t), t['run'], t['size'], t['peer'])] = t
    rows = []
    for (c, run, size, peer), f in sorted(sat.items(), key=lambda x: (cell_order(x[0][0]),
                                                                      x[0][1], x[0][2])):
        one = sat.get((c, run, size, 'vxfwd'))
        if peer != 'vxfwd-fanout' or not one:
            continue
        secs = lambda t: t['gen']['seconds'] or 1
        single = one['col']['good'] / secs(one)
        t1, t2 = f['col']['good'] / secs(f), f['col'].get('good2', 0) / secs(f)
        r1, r2 = (t1 / single, t2 / single) if single else (None, None)
        rows.append({'cell': ' '.join(c), 'run': run, 'size': size,
                     'offered_single_pps': one['gen']['sent'] / secs(one),
                     'offered_fanout_pps': f['gen']['sent'] / secs(f),
                     'single_pps': single, 'target1_pps': t1, 'target2_pps': t2,
                     'ratio1': r1, 'ratio2': r2,
                     'total_ratio': (t1 + t2) / single if single else None,
                     'ring_full': counter_delta(f, 'drop_ring_full'),
                     'verdict': 'PASS' if r1 is not None and min(r1, r2) >= FANOUT_MIN
                     else 'FAIL', 'threshold': FANOUT_MIN})
    return rows


def ratio(v):
    return '-' if v is None else '%.2f' % v


def fanout_table(rows):
    out = [('placement xdp', 'run', 'size', 'offered Kpps 1/2', 'single Kpps', 'target1 Kpps',
            'target2 Kpps', 't1/single', 't2/single', 'total/single', 'drop_ring_full',
            'verdict')]
    for r in rows:
        out.append((r['cell'], str(r['run']), str(r['size']),
                    '%s/%s' % (kpps(r['offered_single_pps']), kpps(r['offered_fanout_pps'])),
                    kpps(r['single_pps']), kpps(r['target1_pps']), kpps(r['target2_pps']),
                    ratio(r['ratio1']), ratio(r['ratio2']), ratio(r['total_ratio']),
                    '-' if r['ring_full'] is None else str(r['ring_full']),
                    '%s (each target at least %.2f of single)' % (r['verdict'],
                                                                  r['threshold'])))
    return ['fan-out: one target vs two, frames per second at saturation'] + columns(out)


def summarise_cell(trials, prefix):
    """Figures of one placement and XDP mode: per peer and size, and the
    ratios within it."""
    groups = {}
    for t in trials:
        groups.setdefault((t['peer'], t['size'], t['run']), []).append(t)
    figs = {k: cell(v) for k, v in groups.items()}
    out = {'peers': {}, 'ratios': ratios(figs, prefix)}
    for p, s in sorted({(p, s) for p, s, _ in figs}):
        runs = [f for (pp, ss, _), f in figs.items() if (pp, ss) == (p, s)]
        out['peers'].setdefault(p, {})[str(s)] = {
            m: spread([f[m] for f in runs]) for m in METRICS}
    return out


def summarise(trials):
    """{"cells": {placement: {xdp_mode: {"peers", "ratios"}}}, "cells_ipv6"
    (the same for inner IPv6), "ratios": every cell's, "unavailable",
    "sweep"}."""
    by_cell, unavailable = {}, {}
    for t in trials:
        if t['kind'] == 'unavailable':
            unavailable.setdefault('%s %s' % (cell_name(cell_of(t)), t['peer']), t['why'])
        elif t['kind'] not in ('sweep', 'gen-alone'):
            by_cell.setdefault(cell_of(t), []).append(t)
    out = {'unavailable': unavailable, 'cells': {}, 'ratios': {}}
    for c in sorted(by_cell, key=cell_order):
        f = summarise_cell(by_cell[c], cell_name(c) + ' ')
        key = 'cells' if c[2] == 'ipv4' else 'cells_' + c[2]
        out.setdefault(key, {}).setdefault(c[0], {})[c[1]] = f
        out['ratios'].update(f['ratios'])
    alone = [t for t in trials if t['kind'] == 'gen-alone']
    if alone:
        out['gen_alone'] = [gen_alone_row(t) for t in alone]
    sweep = [t for t in trials if t['kind'] == 'sweep']
    if sweep:
        out['sweep'] = sweep_summary(sweep)
    fan = fanout_rows(trials)
    if fan:
        out['fanout'] = fan
    return out


def columns(rows):
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, '  '.join('-' * x for x in w))
    return lines


def kpps(v):
    return '%.0f' % (v / 1000)


def sweep_table(sweep):
    rows = [('placement xdp peer', 'requested Kpps', 'offered Kpps', 'delivered Kpps', 'delivered%',
             'drop_ring_full', 'send_errors', 'lost elsewhere')]
    for p, v in sweep.items():
        for r in v['rates']:
            rows.append((p, kpps(r['requested_pps']) if r['requested_pps'] else 'max',
                         kpps(r['offered_pps']), kpps(r['delivered_pps']),
                         '%.1f' % (100.0 * r['delivered_pps'] / r['offered_pps'])
                         if r['offered_pps'] else '-',
                         '-' if r['ring_full'] is None else str(r['ring_full']),
                         '-' if r['send_errors'] is None else str(r['send_errors']),
                         str(r['lost_elsewhere'])))
    lines = columns(rows)
    for p, v in sweep.items():
        lines.append('livelock %s: best %s Kpps (offered %s); at the highest offered rate '
                     '(%s Kpps) %s Kpps, %s of best: %s (at least %.2f)%s' % (
                         p, kpps(v['best_pps']), kpps(v['best_offered_pps']),
                         kpps(v['max_offered_pps']), kpps(v['at_max_pps']),
                         '-' if v['ratio'] is None else '%.3f' % v['ratio'], v['verdict'],
                         v['threshold'],
                         '' if v['overload_min_ratio'] is None else
                         '; lowest when overloaded %.2f' % v['overload_min_ratio']))
        if v['at_max_lossless'] and v['verdict'] == 'FAIL':
            lines.append('livelock %s: no frame was lost at the highest offered rate: the '
                         'generator, on the same CPU, offered less' % p)
    return lines


def table(summary):
    rows = [('placement', 'xdp', 'inner', 'peer', 'size', 'sat Kpps', 'loss%', '0-loss Kpps', 'leak', 'wrong',
             'cpu ns/pkt', 'cpu0 ns/pkt', 'daemon ns/pkt', 'p50 us', 'p99 us', 'p99.9 us', 'RSS MB')]
    cells = [(pl, md, inner, c) for inner in INNERS
             for pl, modes in summary.get('cells' if inner == 'ipv4' else 'cells_' + inner,
                                          {}).items()
             for md, c in modes.items()]
    for pl, md, inner, c in sorted(cells, key=lambda x: cell_order(x[:3])):
        for p, sizes in sorted(c['peers'].items()):
            for s, f in sorted(sizes.items(), key=lambda x: int(x[0])):
                rows.append((pl, md, inner, p, s, fmt(f['sat_pps'], 1000, 0), fmt(f['sat_loss_pct'], 1, 1),
                             fmt(f['zl_pps'], 1000, 0), fmt(f['leak']), fmt(f['wrong']),
                             fmt(f['cpu_ns']), fmt(f['cpu0_ns']), fmt(f['daemon_ns']),
                             fmt(f['p50_us'], 1, 1), fmt(f['p99_us'], 1, 1),
                             fmt(f['p999_us'], 1, 1), fmt(f['rss_mb'], 1, 1)))
    lines = columns(rows) if len(rows) > 1 else []
    kw = max((len(k) for k in summary['ratios']), default=0)
    for k, v in summary['ratios'].items():
        lines.append('ratio %-*s %s' % (kw, k, fmt(v, 1, 2)))
    if summary.get('gen_alone'):
        lines += gen_alone_table(summary['gen_alone'])
    if summary.get('sweep'):
        lines += sweep_table(summary['sweep'])
    if summary.get('fanout'):
        lines += fanout_table(summary['fanout'])
    for p, why in sorted(summary['unavailable'].items()):
        lines.append('peer %s: not measured: %s' % (p, why))
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--line', action='store_true')
    ap.add_argument('--meta')
    ap.add_argument('--json')
    ap.add_argument('trials', nargs='?')
    a = ap.parse_args()
    if a.line:
        print(line(json.load(sys.stdin)))
        return 0
    with open(a.trials) as f:
        trials = [json.loads(x) for x in f if x.strip()]
    summary = summarise(trials)
    if a.meta:
        with open(a.meta) as f:
            summary['meta'] = json.load(f)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    print(table(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
