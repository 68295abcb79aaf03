"""Telephone numbers: stored in E.164 (+33612345678), shown as people write them.

A French number is shown in the national format a French reader expects (06 12 34 56 78), any
other in the international format (+44 20 7946 0123). What a visitor types is read as French
unless it starts with + (or 00), so "06 12 34 56 78" and "+33 6 12 34 56 78" are one number.

phonenumbers (its metadata a few tens of milliseconds to load) is imported when a number is read
or shown, not by every process that starts.
"""

HOME_REGION = "FR"


def to_e164(text):
    """The number text stands for, in E.164; None when it is not a valid number."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(stored):
    """A stored number as a reader expects it: national for France, international otherwise.

    Anything that does not parse (a configured value written by hand) is shown as it is.
    """
    if not stored:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(stored, HOME_REGION)
    except phonenumbers.NumberParseException:
        return stored
    home = phonenumbers.region_code_for_number(number) == HOME_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def tel_uri(stored):
    """tel:+33612345678, for a link that dials the number (RFC 3966)."""
    return f"tel:{to_e164(stored) or stored.replace(' ', '')}"
