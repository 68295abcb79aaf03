"""Anonymous audience statistics, with consent only: daily page views and unique visitors."""
