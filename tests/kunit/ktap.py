#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise KUnit KTAP output (kunit.py --raw_output=kunit) on stdin.

Prints one line per leaf result:

    PASS: suite.case/param        (parameterised case, one line per row)
    PASS: suite.case              (plain case)
    FAIL: ...                     (followed by the kernel's diagnostics)
    SKIP: ... (reason)

and ends with "N passed, N failed[, N skipped]".  Exit status 1 if anything
failed, if no result was seen at all, or if a suite named on the command line
(EXPECTED_SUITE ...) never reported: a kernel that crashes half-way through
must not look like a short green run.
"""
import re
import sys

RESULT = re.compile(r'^(ok|not ok) (\d+)(?: -)? ?(.*?)(?: # SKIP ?(.*))?$')
SUBTEST = re.compile(r'^# Subtest: (.*)$')


def main():
    expected = set(sys.argv[1:])
    names = {}          # indent -> name of the subtest opened there
    diag = []           # diagnostics since the last result at any level
    leaves = {}         # (suite, case) -> number of param rows seen
    seen_suites = set()
    cases_seen = set()   # suites that reported at least one case
    passed = failed = skipped = 0

    def report(status, path, reason, lines):
        nonlocal passed, failed, skipped
        # 6.1 prints no "# SKIP" on parameter rows: the suites announce a
        # skipped row in a diagnostic line "# case: SKIP: reason" instead.
        if status == 'ok' and reason is None:
            for line in lines:
                m = re.match(r'^# \S+: SKIP: (.*)$', line)
                if m:
                    reason = m.group(1)
        if status == 'ok' and reason is None:
            passed += 1
            print('PASS: ' + path)
        elif reason is not None:
            skipped += 1
            print('SKIP: %s (%s)' % (path, reason.strip() or 'no reason given'))
        else:
            failed += 1
            print('FAIL: ' + path)
            for line in lines:
                print('    ' + line)

    for raw in sys.stdin:
        raw = raw.rstrip('\n')
        stripped = raw.lstrip(' \t')
        indent = len(raw) - len(stripped)
        m = SUBTEST.match(stripped)
        if m:
            for k in [k for k in names if k >= indent]:
                del names[k]
            names[indent] = m.group(1).strip()
            diag = []
            continue
        m = RESULT.match(stripped)
        if not m:
            if stripped and not re.match(r'^(KTAP version|TAP version|\d+\.\.\d+$|# \S+: pass:\d+|# Totals: )', stripped):
                diag.append(stripped)
            continue
        status, desc, reason = m.group(1), m.group(3).strip(), m.group(4)
        if indent >= 8:          # one row of a parameterised case
            suite, case = names.get(4, '?'), names.get(indent, '?')
            leaves[(suite, case)] = leaves.get((suite, case), 0) + 1
            report(status, '%s.%s/%s' % (suite, case, desc), reason, diag)
        elif indent >= 4:        # a case: a leaf unless it had rows
            suite = names.get(4, '?')
            cases_seen.add(suite)
            if not leaves.get((suite, desc)):
                report(status, '%s.%s' % (suite, desc), reason, diag)
            for k in [k for k in names if k > 4]:
                del names[k]
        else:                    # a suite
            seen_suites.add(desc)
            if status != 'ok' and desc not in cases_seen:
                # e.g. suite_init failed: no case ran, count the suite
                report(status, desc, reason, diag)
        diag = []

    for suite in sorted(expected - seen_suites):
        failed += 1
        print('FAIL: %s (suite never reported: crash, filter or build problem)' % suite)
    if passed + failed + skipped == 0:
        failed += 1
        print('FAIL: no KUnit results in the kernel output')
    line = '%d passed, %d failed' % (passed, failed)
    if skipped:
        line += ', %d skipped' % skipped
    print(line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
