"""Build the CJK font that ships inside tierkit, or check that it still covers tierkit's text.

tierkit draws its Chinese charts with a subset of **Noto Sans CJK SC 2.004**, Regular and Bold
(SIL Open Font License 1.1): the glyphs of every character in tierkit's sources, ASCII, and
common CJK punctuation, about 230 KB a weight instead of the 19 MB collections. The subset is a
Modified Version under the OFL, so it is renamed ("Tierkit Sans CJK", no Reserved Font Name) and
ships with the license next to it: ``src/tierkit/reporting/charts/fontdata/``.

Usage, from the checkout's root::

    python .ci/build_font_subset.py            # rebuild the fonts (after adding Chinese words)
    python .ci/build_font_subset.py --check    # exit 1, naming them, if characters are not covered

The input is fixed, so the output is the same files on every machine (fontTools as pinned in
constraints.txt): ``NotoSansCJK-Regular.ttc`` and ``-Bold.ttc`` of Debian's ``fonts-noto-cjk``
package, version :data:`SOURCE_VERSION`, checked against :data:`SOURCES`' sha256. They are
taken from ``/usr/share/fonts`` when installed there, else the package is fetched with
``apt-get download`` (no root needed, nothing installed) and unpacked in a temporary folder;
``--source DIR`` names a folder with other copies. tests/reporting/test_fonts.py runs the coverage
check, so a Chinese word added to tierkit without rebuilding the fonts fails the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tierkit"
FONT_DIR = PACKAGE / "reporting" / "charts" / "fontdata"
FAMILY = "Tierkit Sans CJK"
#: style -> the font tierkit ships
FONTS = {style: FONT_DIR / f"TierkitSansCJK-{style}.otf" for style in ("Regular", "Bold")}
FONT = FONTS["Regular"]
SOURCE_PACKAGE = "fonts-noto-cjk"
SOURCE_VERSION = "1:20220127+repack1-1"
SOURCE_FOLDER = "usr/share/fonts/opentype/noto"
#: style -> (file in SOURCE_FOLDER, its sha256)
SOURCES = {
    "Regular": ("NotoSansCJK-Regular.ttc", "b76b0433203017ca80401b2ee0dd69350349871c4b19d504c34dbdd80541690a"),
    "Bold": ("NotoSansCJK-Bold.ttc", "faa5f3656a78b2e2d450d27fe8382c778bc2b6bb5ea29c986664a6a435056ceb"),
}
SOURCE_FACE = "Noto Sans CJK SC"

#: Text files of the package whose characters may end up in a chart.
TEXT_SUFFIXES = {".py", ".j2", ".yaml", ".yml", ".json", ".txt", ".md", ".html", ".css", ".csv"}
#: Always in the subset: printable ASCII and the common CJK punctuation, so a sentence typed with
#: full-width punctuation needs no rebuild.
ALWAYS = "".join(map(chr, range(0x20, 0x7F))) + "，。、：；！？（）《》〈〉「」『』【】〔〕…—–·‘’“”％～｜／＋－＝＜＞　"


def source_characters(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Every non-ASCII character in the package's text files, with the files it occurs in."""
    found: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES or FONT_DIR in path.parents:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for char in set(text):
            if ord(char) > 0x7E and unicodedata.category(char)[0] != "C":  # not a control or format mark
                found.setdefault(char, set()).add(str(path.relative_to(package.parent.parent)))
    return found


def needs_cjk_font(char: str) -> bool:
    """Whether ``char`` is East Asian wide (ideographs, kana, CJK and full-width punctuation)."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def cmap(path: Path, face: int = 0) -> set[int]:
    """The code points a font file has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=face, lazy=True) as font:
        return set(font.getBestCmap())


def dejavu_cmap() -> set[int]:
    """The code points of DejaVu Sans, the font matplotlib ships and falls back to."""
    import matplotlib

    return cmap(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def uncovered(fonts=None, package: Path = PACKAGE) -> dict[str, set[str]]:
    """Characters of the package that a shipped font does not draw, with the files they occur in.

    A wide (CJK) character must be in each bundled font; any other one in it or in DejaVu Sans.
    """
    dejavu = dejavu_cmap()
    missing: dict[str, set[str]] = {}
    for font in FONTS.values() if fonts is None else fonts:
        bundled = cmap(font) if Path(font).exists() else set()
        for c, files in source_characters(package).items():
            if ord(c) not in bundled and (needs_cjk_font(c) or ord(c) not in dejavu):
                missing.setdefault(c, set()).update(f"{file} (not in {Path(font).name})" for file in files)
    return missing


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sources(folder: Path) -> Path:
    """The folder with the source fonts of the pinned Debian package: installed, or unpacked into ``folder``."""
    installed = Path("/") / SOURCE_FOLDER
    if all((installed / name).is_file() and _sha256(installed / name) == sha for name, sha in SOURCES.values()):
        return installed
    print(f"fetching {SOURCE_PACKAGE}={SOURCE_VERSION} (apt-get download, about 57 MB)", file=sys.stderr)
    subprocess.run(["apt-get", "download", "-q", f"{SOURCE_PACKAGE}={SOURCE_VERSION}"], cwd=folder, check=True)
    (deb,) = folder.glob(f"{SOURCE_PACKAGE}_*.deb")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "unpacked")], check=True)
    return folder / "unpacked" / SOURCE_FOLDER


