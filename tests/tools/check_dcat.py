#!/usr/bin/python3
"""Reads a DCAT-AP.de catalogue (JSON-LD) as RDF with rdflib and checks what GovData needs:
one dcat:Catalog with title, description and publisher; every dcat:Dataset with title,
description, publisher, theme and at least one distribution; every dcat:Distribution with an
access URL and a licence from the DCAT-AP.de list. Prints a JSON summary; exit 1 on a problem.

usage: check_dcat.py FILE BASE
"""
import json
import sys

from rdflib import Graph, Namespace, RDF, URIRef

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
LICENCES = "http://dcat-ap.de/def/licenses/"


def main():
    path, base = sys.argv[1], sys.argv[2]
    g = Graph()
    g.parse(path, format="json-ld", publicID=base)
    problems = []
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    if len(catalogs) != 1:
        problems.append(f"{len(catalogs)} dcat:Catalog statt einem")
    for c in catalogs:
        for p in (DCT.title, DCT.description, DCT.publisher):
            if g.value(c, p) is None:
                problems.append(f"Katalog ohne {p}")
    datasets = list(g.subjects(RDF.type, DCAT.Dataset))
    for d in datasets:
        for p in (DCT.title, DCT.description, DCT.publisher, DCAT.theme):
            if g.value(d, p) is None:
                problems.append(f"{d}: ohne {p}")
        if not list(g.objects(d, DCAT.distribution)):
            problems.append(f"{d}: ohne dcat:distribution")
        publisher = g.value(d, DCT.publisher)
        if publisher is not None and g.value(publisher, FOAF.name) is None:
            problems.append(f"{d}: Herausgeber ohne foaf:name")
    distributions = list(g.subjects(RDF.type, DCAT.Distribution))
    for x in distributions:
        if not isinstance(g.value(x, DCAT.accessURL), URIRef):
            problems.append(f"{x}: ohne dcat:accessURL")
        licence = g.value(x, DCT.license)
        if licence is None or not str(licence).startswith(LICENCES):
            problems.append(f"{x}: Lizenz {licence} nicht aus der DCAT-AP.de-Liste")
    summary = {
        "triples": len(g),
        "catalogs": len(catalogs),
        "datasets": len(datasets),
        "distributions": len(distributions),
        "titles": sorted(str(g.value(d, DCT.title)) for d in datasets),
        "landing_pages": sorted(str(g.value(d, DCAT.landingPage)) for d in datasets),
        "problems": problems,
    }
    print(json.dumps(summary, ensure_ascii=False))
    sys.exit(1 if problems else 0)


main()
