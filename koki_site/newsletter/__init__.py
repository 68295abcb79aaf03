"""The newsletter: double opt-in, one-click unsubscribe, the marketing export."""
