"""A DOCX built from a JSON text spec, so eval sets hold no binary files.

    python -m evals.tools.docx_spec SPEC.docx.json OUT.docx

A spec is ``{"title": ..., "author": ..., "paragraphs": [{"style": "Heading 1",
"runs": [{"text": ..., "hidden": true, "color": "FFFFFF", "size_pt": 1}]}]}``: each run
may be hidden (``w:vanish``), coloured (hex RGB) or sized in points, which is how text
is hidden from readers in Word.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

SPEC_SUFFIX = ".docx.json"


def docx_from_spec(spec: dict[str, Any]) -> bytes:
    """The bytes of the DOCX that ``spec`` describes."""
    import docx
    from docx.shared import Pt, RGBColor

    document = docx.Document()
    document.core_properties.title = spec.get("title") or ""
    document.core_properties.author = spec.get("author") or ""
    for number, paragraph in enumerate(spec["paragraphs"], start=1):
        para = document.add_paragraph(style=paragraph.get("style", "Normal"))
        for run_spec in paragraph["runs"]:
            run = para.add_run(run_spec["text"])
            if run_spec.get("hidden"):
                run.font.hidden = True
            if "color" in run_spec:
                run.font.color.rgb = RGBColor.from_string(run_spec["color"])
            if "size_pt" in run_spec:
                run.font.size = Pt(run_spec["size_pt"])
            unknown = set(run_spec) - {"text", "hidden", "color", "size_pt"}
            if unknown:
                raise ValueError(f"paragraph {number}: unknown run fields {sorted(unknown)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build(spec_path: Path, out: Path) -> Path:
    """Write the DOCX that the spec file ``spec_path`` describes to ``out``."""
    out.write_bytes(docx_from_spec(json.loads(spec_path.read_text(encoding="utf-8"))))
    return out


def main(argv: list[str]) -> int:
    """Build ``argv[1]`` (a .docx) from the spec ``argv[0]``."""
    if len(argv) != 2:
        print(__doc__)
        return 2
    build(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
