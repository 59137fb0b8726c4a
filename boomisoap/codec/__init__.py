"""Codecs between the dataclasses and the wire, all driven by the field maps."""
