"""The staff back office: accounts, login, roles, the audit log and retention pages."""
