"""Reading what the site mailed, as a recipient would."""


def text_of(message):
    """The text part: the whole mail for staff, the plain alternative of a visitor's mail."""
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()
