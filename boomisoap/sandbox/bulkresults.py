"""The ``Result`` elements of the emulator's getBulk answers, built once per object.

Stored objects are frozen dataclasses and the state decodes each stored text once
(``objects._decode``), so an unchanged object is the same instance in every answer and
its element is the same too: it is written once and each answer appends a copy (a C
copy of the tree, where writing it again walks its fields in Python). The element is
built under a getBulk wrapper of its own, so the copy finds the same prefixes in scope
where it is appended and the answer serialises to the same bytes as one written in place.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from lxml import etree

from ..codec.xmlcodec import write_object
from ..models.fields import ObjectSpec
from ..soapbody import bulk, wrapper

# Elements kept per thread and spec; past this many the memory starts over.
LIMIT = 2048
# lxml trees are not shared between threads: each keeps its own elements.
_LOCAL = threading.local()


class ResultCopies:
    """Appends the ``Result`` of one object to a getBulk ``response`` entry."""

    def __init__(self, service: str, spec: ObjectSpec) -> None:
        self.service = service
        self.spec = spec
        # Keyed by id, the object kept beside its element: a held object's id is not reused.
        self._built: dict[int, tuple[Any, Any]] = {}

    def append(self, entry: Any, obj: Any) -> None:
        found = self._built.get(id(obj))
        if found is None or found[0] is not obj:
            if len(self._built) >= LIMIT:
                self._built.clear()
            _, answer = wrapper.write(self.service, "getBulk")
            holder = etree.SubElement(etree.SubElement(answer, bulk.RESULTS), bulk.RESPONSE)
            found = self._built[id(obj)] = (obj, write_object(holder, bulk.RESULT, obj, self.spec))
        entry.append(copy.deepcopy(found[1]))


def result_copies(service: str, spec: ObjectSpec) -> ResultCopies:
    """This thread's copies for ``spec``'s objects answered on ``service``."""
    table: dict[tuple[str, str], ResultCopies] | None = getattr(_LOCAL, "table", None)
    if table is None:
        table = _LOCAL.table = {}
    key = (service, spec.type_name)
    found = table.get(key)
    if found is None or found.spec is not spec:
        found = table[key] = ResultCopies(service, spec)
    return found
