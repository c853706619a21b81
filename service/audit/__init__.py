"""The audit log: who did what, when, to which resource and from which address."""
