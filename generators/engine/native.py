"""The engine compiled to C with mypyc: the same modules, the same output, about twice as fast.

``bin/compile-engine`` (run by ``make``) compiles the modules in ``COMPILED`` into
``_native/`` beside this file and writes there the digest of the package's sources (the
compiled modules and the ones they import, which the build was checked against). On import,
``generators.engine`` puts ``_native/`` first on its search path only when that digest
matches the sources as they are now, so an edited module is never shadowed by a stale build:
until the next ``make``, the package runs as pure Python (with a warning).
``SYNTHGEN_ENGINE=python`` runs everything as pure Python, the way to compare the two.

The compiled modules are written for it in two ways. Hot constants are ``Final`` (a C static,
not a module dictionary lookup), and the classes built for every entry (``Content``,
``Product``, ``Writer``, ``Message``...) have an ``__init__`` written out with
``object.__setattr__``: compiled, that is a plain store into the object, where the
``__init__`` a ``dataclass`` generates stays Python.

Compiling needs mypy (the ``native`` extra) and a C compiler; without them the engine runs
as pure Python, only slower. Compiled or not, a seed gives the same bytes: the tests check
the compiled build against pure Python in a subprocess.
"""

import hashlib
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR / "_native"
DIGEST_FILE = NATIVE_DIR / "SOURCES"

# The newest version's stages. Not compiled: ``vocabulary`` (it finds its files by
# ``__file__``), the checker, the registry, and the frozen versions in ``v1/``, ``v2/``, ``v2_1/``.
COMPILED: tuple[str, ...] = (
    "content",
    "datasets",
    "discourse",
    "feedback",
    "grammar",
    "interviews",
    "lexicon",
    "microplan",
    "people",
    "products",
    "realiser",
    "surface",
    "tickets",
    "timeline",
    "titles",
    "writers",
)


def sources_digest(package_dir: Path = PACKAGE_DIR) -> str:
    """A digest of the package's own modules (not the frozen versions' subpackages) as they
    are in ``package_dir`` now."""
    digest = hashlib.sha256()
    for source in sorted(package_dir.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def search_path() -> list[str]:
    """The directories to put before the package's own on its ``__path__``: ``_native/``
    when it holds a build of the current sources and pure Python was not asked for."""
    if os.environ.get("SYNTHGEN_ENGINE") == "python" or not DIGEST_FILE.exists():
        return []
    if not _is_current():
        warnings.warn(
            "the compiled engine in generators/engine/_native/ is older than its sources; "
            "running them as pure Python until `make` compiles them again",
            stacklevel=2,
        )
        return []
    return [str(NATIVE_DIR)]


def _is_current() -> bool:
    """Whether ``_native/`` holds a build of the sources as they are now."""
    return DIGEST_FILE.exists() and DIGEST_FILE.read_text().strip() == sources_digest()


def is_compiled() -> bool:
    """Whether this process runs the compiled modules."""
    from generators.engine import grammar

    return not str(grammar.__file__).endswith(".py")


def build() -> None:
    """Compile ``COMPILED`` into ``_native/``, replacing what was there."""
    from mypyc.build import mypycify
    from setuptools import Distribution  # type: ignore[import-untyped, unused-ignore]

    digest = sources_digest()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        # A config of its own: the project's mypy config loads the Django plugin, which the
        # engine does not need and which would need settings.
        config = work / "mypy.ini"
        config.write_text("[mypy]\npython_version = 3.11\nignore_missing_imports = True\n")
        here = Path.cwd()
        os.chdir(work)  # mypyc writes its C files under ./build
        try:
            extensions = mypycify(
                ["--config-file", str(config)]
                + [str(PACKAGE_DIR / f"{name}.py") for name in COMPILED],
                opt_level="3",
                group_name="generators.engine.native_group",
            )
            dist = Distribution({"name": "synthgen-engine", "ext_modules": extensions})
            command = dist.get_command_obj("build_ext")
            command.build_lib = str(work / "lib")
            dist.run_command("build_ext")
        finally:
            os.chdir(here)
        built = work / "lib" / "generators" / "engine"
        staged = Path(tempfile.mkdtemp(dir=PACKAGE_DIR, prefix="_native."))
        for library in built.iterdir():
            shutil.copy2(library, staged / library.name)
        (staged / "SOURCES").write_text(digest + "\n")
    # Swap the whole directory in, so no process ever sees half a build.
    old = PACKAGE_DIR / f"_native.old.{os.getpid()}"
    if NATIVE_DIR.exists():
        NATIVE_DIR.rename(old)
    staged.rename(NATIVE_DIR)
    shutil.rmtree(old, ignore_errors=True)


def main() -> int:
    """Compile the engine unless ``_native/`` already holds a build of these sources."""
    if _is_current():
        DIGEST_FILE.touch()  # for make: up to date
        print("the compiled engine is up to date")
        return 0
    try:
        import mypyc.build  # noqa: F401
    except ImportError:
        print("mypy is not installed: the engine runs as pure Python", file=sys.stderr)
        return 0
    try:
        build()
    except (Exception, SystemExit) as error:  # no compiler, most likely: pure Python works
        print(f"could not compile the engine ({error}); it runs as pure Python", file=sys.stderr)
        return 0
    print(f"compiled {len(COMPILED)} engine modules into {NATIVE_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
