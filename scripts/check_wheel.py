"""Build the wheel, install it into a fresh virtual environment, and use it from there.

Proves that wsdl/ and xsd/ ship inside the wheel and that an installed (not editable)
boomisoap finds them: the WSDL loads in zeep, the schemas validate, and `boomisoap demo`
runs its whole scenario against the embedded emulator.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECK = """
import pathlib, sys, warnings
warnings.simplefilter("error")
import boomisoap, zeep, xmlschema
from boomisoap.resources import resource_root, wsdl_path, xsd_path
root = resource_root()
assert "site-packages" in str(root), root
assert pathlib.Path(boomisoap.__file__).is_relative_to(pathlib.Path(sys.prefix)), boomisoap.__file__
zeep.Client(str(wsdl_path("apim")))
zeep.Client(str(wsdl_path("platform")))
xmlschema.XMLSchema(str(xsd_path("apim.xsd")))
print("installed wheel OK:", root)
"""


def run(*command: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(c) for c in command], cwd=cwd, check=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="boomisoap-wheel-") as tmp:
        work = Path(tmp)
        run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", work / "dist", ROOT)
        (wheel,) = (work / "dist").glob("boomisoap-*.whl")
        names = set(zipfile.ZipFile(wheel).namelist())
        for expected in (
            "boomisoap/_resources/wsdl/apim.wsdl",
            "boomisoap/_resources/wsdl/platform.wsdl",
            "boomisoap/_resources/xsd/apim.xsd",
            "boomisoap/_resources/xsd/platform.xsd",
            "boomisoap/_resources/xsd/wsse.xsd",
            "boomisoap/py.typed",
        ):
            assert expected in names, f"{expected} missing from {wheel.name}"
        venv.create(work / "venv", with_pip=True)
        python = work / "venv" / "bin" / "python"
        run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", wheel)
        run(python, "-c", CHECK, cwd=work)
        run(work / "venv" / "bin" / "boomisoap", "demo", cwd=work)
    print("wheel check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
