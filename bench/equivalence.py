#!/usr/bin/env python3
"""Are two builds of the simulator statistically the same model?

Runs every example scenario (scenarios/*.yaml, sweeps left out) with two
swiotlb-sim binaries, R replications each (run.seed = 1..R), reads each run's
summary.json and compares every headline figure: a 95% Welch interval on the
difference of means, with Holm's correction across all figures and scenarios
(family-wise error 5%). A figure whose difference stays significant after the
correction is printed as DIFFERS; the script exits 1 when any does.

The use: an event-model change that must not change the answers (fewer
events per map, the same model) is checked against the commit before it.

  bench/equivalence.py BASELINE_BIN NEW_BIN [-r 10] [-j 2]
                       [--duration 200ms [--warmup 20ms]] [--scenario NAME]...

Build the baseline in its own folder first, e.g.
  git worktree add /tmp/base REV && cmake -S /tmp/base -B /tmp/base/build \
      && cmake --build /tmp/base/build -j2
Only the Python standard library is needed.
"""
import argparse
import concurrent.futures
import glob
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..'))


def lookup(doc, path):
    for key in path.split('.'):
        if isinstance(doc, dict) and key in doc:
            doc = doc[key]
        else:
            return None
    return doc if isinstance(doc, (int, float)) else None


def headline(doc):
    """The figures compared, by name, from one summary.json."""
    out = {}
    for name, path in (('maps', 'totals.maps'),
                       ('full events', 'totals.full_events'),
                       ('high-water slots', 'hiwater_slots'),
                       ('lock wait share', 'lock_wait_share'),
                       ('copy share', 'copy_cpu_share'),
                       ('map latency p50', 'map_latency_ns.p50'),
                       ('map latency p99', 'map_latency_ns.p99')):
        v = lookup(doc, path)
        if v is not None:
            out[name] = float(v)
    span = (lookup(doc, 'scenario.duration_ns') or 0) - \
        (lookup(doc, 'scenario.warmup_ns') or 0)
    for w in doc.get('workloads', []):
        done = w.get('requests_completed')
        if done is not None and span > 0:
            out['%s IOPS' % w['name']] = done / (span / 1e9)
    return out


def run_one(binary, scenario, seed, opt, outdir):
    args = [binary, 'run', scenario, '-o', outdir,
            '--set', 'run.seed=%d' % seed]
    if opt.duration:
        args += ['--set', 'run.duration=' + opt.duration,
                 '--set', 'run.warmup=' + (opt.warmup or '0')]
    elif opt.warmup:
        args += ['--set', 'run.warmup=' + opt.warmup]
    r = subprocess.run(args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.exit('equivalence: %s failed: %s' % (' '.join(args),
                                                 r.stderr.strip()))
    with open(os.path.join(outdir, 'summary.json')) as f:
        return headline(json.load(f))


# Student's t distribution, from the regularised incomplete beta function
# (continued fraction, as in Numerical Recipes' betacf).
def _betacf(a, b, x):
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
            c = 1.0 + aa / c
            c = c if abs(c) > 1e-300 else 1e-300
            h *= d * c
        if abs(d * c - 1.0) < 1e-12:
            break
    return h


def _betai(a, b, x):
    if x <= 0.0 or x >= 1.0:
        return 0.0 if x <= 0.0 else 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + \
        a * math.log(x) + b * math.log(1.0 - x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def t_two_sided_p(t, df):
    return _betai(df / 2.0, 0.5, df / (df + t * t))


def t_quantile(p, df):
    """t with P(|T| > t) = 1 - p, by bisection."""
    lo, hi = 0.0, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_two_sided_p(mid, df) > 1 - p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def welch(a, b):
    """(difference of means b - a, half-width of its 95% interval, p)."""
    na, nb = len(a), len(b)
    ma, mb = sum(a) / na, sum(b) / nb
    va = sum((x - ma) ** 2 for x in a) / (na - 1)
    vb = sum((x - mb) ** 2 for x in b) / (nb - 1)
    se2 = va / na + vb / nb
    if se2 == 0:
        return mb - ma, 0.0, 1.0 if ma == mb else 0.0
    df = se2 ** 2 / ((va / na) ** 2 / (na - 1) + (vb / nb) ** 2 / (nb - 1))
    t = (mb - ma) / math.sqrt(se2)
    return mb - ma, t_quantile(0.95, df) * math.sqrt(se2), \
        t_two_sided_p(abs(t), df)


def holm(pvalues, alpha=0.05):
    """Which hypotheses Holm's step-down procedure rejects."""
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    reject = [False] * len(pvalues)
    for rank, i in enumerate(order):
        if pvalues[i] > alpha / (len(pvalues) - rank):
            break
        reject[i] = True
    return reject


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('baseline')
    ap.add_argument('new')
    ap.add_argument('-r', '--replications', type=int, default=10)
    ap.add_argument('-j', '--jobs', type=int, default=2)
    ap.add_argument('--duration', help='run.duration for every run')
    ap.add_argument('--warmup', help='run.warmup for every run (0 when '
                    '--duration is given without it)')
    ap.add_argument('--scenario', action='append',
                    help='only this scenario (name without .yaml)')
    opt = ap.parse_args()
    if opt.replications < 2:
        sys.exit('equivalence: -r must be at least 2')
    scenarios = sorted(p for p in glob.glob(os.path.join(ROOT, 'scenarios',
                                                         '*.yaml'))
                       if not os.path.basename(p).startswith('sweep'))
    if opt.scenario:
        scenarios = [p for p in scenarios
                     if os.path.basename(p)[:-5] in opt.scenario]
    tmp = tempfile.mkdtemp(prefix='swsim-equiv-')
    jobs = []
    with concurrent.futures.ThreadPoolExecutor(opt.jobs) as pool:
        for sc in scenarios:
            name = os.path.basename(sc)[:-5]
            for side, binary in (('base', opt.baseline), ('new', opt.new)):
                for seed in range(1, opt.replications + 1):
                    out = os.path.join(tmp, '%s-%s-%d' % (name, side, seed))
                    jobs.append((name, side, pool.submit(
                        run_one, binary, sc, seed, opt, out)))
        samples = {}
        for name, side, fut in jobs:
            for fig, v in fut.result().items():
                samples.setdefault((name, fig), {}).setdefault(
                    side, []).append(v)
    subprocess.run(['rm', '-rf', tmp])
    rows = [(k, welch(v['base'], v['new']), sum(v['base']) / len(v['base']))
            for k, v in sorted(samples.items())
            if len(v.get('base', [])) == len(v.get('new', [])) ==
            opt.replications]
    reject = holm([r[1][2] for r in rows])
    print('%-22s %-18s %14s %14s %10s %9s  %s' % (
        'scenario', 'figure', 'baseline mean', 'difference', '95% +-',
        'p', 'verdict'))
    for (key, (diff, half, p), mean), rej in zip(rows, reject):
        print('%-22s %-18s %14.6g %14.6g %10.3g %9.2g  %s' % (
            key[0], key[1], mean, diff, half, p,
            'DIFFERS' if rej else 'same'))
    ndiff = sum(reject)
    print('\n%d figures over %d scenarios, %d replications each side; '
          'Holm-corrected family-wise 5%%: %d differ' %
          (len(rows), len(scenarios), opt.replications, ndiff))
    return 1 if ndiff else 0


if __name__ == '__main__':
    sys.exit(main())
