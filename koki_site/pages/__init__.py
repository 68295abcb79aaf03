"""The public pages: the showcase, the privacy and cookie policies, the legal notice."""
