# Copy to instance/config.py (git-ignored) and adapt. Environment variables FLASK_<KEY> win over it.
# `make run` writes a config.py with a random SECRET_KEY when there is none.
# SECRET_KEY signs sessions and cookies: draw your own, never copy one (a known key is refused).
#   python3 -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' >> instance/config.py

# Where the site lives; by default a SQLite file in this folder.
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://koki@127.0.0.1:5432/koki"

# The legal notice and the privacy policy (see koki_site/config.py for every key)
# COMPANY_LEGAL_FORM = "SAS"
# COMPANY_ADDRESS = "..."
# COMPANY_REGISTRATION = "RCS ... 000 000 000"
# PUBLICATION_DIRECTOR = "..."
# DPO_ADDRESS = "..."
# HOST_ADDRESS = "..."
