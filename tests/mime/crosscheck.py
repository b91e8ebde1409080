#!/usr/bin/python3
"""crosscheck.py — libmailfountain's MIME parser against Python's email package.

Usage: crosscheck.py --dump MIME_DUMP --data DIR [--extra DIR]... [--known FILE]

For every *.eml in DIR and in each --extra DIR, runs `MIME_DUMP FILE` (the C++ side,
tests/mime/mime_dump.cpp) and the Python oracle (email_oracle.py, beside this script) and
compares the two JSON objects field by field. Each difference is printed with its path
(`body.parts[1].message.subject`) and both values. The exit status is 0 when every
difference is listed in the known-differences file, 1 otherwise, 2 on a usage error.

The known-differences file (default: known_differences.json beside this script) maps a
message file's name to the differences accepted for it:
    {"odd_param_quoting.eml": [{"path": "body.parts[1].filename",
                                "why": "Python stops an unquoted value at the first space",
                                "ours": "Facture mars 2026.pdf", "python": "Facture"}]}
An entry matches only when the path and both values are exactly those observed, so a
change on either side shows up again. A value one side does not have is written "<absent>".
An entry that no longer matches anything is reported as stale and fails the run too.
Unexpected differences are printed with an entry ready to paste.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import email_oracle  # noqa: E402 — found beside this script

ABSENT = '<absent>'
DUMP_TIMEOUT_SECONDS = 120


def differences(ours, python, path=''):
    """Yields (path, ours, python) for every leaf value where the two objects differ."""
    if isinstance(ours, dict) and isinstance(python, dict):
        for key in sorted(set(ours) | set(python)):
            sub = '%s.%s' % (path, key) if path else key
            yield from differences(ours.get(key, ABSENT), python.get(key, ABSENT), sub)
    elif isinstance(ours, list) and isinstance(python, list):
        for i in range(max(len(ours), len(python))):
            yield from differences(ours[i] if i < len(ours) else ABSENT,
                                   python[i] if i < len(python) else ABSENT,
                                   '%s[%d]' % (path, i))
    elif ours != python or type(ours) is not type(python):  # 1 == 1.0 == True in Python
        yield path, ours, python


def shorten(value, limit=160):
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + '... (%d characters)' % len(text)


def describe(path, ours, python):
    """The lines that show one difference; long strings show where they part."""
    lines = ['  %s' % path, '    ours:   %s' % shorten(ours), '    python: %s' % shorten(python)]
    if isinstance(ours, str) and isinstance(python, str) and ours != python:
        at = next((i for i, (a, b) in enumerate(zip(ours, python)) if a != b),
                  min(len(ours), len(python)))
        if len(ours) > 40 or len(python) > 40:
            lines.append('    first difference at character %d: ours %s, python %s' % (
                at, json.dumps(ours[max(0, at - 10):at + 20], ensure_ascii=False),
                json.dumps(python[max(0, at - 10):at + 20], ensure_ascii=False)))
    return lines


def run_dump(dump, path):
    """Returns (object, None) or (None, a sentence saying why mime_dump gave none)."""
    try:
        done = subprocess.run([dump, path], capture_output=True, timeout=DUMP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None, 'mime_dump did not finish in %d s' % DUMP_TIMEOUT_SECONDS
    except OSError as e:
        return None, 'cannot run %s: %s' % (dump, e)
    if done.returncode != 0:
        return None, 'mime_dump exited with %d: %s' % (
            done.returncode, done.stderr.decode('utf-8', 'replace').strip())
    try:
        return json.loads(done.stdout.decode('utf-8')), None
    except (UnicodeDecodeError, ValueError) as e:
        return None, 'mime_dump printed no JSON object (%s)' % e


def load_known(path):
    if not os.path.exists(path):
        return {}
    with open(path, encoding='utf-8') as f:
        known = json.load(f)
    for name, entries in known.items():
        for entry in entries:
            missing = {'path', 'why', 'ours', 'python'} - set(entry)
            if missing:
                raise ValueError('%s: an entry for %s lacks %s' % (path, name, sorted(missing)))
    return known


def message_files(data, extras):
    """Returns {file name: path}; a name found twice is an error (it keys the known list)."""
    found = {}
    for directory in [data] + extras:
        for name in sorted(os.listdir(directory)):
            if not name.endswith('.eml'):
                continue
            if name in found:
                raise ValueError('%s is in two directories: %s and %s'
                                 % (name, found[name], os.path.join(directory, name)))
            found[name] = os.path.join(directory, name)
    return found


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    parser.add_argument('--dump', required=True, help='the mime_dump program')
    parser.add_argument('--data', required=True, help='directory of .eml files')
    parser.add_argument('--extra', action='append', default=[],
                        help='another directory of .eml files (generated ones)')
    parser.add_argument('--known', default=os.path.join(here, 'known_differences.json'),
                        help='accepted differences (default: %(default)s)')
    args = parser.parse_args(argv[1:])

    try:
        known = load_known(args.known)
        files = message_files(args.data, args.extra)
    except (OSError, ValueError) as e:
        print('crosscheck: %s' % e, file=sys.stderr)
        return 2
    if not files:
        print('crosscheck: no .eml file in %s' % ', '.join([args.data] + args.extra),
              file=sys.stderr)
        return 2

    failed = []
    accepted_count = 0
    for name, path in files.items():
        ours, error = run_dump(args.dump, path)
        with open(path, 'rb') as f:
            python = email_oracle.oracle(f.read())
        expected = list(known.get(name, []))
        if error:
            failed.append(name)
            print('%s: FAILED: %s' % (name, error))
            continue
        unexpected = []
        for diff_path, ours_value, python_value in differences(ours, python):
            entry = next((e for e in expected if e['path'] == diff_path and
                          e['ours'] == ours_value and e['python'] == python_value), None)
            if entry is not None:
                expected.remove(entry)
                accepted_count += 1
            else:
                unexpected.append((diff_path, ours_value, python_value))
        if not unexpected and not expected:
            continue
        failed.append(name)
        print('%s: %d unexpected difference(s), %d stale known difference(s)'
              % (name, len(unexpected), len(expected)))
        for diff_path, ours_value, python_value in unexpected:
            print('\n'.join(describe(diff_path, ours_value, python_value)))
        for entry in expected:
            print('  stale: %s (%s) no longer differs as recorded' % (entry['path'], entry['why']))
        if unexpected:
            print('  to accept, add to %s under "%s":' % (os.path.basename(args.known), name))
            for diff_path, ours_value, python_value in unexpected:
                print('    ' + json.dumps({'path': diff_path, 'why': 'TODO', 'ours': ours_value,
                                           'python': python_value}, ensure_ascii=False))

    for name in sorted(set(known) - set(files)):
        failed.append(name)
        print('%s: stale: listed in %s but not in the corpus' % (name, args.known))

    print('crosscheck: %d messages, %d accepted known difference(s), %d failing%s'
          % (len(files), accepted_count, len(failed),
             (': ' + ', '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
