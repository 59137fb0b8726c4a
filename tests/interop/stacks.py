"""Foreign SOAP stacks for the interop tests, built once per machine and cached.

Each stack is looked up or built here; a missing one skips on a developer's machine and
fails under ``CI=true`` (``.ci/run`` installs them through ``scripts/test``). Builds land in
``$BOOMISOAP_INTEROP_CACHE`` (default ``~/.cache/boomisoap-interop``) under a key made of the
sources' hash, so a second run compiles nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from required import missing

HERE = Path(__file__).resolve().parent
JAVA_LIBS = Path("/usr/share/java")
JAXWS_LIBS = Path("/usr/share/jaxws/lib")
WSS4J_JARS = ("wss4j.jar", "xmlsec.jar", "commons-logging.jar", "slf4j-api.jar", "slf4j-nop.jar")


def cache_root() -> Path:
    root = os.environ.get("BOOMISOAP_INTEROP_CACHE") or Path.home() / ".cache/boomisoap-interop"
    return Path(root)


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()[:16]


def run(args: list[str], *, timeout: float = 120, cwd: Path | None = None) -> str:
    done = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False
    )
    if done.returncode != 0:
        raise AssertionError(
            f"{args[0]} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


def java_classpath(jars: tuple[str, ...], root: Path = JAVA_LIBS) -> str:
    paths = [root / jar for jar in jars]
    absent = [str(p) for p in paths if not p.is_file()]
    if absent or shutil.which("javac") is None:
        missing("Java with " + ", ".join(jars), "apt-get install default-jdk-headless ...")
    return os.pathsep.join(str(p) for p in paths)


def wss4j_classes() -> tuple[Path, str]:
    """The compiled WSS4J verifier and its classpath."""
    if not (JAVA_LIBS / "wss4j.jar").is_file():
        missing("Apache WSS4J", "apt-get install libwss4j-java")
    libs = java_classpath(WSS4J_JARS)
    source = HERE / "java" / "Wss4jVerify.java"
    out = cache_root() / f"wss4j-{_digest(source.read_bytes(), libs.encode())}"
    if not (out / "Wss4jVerify.class").is_file():
        out.mkdir(parents=True, exist_ok=True)
        run(["javac", "-d", str(out), "-cp", libs, str(source)])
    return out, libs


def node_modules() -> Path:
    """``tests/interop/node`` installed from its lock file into the cache."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing("Node.js and npm", "apt-get install nodejs npm")
    package = HERE / "node" / "package.json"
    lock = HERE / "node" / "package-lock.json"
    out = cache_root() / f"node-{_digest(package.read_bytes(), lock.read_bytes())}"
    if not (out / "node_modules" / "soap").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(package, out / "package.json")
        shutil.copy(lock, out / "package-lock.json")
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=out, timeout=300)
    return out / "node_modules"


def _schema_digest() -> bytes:
    from boomisoap.resources import resource_root

    root = resource_root()
    files = sorted([*root.glob("wsdl/*.wsdl"), *root.glob("xsd/*.xsd")])
    return b"".join(f.name.encode() + f.read_bytes() for f in files)


def jaxws_client(wsdl_url: str, user: str, password: str) -> tuple[Path, str]:
    """``PlanClient`` compiled against stubs wsimport generated from the served WSDL.

    The stubs depend only on the WSDL and XSD files the emulator serves and on the client's
    source, so the cache key is made of those; the URL (and its port) is not part of it.
    """
    if shutil.which("wsimport") is None:
        missing("JAX-WS RI wsimport", "apt-get install jaxws")
    runtime = java_classpath(("jaxws-rt.jar",), JAXWS_LIBS)
    source = HERE / "java" / "PlanClient.java"
    out = cache_root() / f"jaxws-{_digest(_schema_digest(), source.read_bytes())}"
    classes = out / "classes"
    if not (classes / "PlanClient.class").is_file():
        classes.mkdir(parents=True, exist_ok=True)
        # -Xauthfile: wsimport fetches the WSDL and the schemas it imports with Basic auth.
        authfile = out / "auth"
        scheme, rest = wsdl_url.split("://", 1)
        authfile.write_text(f"{scheme}://{user}:{password}@{rest}\n")
        try:
            run(["wsimport", "-quiet", "-Xauthfile", str(authfile), "-d", str(classes), wsdl_url])
        finally:
            authfile.unlink()
        run(["javac", "-d", str(classes), "-cp", f"{classes}{os.pathsep}{runtime}", str(source)])
    return classes, runtime
