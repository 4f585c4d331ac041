"""The stack's configuration templates stay well-formed: a Hadoop, HBase or Hive JVM refuses a
malformed XML file at start-up (for instance `--` inside a comment), far from the edit that broke it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from string import Template

import pytest

from dataplatform.paths import STACK_CONF_DIR

XML_TEMPLATES = sorted(STACK_CONF_DIR.glob("*.xml.tmpl"))


class _AnyValue(dict):
    def __missing__(self, key: str) -> str:
        return "value"


def test_every_xml_template_was_found():
    assert {"core-site.xml.tmpl", "hbase-site.xml.tmpl", "hive-site.xml.tmpl"} <= {p.name for p in XML_TEMPLATES}


@pytest.mark.parametrize("template", XML_TEMPLATES, ids=lambda p: p.name)
def test_xml_template_renders_to_a_well_formed_hadoop_configuration(template):
    text = Template(template.read_text()).substitute(_AnyValue())
    root = ET.fromstring(text)  # raises on `--` in a comment, an unclosed tag, a bare `&`
    assert root.tag == "configuration"
    names = [p.findtext("name") for p in root.iter("property")]
    assert names and all(names), template
    assert len(names) == len(set(names)), f"a property set twice in {template.name}"
    assert not re.search(r"\$\{?\w", text), "a placeholder left unrendered"
