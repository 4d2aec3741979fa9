"""A short link per school in a wave (printed on slips and posters, typed by hand), filled in for the
links that exist before it is made unique."""

from django.db import migrations, models

import liaison.surveys.models


def fill(apps, schema_editor):
    WaveSchool = apps.get_model("surveys", "WaveSchool")
    taken = set()
    for wave_school in WaveSchool.objects.filter(short__isnull=True):
        short = liaison.surveys.models.new_short_link()
        while short in taken:
            short = liaison.surveys.models.new_short_link()
        taken.add(short)
        wave_school.short = short
        wave_school.save(update_fields=["short"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_survey_words_for_codes_and_forms")]

    operations = [
        migrations.AddField(
            model_name="waveschool",
            name="short",
            field=models.CharField(max_length=12, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="waveschool",
            name="short",
            field=models.CharField(
                default=liaison.surveys.models.new_short_link,
                help_text="The short link's code.",
                max_length=12,
                unique=True,
            ),
        ),
    ]