def _face_index(path: Path, family: str) -> int:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    with open(path, "rb") as handle:
        faces = len(TTCollection(handle, lazy=True).fonts)
    for index in range(faces):
        with TTFont(path, fontNumber=index, lazy=True) as font:
            if font["name"].getDebugName(1) == family:
                return index
    raise SystemExit(f"{path}: no face of the family {family!r}")


def _rename(font, style: str) -> None:
    """Give the subset its own name (OFL: a Modified Version), keeping the copyright and license."""
    postscript_name = f"{FAMILY.replace(' ', '')}-{style}"
    name = font["name"]
    version = name.getDebugName(5) or ""
    for name_id in (1, 2, 3, 4, 6, 10, 16, 17):
        name.removeNames(nameID=name_id)
    upstream = f"{SOURCE_FACE} {version.split(';')[0].removeprefix('Version ')}"
    for name_id, text in {
        1: FAMILY, 2: style, 3: f"{postscript_name};{upstream} subset", 4: f"{FAMILY} {style}",
        6: postscript_name,
        10: f"A subset of {upstream} (SIL Open Font License 1.1) with the characters tierkit draws in its charts.",
    }.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, English: the only records the source keeps
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff[cff.fontNames[0]]
        cff.fontNames = [postscript_name]
        top.FullName = f"{FAMILY} {style}"
        top.FamilyName = FAMILY
        if hasattr(top, "CIDFontName"):  # hotconv CID-keyed fonts carry the name here too
            top.CIDFontName = postscript_name


def build(source: Path, style: str, out: Path) -> set[str]:
    """Write the subset of ``source`` to ``out``, named as ``style``; the characters it covers."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    face = _face_index(source, SOURCE_FACE)
    wanted = sorted(set(ALWAYS) | set(source_characters()))
    with TTFont(source, fontNumber=face, lazy=False, recalcTimestamp=False) as font:
        have = set(font.getBestCmap())
        chars = [c for c in wanted if ord(c) in have]
        options = subset.Options()
        options.name_IDs = ["*"]          # keep copyright, trademark, designer, license (OFL condition 2)
        options.notdef_outline = True     # a character outside the subset shows as a box, not as nothing
        options.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]  # horizontal text only
        options.layout_features = ["kern", "liga", "locl", "palt", "halt"]
        options.recalc_timestamp = False  # the same input gives the same bytes
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in chars])
        subsetter.subset(font)
        _rename(font, style)
        out.parent.mkdir(parents=True, exist_ok=True)
        font.save(out)
    return set(chars)


def main(argv=None) -> int:
    """Build the font, or check its coverage with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that every character is covered")
    parser.add_argument("--source", type=Path, help="a folder with NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc")
    parser.add_argument("--any-source", action="store_true", help="accept sources other than the pinned ones")
    args = parser.parse_args(argv)
    if not args.check:
        with tempfile.TemporaryDirectory() as folder:
            sources = args.source or fetch_sources(Path(folder))
            for style, (name, sha) in SOURCES.items():
                source = sources / name
                if _sha256(source) != sha and not args.any_source:
                    print(f"{source}: not the pinned source font (sha256 {sha}); the subset would differ from "
                          "the committed one. Pass --any-source to build it anyway.", file=sys.stderr)
                    return 1
                chars = build(source, style, FONTS[style])
                wide = sum(needs_cjk_font(c) for c in chars)
                print(f"{FONTS[style].relative_to(ROOT)}: {FONTS[style].stat().st_size / 1024:.0f} KB, "
                      f"{len(chars)} characters ({wide} CJK), sha256 {_sha256(FONTS[style])}")
    missing = uncovered()
    for char, files in sorted(missing.items()):
        print(f"not covered: {char} (U+{ord(char):04X}) in {', '.join(sorted(files))}", file=sys.stderr)
    if missing:
        print("rebuild the font: python .ci/build_font_subset.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
