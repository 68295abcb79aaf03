"""The Art. 30 record of processing activities, for the DPO: HTML and CSV, from the register."""

import csv
import io

from flask import Response, render_template
from flask_babel import lazy_gettext as _l

from koki_site.core import register
from koki_site.core.auth import role_required
from koki_site.core.i18n import format_period
from koki_site.core.spreadsheet import safe_cell
from koki_site.rights import desk_bp as bp
from koki_site.rights.desk import right_label

# The Art. 30 record of processing activities: one row per processing of the register.
COLUMNS = (
    _l("Processing"),
    _l("Purpose"),
    _l("Legal basis"),
    _l("Data categories"),
    _l("Data subjects"),
    _l("Recipients"),
    _l("Transfers outside the EU"),
    _l("Retention"),
    _l("Security measures"),
    _l("Rights"),
)


@bp.get("/register")
@role_required("dpo")
def record():
    """The record of processing activities (GDPR Art. 30), from the register."""
    return render_template(
        "rights/register.html",
        columns=COLUMNS,
        processings=register.PROCESSINGS,
        transfers=register.TRANSFERS,
        security_measures=register.SECURITY_MEASURES,
    )


def row(processing):
    retention = "; ".join(
        f"{format_period(rule.period())} {rule.when}" if rule.config_key else str(rule.when)
        for rule in processing.retention
    )
    return [
        str(text)
        for text in (
            processing.name,
            processing.purpose,
            processing.legal_basis_label,
            processing.data_categories,
            processing.data_subjects,
            processing.recipients,
            register.TRANSFERS,
            retention,
            register.SECURITY_MEASURES,
            ", ".join(str(right_label(key)) for key in processing.rights),
        )
    ]


@bp.get("/register.csv")
@role_required("dpo")
def record_csv():
    """The same record as CSV (RFC 4180, UTF-8 with a BOM for spreadsheets), in the page's language."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([str(column) for column in COLUMNS])
    for processing in register.PROCESSINGS:
        writer.writerow([safe_cell(cell) for cell in row(processing)])
    disposition = 'attachment; filename="record-of-processing-activities.csv"'
    return Response(buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": disposition})
