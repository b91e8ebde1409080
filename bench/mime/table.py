#!/usr/bin/python3
"""table.py — turns the RESULT lines of mime_bench, gmime_bench and mime_bench.py into the
Markdown table that bench/mime/run prints and docs/performance.md records.

Usage: table.py LABEL=FILE...

Each FILE holds the RESULT lines of one input (the corpus, the sample); LABEL names it in
the table. Rates are per CPU second of the timed passes; MB are 10^6 bytes. The ratio
column is MailFountain's throughput divided by the row's, for the same input and measure:
4.0 means MailFountain is four times faster. "parts" is the number of MIME entities each
implementation found in one pass, "errors" the messages it failed to parse plus, in the
decode measure, the text parts in a charset it does not know.
"""
import sys

IMPLS = [('mailfountain', 'MailFountain'), ('gmime', 'GMime 3'),
         ('python-email', 'Python email')]
MEASURES = [('parse', 'parse'), ('decode', 'parse + decode')]


def read(path):
    results = {}
    with open(path) as f:
        for line in f:
            if not line.startswith('RESULT '):
                continue
            fields = dict(item.split('=', 1) for item in line.split()[1:])
            results[(fields['impl'], fields['measure'])] = fields
    return results


def main():
    if len(sys.argv) < 2 or any('=' not in a for a in sys.argv[1:]):
        sys.stderr.write('usage: table.py LABEL=FILE...\n')
        return 2
    inputs = [(label, read(path)) for label, path in (a.split('=', 1) for a in sys.argv[1:])]
    for label, results in inputs:
        if results:
            any_result = next(iter(results.values()))
            print(f"- {label}: {int(any_result['messages']):,} messages, "
                  f"{int(any_result['bytes']) / 1e6:,.2f} MB")
    print()
    print('| input | measure | implementation | MB/s | messages/s | MailFountain/this '
          '| parts | errors |')
    print('|---|---|---|---:|---:|---:|---:|---:|')
    for label, results in inputs:
        for measure, measure_name in MEASURES:
            ours = results.get(('mailfountain', measure))
            ours_rate = (int(ours['bytes']) * int(ours['passes']) / float(ours['seconds'])
                         if ours else None)
            for impl, impl_name in IMPLS:
                r = results.get((impl, measure))
                if r is None:
                    continue
                passes, seconds = int(r['passes']), float(r['seconds'])
                rate = int(r['bytes']) * passes / seconds
                msgs = int(r['messages']) * passes / seconds
                ratio = f'{ours_rate / rate:.2f}' if ours_rate else '—'
                print(f'| {label} | {measure_name} | {impl_name} | {rate / 1e6:,.1f} | '
                      f'{msgs:,.0f} | {ratio} | {int(r["parts"]):,} | {r["errors"]} |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
