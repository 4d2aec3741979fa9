"""Add the survey page's new words (an empty code, an expired form) to the installed item bank."""

from django.db import migrations

from liaison.surveys.item_bank import item_bank_install


def forward(apps, schema_editor):
    item_bank_install(apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "Item"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_responses_without_rowid")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
