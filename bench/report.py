#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/report.py - turn bench/run.sh's trials into the table and the JSON.
#
#   report.py --line < trial.json        one progress line for one trial
#   report.py [--meta M] [--json OUT] trials.jsonl
#
# Per run, peer and size: delivered pps at saturation (good frames at the
# collector over the generator's seconds), loss there; the zero-loss rate
# (highest rate the generator achieved in a trial that delivered every
# frame); leak (frames from the sensor on the mirror's eth0 carrying the
# marker or the DNAT target, over every trial); CPU ns per delivered frame
# (both CPUs, CPU 0 alone, the daemon's own utime+stime) and latency p50/p99/p99.9 in the zero-loss
# trial; daemon RSS (VmHWM).  Across runs: median and min-max.  Ratios
# vxfwd/native and vxfwd/xredir are taken run by run, then summarised the
# same way.

import argparse
import json
import statistics
import sys

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


def line(t):
    g, c = t['gen'], t['col']
    ns = cpu_ns(t)
    return ('bench: %-6s run %d %5dB %-10s offered %9s sent %9d good %9d wrong %d '
            'leak %d loss %.3f%% p99 %.1fus cpu0 %s ns/pkt' % (
                t['peer'], t['run'], t['size'], t['kind'],
                g['offered_pps'] or 'max', g['sent'], c['good'], c['wrong'],
                c['leaked'], loss_pct(t) or 0.0, c['lat_p99_ns'] / 1000,
                '%.0f' % ns if ns else '-'))


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


def summarise(trials):
    cells, unavailable = {}, {}
    for t in trials:
        if t['kind'] == 'unavailable':
            unavailable.setdefault(t['peer'], t['why'])
            continue
        cells.setdefault((t['peer'], t['size'], t['run']), []).append(t)
    figs = {k: cell(v) for k, v in cells.items()}
    out = {'unavailable': unavailable, 'peers': {}, 'ratios': {}}
    keys = sorted({(p, s) for p, s, _ in figs})
    for p, s in keys:
        runs = [f for (pp, ss, _), f in figs.items() if (pp, ss) == (p, s)]
        out['peers'].setdefault(p, {})[str(s)] = {
            m: spread([f[m] for f in runs]) for m in METRICS}
    sizes = sorted({s for _, s in keys})
    for base in ('native', 'xredir'):
        for s in sizes:
            for m in ('sat_pps', 'zl_pps'):
                vals = []
                for (p, ss, run), f in figs.items():
                    b = figs.get((base, ss, run))
                    if p == 'vxfwd' and ss == s and b and b[m] and f[m] is not None:
                        vals.append(f[m] / b[m])
                if vals:
                    out['ratios']['vxfwd/%s %s %dB' % (base, m, s)] = spread(vals)
    return out


def table(summary):
    rows = [('peer', 'size', 'sat Kpps', 'loss%', '0-loss Kpps', 'leak', 'wrong',
             'cpu ns/pkt', 'cpu0 ns/pkt', 'daemon ns/pkt', 'p50 us', 'p99 us', 'p99.9 us', 'RSS MB')]
    for p, sizes in sorted(summary['peers'].items()):
        for s, f in sorted(sizes.items(), key=lambda x: int(x[0])):
            rows.append((p, s, fmt(f['sat_pps'], 1000, 0), fmt(f['sat_loss_pct'], 1, 1),
                         fmt(f['zl_pps'], 1000, 0), fmt(f['leak']), fmt(f['wrong']),
                         fmt(f['cpu_ns']), fmt(f['cpu0_ns']), fmt(f['daemon_ns']), fmt(f['p50_us'], 1, 1), fmt(f['p99_us'], 1, 1),
                         fmt(f['p999_us'], 1, 1), fmt(f['rss_mb'], 1, 1)))
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ['  '.join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, '  '.join('-' * x for x in w))
    for k, v in sorted(summary['ratios'].items()):
        lines.append('ratio %-32s %s' % (k, fmt(v, 1, 2)))
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
