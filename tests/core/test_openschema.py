"""The open policy is derived from the xsd/ files, whatever they declare (docs/choices.md)."""

from __future__ import annotations

from lxml import etree

from boomisoap.models.registry import OBJECTS
from boomisoap.namespaces import XSD
from boomisoap.openschema import Declarations, declarations, lift_unknown, relaxed_sources
from boomisoap.resources import xsd_path

XS = f"{{{XSD}}}"

# Every construct the table follows, in a schema of its own (no name from xsd/).
SYNTHETIC = b"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t"
    targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:attributeGroup name="Stamps">
    <xs:attribute name="created" type="xs:dateTime"/>
  </xs:attributeGroup>
  <xs:group name="Tail"><xs:sequence>
    <xs:element name="note" type="xs:string" minOccurs="0"/>
  </xs:sequence></xs:group>
  <xs:complexType name="Base">
    <xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence>
    <xs:attribute name="kind" type="xs:string"/>
  </xs:complexType>
  <xs:complexType name="Derived">
    <xs:complexContent><xs:extension base="t:Base">
      <xs:sequence>
        <xs:element name="inner">
          <xs:complexType><xs:attribute name="a" type="xs:int"/></xs:complexType>
        </xs:element>
        <xs:element ref="t:head" minOccurs="0"/>
        <xs:group ref="t:Tail"/>
        <xs:element name="open" minOccurs="0">
          <xs:complexType><xs:sequence>
            <xs:any namespace="##other" processContents="skip" minOccurs="0"/>
          </xs:sequence><xs:anyAttribute namespace="##any" processContents="skip"/></xs:complexType>
        </xs:element>
        <xs:element name="label" minOccurs="0">
          <xs:complexType><xs:simpleContent><xs:extension base="xs:string">
            <xs:attribute name="lang" type="xs:string"/>
          </xs:extension></xs:simpleContent></xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attributeGroup ref="t:Stamps"/>
    </xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:element name="head" type="xs:string"/>
  <xs:element name="member" type="xs:string" substitutionGroup="t:head"/>
  <xs:element name="root" type="t:Base"/>
</xs:schema>"""

INSTANCE = b"""<t:root xmlns:t="urn:t" xmlns:o="urn:o"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:type="t:Derived" kind="k" created="2024-01-01T00:00:00Z" grown="1">
  <t:id>1</t:id>
  <t:inner a="2" b="3"><t:deep/></t:inner>
  <t:member>m</t:member>
  <t:new>x</t:new>
  <t:note>n</t:note>
  <t:open any="1"><o:foreign/></t:open>
  <t:label lang="en" dialect="gb">hi</t:label>
</t:root>"""


def test_the_table_follows_extensions_groups_references_and_wildcards() -> None:
    table = Declarations([etree.fromstring(SYNTHETIC)])
    root = etree.fromstring(INSTANCE)
    lifted = {(item.type_name, item.name, item.what) for item in lift_unknown(root, table)}
    assert lifted == {
        ("Derived", "grown", "attribute"),
        ("Derived", "new", "element"),
        ("inner", "b", "attribute"),
        ("inner", "deep", "element"),
        ("label", "dialect", "attribute"),
    }
    kept = [etree.QName(child).localname for child in root]
    assert kept == ["id", "inner", "member", "note", "open", "label"]
    assert root.get("created") and root.get("kind") and root.find("{urn:t}open").get("any")
    schema = etree.XMLSchema(etree.fromstring(SYNTHETIC))
    assert not schema.validate(etree.fromstring(INSTANCE))
    assert schema.validate(root), schema.error_log


def test_the_relaxed_documents_drop_enumerations_and_keep_everything_else() -> None:
    sources = relaxed_sources()
    assert xsd_path("platform.xsd").resolve().as_uri() in sources
    for uri, relaxed in sources.items():
        original = etree.parse(uri.removeprefix("file://"))
        derived = etree.fromstring(relaxed)
        assert derived.find(f".//{XS}enumeration") is None, uri
        names = [n.get("name") for n in original.iter() if n.get("name")]
        assert [n.get("name") for n in derived.iter() if n.get("name")] == names, uri


def test_the_field_maps_and_the_schema_agree_on_what_is_known() -> None:
    # The readers decide "unknown" by the field map, the pre-pass by the xsd/ files: a
    # drift between them would report (or lift) a declared field as unknown.
    table = declarations()
    pending = list(OBJECTS.values())
    while pending:
        spec = pending.pop()
        declared = table.declared((spec.namespace, spec.type_name))
        assert declared is not None, spec.type_name
        elements = {f.wire for f in spec.fields if f.nested is not None or f.xml == "element"}
        attributes = {f.wire for f in spec.fields} - elements
        assert {name for ns, name in declared.attributes if ns == ""} == attributes, spec
        assert {name for _, name in declared.children} == elements, spec.type_name
        pending.extend(f.nested for f in spec.fields if f.nested is not None)
