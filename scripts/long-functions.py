#!/usr/bin/env python3
"""Lists functions in non-test Rust code longer than a limit (default 80 lines), longest first.

Usage: scripts/long-functions.py [LIMIT]   (run from the repository root)
A function runs from its `fn` line to the line of its matching closing brace; `#[cfg(test)]`
modules, `tests.rs` files and `tests/` are left out.
"""
import pathlib
import re
import sys

limit = int(sys.argv[1]) if len(sys.argv) > 1 else 80
fn_re = re.compile(r"^\s*(pub(\([a-z]+\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+([A-Za-z0-9_]+)")


def strip(line):
    """The line without string literals, char literals and comments (close enough for braces)."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])'", "''", line)
    return line.split("//")[0]


found = []
for path in sorted(pathlib.Path(".").glob("**/*.rs")):
    parts = path.parts
    if "target" in parts or parts[0] == "tests" or path.name == "tests.rs":
        continue
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip().startswith("#[cfg(test)]"):
            break  # test modules sit at the end of a file
        m = fn_re.match(lines[i])
        if not m:
            i += 1
            continue
        depth, opened, j = 0, False, i
        while j < len(lines):
            s = strip(lines[j])
            if not opened and ";" in s and "{" not in s:
                break  # a declaration without body
            depth += s.count("{") - s.count("}")
            opened = opened or "{" in s
            if opened and depth <= 0:
                break
            j += 1
        n = j - i + 1
        if opened and n > limit:
            found.append((n, f"{path}:{i + 1}", m.group(6)))
        i += 1
for n, where, name in sorted(found, reverse=True):
    print(f"{n:5}  {name:32} {where}")
print(f"{len(found)} functions over {limit} lines")
