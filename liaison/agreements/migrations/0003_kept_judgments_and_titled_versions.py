"""Judgments once made are kept: evaluations become append-only rows (one per recording or
amendment), and a version carries its own title inside what is signed."""

from django.db import migrations, models
import django.db.models.deletion


def titles_from_agreements(apps, schema_editor):
    AgreementVersion = apps.get_model("agreements", "AgreementVersion")
    for version in AgreementVersion.objects.select_related("agreement"):
        version.title = version.agreement.title
        version.save(update_fields=["title"])


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_agreement_figures_published"),
        ("interactions", "0001_contacts_enforcement_rollups"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementversion",
            name="title",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.RunPython(titles_from_agreements, migrations.RunPython.noop),
        # Versions hashed before the title was covered keep the scheme they were signed under.
        migrations.AddField(
            model_name="agreementversion",
            name="hash_scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "Dates, schools, sections and rules"), (2, "Title, dates, schools, sections and rules")],
                default=1,
            ),
        ),
        migrations.AlterField(
            model_name="agreementversion",
            name="hash_scheme",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "Dates, schools, sections and rules"), (2, "Title, dates, schools, sections and rules")],
                default=2,
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="interaction",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="mou_evaluations",
                to="interactions.interaction",
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="reason",
            field=models.CharField(
                choices=[("recorded", "Recorded"), ("imported", "Imported"), ("amended", "Amended")],
                default="recorded",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="note",
            field=models.CharField(blank=True, default="", max_length=500),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="evaluated_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
        migrations.AlterModelOptions(name="evaluation", options={"ordering": ["interaction", "id"]}),
    ]
