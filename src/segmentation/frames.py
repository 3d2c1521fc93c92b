"""What a dbt Python model reads, as pandas, whichever adapter runs it.

``dbt.ref()`` returns the adapter's own relation: a DuckDB relation (dbt-duckdb), a Spark
DataFrame (dbt-spark, Databricks) or a Snowpark DataFrame (dbt-snowflake). Models call
``to_pandas(dbt.ref(...))`` and stay the same on every adapter.
"""

from __future__ import annotations

import pandas as pd


def to_pandas(relation: object) -> pd.DataFrame:
    """The rows of ``relation`` as a pandas DataFrame, column names in lower case.

    Snowflake returns upper-case names; the package's frames use lower case everywhere.
    """
    if isinstance(relation, pd.DataFrame):
        frame = relation
    elif hasattr(relation, "df") and callable(relation.df):  # DuckDB relation
        frame = relation.df()
    elif hasattr(relation, "toPandas"):  # Spark DataFrame (PySpark, Databricks)
        frame = relation.toPandas()
    elif hasattr(relation, "to_pandas"):  # Snowpark DataFrame
        frame = relation.to_pandas()
    else:
        raise TypeError(
            f"cannot read a {type(relation).__name__} as pandas: expected a DuckDB relation,"
            " a Spark or Snowpark DataFrame, or a pandas DataFrame"
        )
    frame = frame.copy(deep=False)
    frame.columns = [str(column).lower() for column in frame.columns]
    return frame
