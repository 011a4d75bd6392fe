#!/usr/bin/env python3
"""Fails on a relative link in the documentation that leads nowhere.

Checks README.md and every docs/*.md: each [text](target) outside code
blocks whose target is not a URL must name a file or folder that exists,
relative to the page, and a #anchor must be a heading of the target page
(GitHub's rule: lower case, punctuation dropped, spaces to hyphens).

Usage: scripts/check_doc_links.py [REPO]   exit 0 clean, 1 with one line
per broken link (FILE:LINE: LINK: what is wrong).
"""
import functools
import glob
import os
import re
import sys

LINK = re.compile(r'\]\(([^)\s]+)\)')
HEADING = re.compile(r'^(#+)\s+(.*?)\s*#*\s*$')
FENCE = re.compile(r'^\s*(```|~~~)')


def lines_outside_code(path):
    """(line number, text) of each line not inside a fenced code block."""
    fenced = False
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield n, line


def slug(heading):
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower())
    return text.replace(' ', '-')


@functools.lru_cache(maxsize=None)
def anchors(path):
    """The anchors GitHub gives the headings of a Markdown page."""
    found, seen = set(), {}
    for _, line in lines_outside_code(path):
        m = HEADING.match(line)
        if not m:
            continue
        s = slug(m.group(2))
        n = seen.get(s, 0)
        seen[s] = n + 1
        found.add(s if n == 0 else '%s-%d' % (s, n))
    return found


def problem(page, link):
    """What is wrong with link on page, or None."""
    if re.match(r'^[a-z][a-z0-9+.-]*:', link):
        return None
    path, _, anchor = link.partition('#')
    target = os.path.normpath(os.path.join(os.path.dirname(page), path)) \
        if path else page
    if not os.path.exists(target):
        return 'no such file'
    if anchor and (not target.endswith('.md') or
                   anchor not in anchors(target)):
        return 'no heading for #%s in %s' % (anchor, target)
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    os.chdir(root)
    pages = ['README.md'] + sorted(glob.glob('docs/*.md'))
    bad = 0
    for page in pages:
        for n, line in lines_outside_code(page):
            # Inline code may hold brackets that are not links.
            for m in LINK.finditer(re.sub(r'`[^`]*`', '``', line)):
                why = problem(page, m.group(1))
                if why:
                    print('%s:%d: %s: %s' % (page, n, m.group(1), why))
                    bad += 1
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
