"""Data: upload one CSV of any input kind, validated and imported all-or-nothing by
`storage.importing.import_kind` (the same rules as `supplycast import`)."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Path, UploadFile, status
from fastapi.responses import JSONResponse

from api.deps import EngineDep, Uploader
from api.schemas import UploadProblem, UploadRejected, UploadReportOut
from storage.tables import INPUT_TABLES

router = APIRouter(prefix="/v1", tags=["data"])

KINDS: tuple[str, ...] = tuple(INPUT_TABLES)
"""Input kinds, in dependency order (the CSV formats of docs/data-formats.md)."""

KindPath = Annotated[
    str,
    Path(description="Input kind, e.g. sales.", json_schema_extra={"enum": list(KINDS)}),
]


@router.post(
    "/data/{kind}",
    response_model=UploadReportOut,
    responses={
        401: {"description": "Missing, unknown or revoked API key."},
        403: {"description": "This key's role may not upload."},
        404: {"description": "Unknown kind."},
        413: {"description": "Body larger than the configured limit."},
        422: {"model": UploadRejected, "description": "Invalid file; nothing was written."},
    },
)
def upload_csv(
    engine: EngineDep,
    _: Uploader,
    kind: KindPath,
    file: Annotated[UploadFile, File(description="The CSV file (header first, UTF-8).")],
) -> UploadReportOut | JSONResponse:
    """Import one CSV; every problem is listed with file, line and column, and nothing is
    written when there is any."""
    if kind not in KINDS:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}"
        )
    from storage.importing import ImportValidationError, import_kind  # DATA's importer

    name = file.filename or f"{kind}.csv"
    source = io.BytesIO(file.file.read())
    source.name = name
    try:
        report = import_kind(engine, kind, source)
    except ImportValidationError as exc:
        problems = [
            UploadProblem(file=p.file, line=p.line, column=p.column, message=p.message)
            for p in exc.problems
        ]
        body = UploadRejected(
            detail=f"{len(problems)} problem(s) in {name}; nothing was written",
            problems=problems,
        )
        return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return UploadReportOut(kind=kind, file=name, rows=_rows_written(report, kind))


def _rows_written(report: object, kind: str) -> dict[str, int]:
    """Rows written per kind from DATA's `ImportReport`."""
    rows = getattr(report, "rows_by_kind", None) or {kind: 0}
    return {str(name): int(count) for name, count in rows.items()}
