"""What a dbt Python model reads, as pandas, whichever adapter runs it.

``dbt.ref()`` returns the adapter's own relation: a DuckDB relation (dbt-duckdb), a Spark
DataFrame (dbt-spark, Databricks) or a Snowpark DataFrame (dbt-snowflake). Models call
``to_pandas(dbt.ref(...))`` and stay the same on every adapter.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def to_pandas(relation: object, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows of ``relation`` as a pandas DataFrame, column names in lower case.

    ``columns``: read only these (the database drops the others before they reach Python,
    which matters for wide tables of millions of rows). Snowflake returns upper-case names;
    the package's frames use lower case everywhere.
    """
    if isinstance(relation, pd.DataFrame):
        frame = relation
    elif hasattr(relation, "df") and callable(relation.df):  # DuckDB relation
        frame = (relation if columns is None else relation.project(*columns)).df()
    elif hasattr(relation, "toPandas"):  # Spark DataFrame (PySpark, Databricks)
        frame = (relation if columns is None else relation.select(*columns)).toPandas()
    elif hasattr(relation, "to_pandas"):  # Snowpark DataFrame
        frame = (relation if columns is None else relation.select(*columns)).to_pandas()
    else:
        raise TypeError(
            f"cannot read a {type(relation).__name__} as pandas: expected a DuckDB relation,"
            " a Spark or Snowpark DataFrame, or a pandas DataFrame"
        )
    frame = frame.copy(deep=False)
    frame.columns = [str(column).lower() for column in frame.columns]
    return frame if columns is None else frame[[column.lower() for column in columns]]
