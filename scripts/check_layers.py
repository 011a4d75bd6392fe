#!/usr/bin/env python3
"""Fails on an include that points up the layers.

The layers and what each may include are the swsim_layer() table of the top
CMakeLists.txt, read here so that the build and this check cannot disagree.
Every #include "..." of a layer's .c and .h files is resolved (against the
file's own folder, then the repository root) and must land in the layer
itself or in a layer it names. tests/ and bench/ may include anything.

Usage: scripts/check_layers.py [REPO]   exit 0 clean, 1 with one line per
offending include (FILE:LINE: includes PATH: LAYER may not include TARGET).
"""
import os
import re
import sys

LAYER_CALL = re.compile(r'^swsim_layer\(([^)]*)\)', re.M | re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def read_layers(root):
    """{folder: set of folders it may include}, from CMakeLists.txt."""
    text = open(os.path.join(root, 'CMakeLists.txt')).read()
    layers = {}
    for m in LAYER_CALL.finditer(text):
        words = m.group(1).split()
        folder, allowed, mode = words[0], {words[0]}, None
        for w in words[1:]:
            if w in ('BELOW', 'LIBS'):
                mode = w
            elif mode == 'BELOW':
                allowed.add(w)
        layers[folder] = allowed
    return layers


def resolve(root, folder, target):
    """The layer folder an include lands in, or None when outside them."""
    for base in (os.path.join(root, folder), root):
        path = os.path.normpath(os.path.join(base, target))
        if os.path.exists(path):
            rel = os.path.relpath(path, root)
            return rel.split(os.sep)[0] if os.sep in rel else None
    return None


def check(root):
    layers = read_layers(root)
    if not layers:
        return ['CMakeLists.txt: no swsim_layer() table found']
    problems = []
    for folder in sorted(layers):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(folder, name)
            with open(os.path.join(root, path), errors='replace') as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    tgt = resolve(root, folder, m.group(1))
                    if tgt in layers and tgt not in layers[folder]:
                        problems.append('%s:%d: includes %s: %s/ may not '
                                        'include %s/' % (path, n, m.group(1),
                                                         folder, tgt))
    return problems


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    problems = check(os.path.abspath(root))
    for p in problems:
        print(p)
    if not problems:
        print('layers: every include points down')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
