"""Values an attacker can plant in logs, so that every consumer of the demo data meets them.

Script tags for the web grid, spreadsheet formulas for CSV export, SQL for anything that builds queries,
bidirectional-override and non-ASCII text, control characters, quotes and one very long value.
"""

from __future__ import annotations

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = '<script>alert("xss")</script>'
FORMULA_HYPERLINK = '=HYPERLINK("http://evil.example","x")'
FORMULA_DDE = "+cmd|' /C calc'!A0"
FORMULA_AT = "@SUM(1+1)"
FORMULA_MINUS = "-2+3"
UNICODE_USER = "ïñtérnätiønål-用户-🙂"
RTL_OVERRIDE = "uploads/invoice-\u202efdp.exe"
CONTROL_CHARS = "line one\nline two\n\tindented\tcell\r\nend"
QUOTES = 'reports/it\'s "final" C:\\temp\\q.csv'
SQL_BUCKET = "x'; DROP TABLE sheets; --"
LONG_VALUE = ('{"Version":"2012-10-17","Statement":[' + '{"Effect":"Allow","Action":"s3:*"},' * 700)[:20_000]

SSH_XSS_USER = "<script>alert(1)</script>"
SSH_DDE_USER = "=cmd|'/C calc'!A0"

CLOUDTRAIL = (
    XSS_IMG,
    XSS_SCRIPT,
    FORMULA_HYPERLINK,
    FORMULA_DDE,
    FORMULA_AT,
    FORMULA_MINUS,
    UNICODE_USER,
    RTL_OVERRIDE,
    CONTROL_CHARS,
    QUOTES,
    SQL_BUCKET,
    LONG_VALUE,
)
SECURE = (SSH_XSS_USER, SSH_DDE_USER)
