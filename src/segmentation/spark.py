"""`segmentation spark` (`make run-spark`): the SQL half of the project on Apache Spark.

One process, one JVM: a local Spark session with the settings of the `spark` target in
profiles.yml loads the raw file into the table ``raw.invoice_lines`` (each line with its
position in the file), dbt builds the ``sql_marts`` selection in the same process (dbt-spark's
`session` method picks up the running session), and every mart it built is written as one
Parquet file to ``exports/spark/<mart>.parquet``. The dbt Python models (clustering, value)
are not built: dbt-spark's session method cannot run Python models.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

from segmentation import publish
from segmentation.dbt_runner import PROJECT_DIR, dbt_environment

#: The dbt target (profiles.yml) and the selector (selectors.yml) this command builds.
TARGET = "spark"
SELECTOR = "sql_marts"
#: Where the raw lines are loaded, and the column that numbers them (dbt vars of the build).
RAW_RELATION = "raw.invoice_lines"
LINE_NUMBER_COLUMN = "line_number"
DEFAULT_SPARK_DIR = PROJECT_DIR / "warehouse" / "spark"
DEFAULT_OUT = Path("exports") / "spark"
MARTS_SCHEMA = "marts"

PYTHON_MODELS_NOTE = (
    "The dbt Python models (clustering and value models) were not built: dbt-spark's "
    "`session` method cannot run Python models (dbt-spark issue #1062). They run on "
    "Databricks or another adapter that runs dbt Python models; the SQL marts above are "
    "the whole SQL half of the project."
)


class SparkRunError(Exception):
    """Spark cannot start or the build failed; the message says what to do."""


@dataclass(frozen=True)
class ExportedMart:
    name: str
    path: Path
    rows: int
    columns: list[str]


def spark_dir(env: Mapping[str, str] | None = None) -> Path:
    """The directory of the local Spark warehouse and metastore (DBT_SPARK_DIR)."""
    env = os.environ if env is None else env
    return Path(env.get("DBT_SPARK_DIR") or DEFAULT_SPARK_DIR).resolve()


def session_parameters(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The `server_side_parameters` of the `spark` output of profiles.yml, rendered.

    profiles.yml is the one place that configures the Spark session: dbt-spark applies the
    same parameters when it opens its session, so the session started here is the one dbt
    uses. Only `env_var` is available to the values, as in dbt.
    """
    env = dict(os.environ if env is None else env)

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise SparkRunError(f"profiles.yml needs the environment variable {name}")
        return default

    with open(PROJECT_DIR / "profiles.yml", encoding="utf-8") as handle:
        profile = yaml.safe_load(handle)
    parameters = profile["customer_segmentation"]["outputs"][TARGET]["server_side_parameters"]
    templates = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return {
        key: templates.from_string(str(value)).render(env_var=env_var)
        for key, value in parameters.items()
    }


def start_session(env: Mapping[str, str] | None = None):
    """A local Spark session with Hive support and the profile's parameters."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise SparkRunError(
            "Spark needs Java 17 or later and none was found (no `java` on PATH, no "
            "JAVA_HOME). On Debian: apt-get install default-jre-headless"
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise SparkRunError(
            "pyspark is not installed: `make run-spark` installs it from requirements-spark.lock"
        ) from error
    directory = spark_dir(env)
    directory.mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("customer_segmentation").enableHiveSupport()
    for key, value in session_parameters(env).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_raw_file(session, resolved, table: str = RAW_RELATION) -> int:
    """Write the raw file into ``table`` as it is (text CSV columns, typed Parquet columns),
    each line numbered by its position in the file in ``LINE_NUMBER_COLUMN``; returns the
    number of lines.

    ``resolved`` is the checked file (segmentation.ingest.ResolvedRawFile). A single file
    is read in order, partition after partition, so the increasing ids give file order.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    path = str(Path(resolved.path).resolve())
    if str(resolved.path).lower().endswith(".parquet"):
        lines = session.read.parquet(path)
    else:
        lines = session.read.csv(
            path,
            header=True,
            sep=resolved.delimiter,
            encoding=resolved.encoding,
            quote='"',
            escape='"',
            multiLine=True,
            inferSchema=False,
        )
        # a UTF-8 byte-order mark is no part of the first column's name
        lines = lines.toDF(*[name.lstrip("\ufeff") for name in lines.columns])
    in_file_order = Window.orderBy(F.monotonically_increasing_id())
    numbered = lines.withColumn(LINE_NUMBER_COLUMN, F.row_number().over(in_file_order))
    schema = table.split(".")[0]
    session.sql(f"create schema if not exists {schema}")
    numbered.write.mode("overwrite").format("parquet").saveAsTable(table)
    return session.table(table).count()


