"""CSV cells a spreadsheet will not run: OWASP's advice against CSV (formula) injection."""

FORMULA_STARTS = frozenset("=+-@\t\r\n")


def safe_cell(text):
    """text, behind a leading quote when a spreadsheet would read it as a formula."""
    return f"'{text}" if text and text[0] in FORMULA_STARTS else text
