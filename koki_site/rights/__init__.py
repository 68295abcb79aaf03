"""GDPR rights: the visitor's self-service, verified by mail, and the DPO's desk."""