def build(dbt_vars: dict, target_path: Path, project_dir: Path = PROJECT_DIR) -> list:
    """`dbt build --selector sql_marts` on the spark target, in this process (so on the
    running Spark session); returns dbt's node results. Raises SparkRunError on failure."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(project_dir=project_dir))
    run_results = target_path / "run_results.json"
    run_results.unlink(missing_ok=True)
    args = [
        "build",
        "--target", TARGET,
        "--selector", SELECTOR,
        "--vars", json.dumps(dbt_vars),
        "--target-path", str(target_path),
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
    ]  # fmt: skip
    result = dbtRunner().invoke(args)
    if not result.success:
        failures = publish.failed_nodes(run_results)
        summary = publish.describe_failure(1, failures)
        if result.exception is not None and not failures:
            summary = f"`dbt build` on Spark failed: {result.exception}"
        raise SparkRunError(summary)
    return list(result.result.results)


def built_marts(results: list) -> list[str]:
    """Names of the models of the marts schema that the build wrote, in build order."""
    return [
        result.node.name
        for result in results
        if result.node.resource_type == "model"
        and result.node.schema == MARTS_SCHEMA
        and str(result.status) == "success"
    ]


def export_marts(session, marts: list[str], out: Path) -> list[ExportedMart]:
    """Each mart as one Parquet file ``out/<mart>.parquet`` (written beside, then renamed)
    and ``out/_manifest.json`` with each file's rows and columns."""
    out.mkdir(parents=True, exist_ok=True)
    exported = []
    for name in marts:
        frame = session.table(f"{MARTS_SCHEMA}.{name}")
        staging = out / f".{name}.writing"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            frame.coalesce(1).write.mode("overwrite").parquet(str(staging))
            (part,) = staging.glob("part-*.parquet")
            path = out / f"{name}.parquet"
            os.replace(part, path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        exported.append(ExportedMart(name, path, frame.count(), frame.columns))
    manifest = {
        "engine": f"Apache Spark {session.version}",
        "marts": {
            mart.name: {"file": mart.path.name, "rows": mart.rows, "columns": mart.columns}
            for mart in exported
        },
    }
    (out / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return exported


def run(
    resolved,
    out: Path = DEFAULT_OUT,
    extra_vars: dict | None = None,
    project_dir: Path = PROJECT_DIR,
) -> list[ExportedMart]:
    """Load ``resolved`` into Spark, build the SQL marts on it and export them to ``out``."""
    os.environ["DBT_SPARK_DIR"] = str(spark_dir())
    target_path = Path(os.environ.get("DBT_TARGET_PATH", "target")) / TARGET
    session = start_session()
    try:
        lines = load_raw_file(session, resolved)
        print(f"Spark: {lines:,} raw lines in {RAW_RELATION} ({spark_dir()})", flush=True)
        dbt_vars = {
            **(extra_vars or {}),
            "raw_relation": RAW_RELATION,
            "raw_line_number_column": LINE_NUMBER_COLUMN,
        }
        results = build(dbt_vars, target_path, project_dir)
        return export_marts(session, built_marts(results), out)
    finally:
        session.stop()
