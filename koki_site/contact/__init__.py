"""Contact requests: the public form, the messages, the staff inbox and replies."""
