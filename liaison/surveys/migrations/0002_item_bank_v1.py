"""Load version 1 of the item bank (liaison/surveys/item_bank.py)."""

from django.db import migrations

from liaison.surveys.item_bank import item_bank_install


def forward(apps, schema_editor):
    item_bank_install(apps.get_model("surveys", "Instrument"), apps.get_model("surveys", "Item"))


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_instruments_waves_responses")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
