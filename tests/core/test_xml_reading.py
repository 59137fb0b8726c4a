"""The XML reader's value objects: read once per attribute set, given again only when
nothing about them was unknown."""

from __future__ import annotations

import warnings

import pytest
from lxml import etree

from boomisoap import InvalidRequest, UnknownFieldWarning
from boomisoap.codec.xmlcodec import read_object
from boomisoap.models.extras import forget_reported
from boomisoap.models.platform import ACCOUNT, LICENSE, License
from boomisoap.namespaces import API

ACCOUNT_XML = f"""<a:Result xmlns:a="{API}" accountId="acct-{{n}}" name="n">
<a:licensing><a:standard purchased="5" used="1"/><a:enterprise purchased="5" used="1"/>
</a:licensing><a:molecule purchased="1" used="1"/></a:Result>"""


def _element(text: str) -> etree._Element:
    return etree.fromstring(text)


def test_value_objects_with_the_same_attributes_are_one_instance() -> None:
    first = read_object(_element(ACCOUNT_XML.format(n=1)), ACCOUNT, unknown="keep")
    second = read_object(_element(ACCOUNT_XML.format(n=2)), ACCOUNT, unknown="keep")
    assert first.licensing.standard == License(purchased=5, used=1)
    assert first.licensing.standard is second.licensing.standard
    assert first.licensing.standard is first.licensing.enterprise
    # Objects with an id, and those holding other objects, are read every time.
    assert first is not second
    assert first.licensing is not second.licensing
    assert first.licensing == second.licensing


def test_a_value_object_with_an_unknown_attribute_is_never_given_from_memory() -> None:
    plain = read_object(_element(f'<a:x xmlns:a="{API}" purchased="2" used="3"/>'), LICENSE)
    unknown = f'<a:x xmlns:a="{API}" purchased="2" used="3" future="y"/>'
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        kept = read_object(_element(unknown), LICENSE, unknown="keep")
    assert dict(kept.extras) == {"future": "y"}
    assert kept == plain and not plain.extras
    with pytest.raises(InvalidRequest, match="unknown attribute future"):
        read_object(_element(unknown), LICENSE, unknown="refuse")
    # Read first where unknown items are ignored, the same element is still refused.
    ignored = read_object(_element(unknown), LICENSE, unknown="ignore")
    assert not ignored.extras
    with pytest.raises(InvalidRequest, match="unknown attribute future"):
        read_object(_element(unknown), LICENSE, unknown="refuse")


def test_a_value_object_with_a_child_element_is_read_in_full() -> None:
    text = f'<a:x xmlns:a="{API}" purchased="4" used="4"><a:note>n</a:note></a:x>'
    read_object(_element(text), LICENSE, unknown="ignore")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        kept = read_object(_element(text), LICENSE, unknown="keep")
    assert "note" in kept.extras


def test_a_bad_value_is_refused_every_time() -> None:
    forget_reported()
    bad = _element(f'<a:x xmlns:a="{API}" purchased="-1" used="0"/>')
    for _ in range(2):
        with pytest.raises(InvalidRequest, match="purchased"):
            read_object(bad, LICENSE, unknown="keep")
