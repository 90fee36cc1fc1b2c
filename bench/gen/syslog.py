"""``/var/log/secure`` at scale: sshd, sudo and PAM lines of a host under a password-guessing campaign.

Written by DuckDB from ``range()`` (every value a function of the line number), gzip-compressed, in time
order, over 30 days from 2022-03-01; the same arguments give the same file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

START = 1646092800  # 2022-03-01T00:00:00Z
SPAN = 30 * 86400


def generate(out: Path, lines: int) -> Path:
    """One ``secure.gz`` of ``lines`` lines under ``out``; kept if it is there already."""
    out.mkdir(parents=True, exist_ok=True)
    target = out / "secure.gz"
    if target.exists():
        return out
    partial = target.with_suffix(".partial")
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""COPY (
          SELECT strftime(ts, '%b ') || lpad(day(ts)::VARCHAR, 2, ' ') || strftime(ts, ' %H:%M:%S') || ' web-' || (h % 4)
            || ' ' || CASE
              WHEN h % 100 < 70 THEN 'sshd[' || (1000 + h // 7 % 60000) || ']: Failed password for '
                || CASE WHEN h % 3 = 0 THEN 'invalid user ' ELSE '' END
                || ['root', 'admin', 'ubuntu', 'oracle', 'test', 'git', 'postgres', 'ec2-user'][(h // 11 % 8 + 1)::BIGINT]
                || ' from ' || (h // 13 % 200 + 11) || '.' || (h // 17 % 256) || '.' || (h // 19 % 256) || '.'
                || (h // 23 % 254 + 1) || ' port ' || (1024 + h // 29 % 64000) || ' ssh2'
              WHEN h % 100 < 80 THEN 'sshd[' || (1000 + h // 7 % 60000) || ']: Accepted publickey for ec2-user from 10.0.'
                || (h // 31 % 16) || '.' || (h // 37 % 250 + 2) || ' port ' || (1024 + h // 29 % 64000)
                || ' ssh2: RSA SHA256:' || left(md5(i::VARCHAR), 20)
              WHEN h % 100 < 88 THEN 'sshd[' || (1000 + h // 7 % 60000) || ']: pam_unix(sshd:session): session '
                || CASE WHEN h % 2 = 0 THEN 'opened for user ec2-user by (uid=0)' ELSE 'closed for user ec2-user' END
              WHEN h % 100 < 94 THEN 'sudo: ec2-user : TTY=pts/0 ; PWD=/home/ec2-user ; USER=root ; COMMAND=/usr/bin/'
                || ['systemctl status nginx', 'tail -f /var/log/secure', 'yum update -y', 'cat /etc/shadow']
                   [(h // 41 % 4 + 1)::BIGINT]
              ELSE 'sshd[' || (1000 + h // 7 % 60000) || ']: Disconnected from authenticating user root '
                || (h // 13 % 200 + 11) || '.' || (h // 17 % 256) || '.' || (h // 19 % 256) || '.' || (h // 23 % 254 + 1)
                || ' port ' || (1024 + h // 29 % 64000) || ' [preauth]'
            END AS line
          FROM (SELECT i, hash(i) AS h, to_timestamp({START} + i * {SPAN} // {lines}) AS ts FROM range({lines}) t(i))
        ) TO '{partial}' (FORMAT csv, HEADER false, QUOTE '', DELIMITER '\x1f', COMPRESSION gzip)"""
    )
    partial.rename(target)
    return out
