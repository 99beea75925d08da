"""Replaces the mermaid block between the README's state-diagram markers."""
import sys

readme_path, diagram_path = sys.argv[1], sys.argv[2]
begin, end = "<!-- states:begin -->", "<!-- states:end -->"
text = open(readme_path, encoding="utf-8").read()
diagram = open(diagram_path, encoding="utf-8").read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
block = f"{begin}\n```mermaid\n{diagram}```\n{end}"
open(readme_path, "w", encoding="utf-8").write(head + block + tail)
