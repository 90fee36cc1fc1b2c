"""Syslog (RFC 3164/5424, ISO-prefixed, journal JSON) and the auth events inside it."""
