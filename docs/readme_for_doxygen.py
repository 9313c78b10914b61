#!/usr/bin/env python3
"""Copies README.md for Doxygen (1.9.4 makes no GitHub-style heading anchors): each heading gets
an explicit {#anchor} with GitHub's slug, so that the README's [text](#anchor) links resolve, and
links to other Markdown files of the tree (not part of the manual) become plain text naming the
file. The README itself stays as GitHub renders it.

    readme_for_doxygen.py README.md OUT.md
"""
import re
import sys


def slug(title):
    s = title.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def main(src, dst):
    out = []
    fence = False
    for line in open(src, encoding="utf-8").read().split("\n"):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            m = re.match(r"^(#{2,6}) (.*)$", line)
            if m and "{#" not in line:
                line = f"{m.group(1)} {m.group(2)} {{#{slug(m.group(2))}}}"
            line = re.sub(r"\[([^\]]*)\]\(([^)#]*\.md)\)", r"\1 (`\2`)", line)
        out.append(line)
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
