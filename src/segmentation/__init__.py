"""Customer segmentation of an online retailer's transaction log.

The dbt project in this repository holds the SQL; this package holds everything that is not
SQL: obtaining and checking the raw file, the clustering functions the dbt Python models call,
and the static report. Functions are pure where they can be and know nothing of dbt.
"""

__version__ = "0.1.0"
