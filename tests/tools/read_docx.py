#!/usr/bin/python3
"""Reads a DOCX with python-docx (an independent reader, Debian: python3-docx) and prints what
tests/reports_web.rs checks as JSON: core properties, the paragraphs with their style names, the
tables' cells with their header rows, the pictures' alternative texts, the page size."""
import json
import sys

import docx
from docx.oxml.ns import qn

d = docx.Document(sys.argv[1])
body = d.element.body
pictures = [p.get("descr") for p in body.iter(qn("wp:docPr"))]
tables = []
for t in d.tables:
    header = [
        r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None
        for r in t.rows
    ]
    tables.append({"rows": [[c.text for c in r.cells] for r in t.rows], "header": header})
section = d.sections[0]
print(
    json.dumps(
        {
            "title": d.core_properties.title,
            "language": d.core_properties.language,
            "author": d.core_properties.author,
            "paragraphs": [[p.style.name, p.text] for p in d.paragraphs],
            "tables": tables,
            "pictures": pictures,
            "page_cm": [round(section.page_width.cm, 1), round(section.page_height.cm, 1)],
            "default_lang": [
                e.get(qn("w:val")) for e in d.styles.element.iter(qn("w:lang"))
            ],
        },
        ensure_ascii=False,
    )
)
