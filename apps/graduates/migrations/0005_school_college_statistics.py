"""PostgreSQL extended statistics: a college determines its school.

Without them the planner multiplies the selectivities of ``school_id = X`` (the school staff's
scope) and ``college_id = Y`` (the college filter) as if independent, expects 5 rows of a
college's 500 at 500,000 graduates, and sorts the whole college instead of reading
graduate_college_list_idx in the list's order up to the LIMIT (issue 9).
"""

from django.db import migrations

CREATE = ("CREATE STATISTICS IF NOT EXISTS graduate_school_college_stats (dependencies) "
          "ON school_id, college_id FROM graduates_graduate")
DROP = "DROP STATISTICS IF EXISTS graduate_school_college_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("graduates", "0004_drop_single_column_fk_indexes"),
    ]

    operations = [migrations.RunPython(create, drop)]
