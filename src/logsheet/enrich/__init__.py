"""Offline IP enrichment data: the user's AWS ``ip-ranges.json`` and GeoIP ``.mmdb`` files, read once and
stored as range tables (Parquet) that the enrich step joins (:mod:`logsheet.compiler.enrich`).

:mod:`.ranges` is the range table both become; :mod:`.aws` reads ``ip-ranges.json``; :mod:`.geoip` reads a
MaxMind or DB-IP ``.mmdb`` file with ``maxminddb``. Nothing here makes a network request.
"""
