"""One SQL convention: named statements under sql/, one loader, identifiers checked and quoted,
literals escaped by one function, and nothing else spliced into SQL text."""

import re
from pathlib import Path

import pytest

from resources.sql import (
    SQL_DIR,
    SqlError,
    assignments,
    column_definitions,
    ident,
    lit,
    placeholders,
    qualified,
    raw,
    rows,
    sql_names,
    statement,
    statements,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["a b", "1st", "x`; DROP TABLE t; --", "", "naïve", "db.table"])
def test_an_identifier_that_is_no_plain_name_is_refused(name):
    with pytest.raises(SqlError, match="not an identifier"):
        ident(name)


def test_identifiers_are_quoted_and_literals_escaped():
    assert ident("mysql_orders").text == "`mysql_orders`"
    assert qualified("test_raw", "mysql_orders").text == "`test_raw`.`mysql_orders`"
    assert lit("O'Brien \\ co").text == "'O\\'Brien \\\\ co'"
    assert (lit(30).text, lit(None).text, lit(True).text) == ("30", "NULL", "TRUE")
    assert assignments({"dt": "2025-01-01", "hr": "07"}).text == "`dt` = '2025-01-01', `hr` = '07'"
    assert rows([("a'b", 1, True), (None, 2, False)]).text == "('a\\'b', 1, TRUE), (NULL, 2, FALSE)"
    with pytest.raises(SqlError, match="at least one row"):
        rows([])
    assert column_definitions([("loyalty_points", "int"), ("price", "decimal(10,2)")]).text == \
        "`loyalty_points` int, `price` decimal(10,2)"
    with pytest.raises(SqlError, match="not an identifier"):
        column_definitions([("a b", "int")])


def test_a_plain_value_is_refused_and_every_placeholder_needs_one():
    with pytest.raises(SqlError, match="table must be made with ident/lit/raw"):
        statement("raw/tables.sql", "row_count", table="raw.mysql_orders")
    with pytest.raises(SqlError, match=r"no value for \{table\}"):
        statement("raw/tables.sql", "row_count")
    with pytest.raises(SqlError, match="no placeholder for limit"):
        statement("raw/tables.sql", "row_count", table=ident("t"), limit=lit(5))
    with pytest.raises(SqlError, match="no such statement"):
        statement("raw/tables.sql", "row_cuont", table=ident("t"))


def test_named_statements_split_on_line_ending_semicolons_and_drop_comments():
    assert statements("clickstream/parse.sql", "settings") == ["SET spark.sql.mapKeyDedupPolicy=LAST_WIN",
                                                               "SET spark.sql.session.timeZone=UTC"]
    assert statement("raw/tables.sql", "row_count", table=qualified("raw", "t")) == "SELECT COUNT(*) FROM `raw`.`t`"
    assert "settings" in sql_names("clickstream/parse.sql")


def test_every_sql_file_loads_and_every_named_statement_is_sql():
    for path in sorted(SQL_DIR.rglob("*.sql")):
        relative = str(path.relative_to(SQL_DIR))
        names = sql_names(relative) or [None]
        for name in names:
            # Filling every placeholder with a harmless piece renders every statement of the file.
            filled = statements(relative, name, **{p: raw("x") for p in placeholders(relative, name)})
            assert filled and all(text and not text.startswith("--") for text in filled), (relative, name)


def test_no_sql_is_built_in_python_outside_sql_files():
    """SQL text lives in sql/: the code that runs SQL holds no statement of its own (f-strings or not)."""
    keyword = re.compile(r'f?"(SELECT|INSERT|UPDATE|DELETE|ALTER|CREATE|DROP|SHOW|DESCRIBE|LOAD DATA|SET) ')
    offenders = []
    for package in ("resources", "dataplatform_assets", "dataplatform"):
        for module in (REPO / package).rglob("*.py"):
            for number, line in enumerate(module.read_text().splitlines(), 1):
                code = line.split("#", 1)[0]
                if keyword.search(code) and '"""' not in code:
                    offenders.append(f"{module.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []

