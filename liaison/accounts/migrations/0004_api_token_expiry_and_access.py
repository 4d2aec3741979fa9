"""API tokens gain an expiry and read-only or read-write access.

Tokens made before this never expired and could do anything their owner can: they keep their access
and are given the default lifetime from now on, so an integration keeps working while its owner
replaces it.
"""

import datetime

from django.db import migrations, models
from django.utils import timezone

EXISTING_TOKEN_DAYS = 90


def expire_existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + datetime.timedelta(days=EXISTING_TOKEN_DAYS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_log_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="access",
            field=models.CharField(
                choices=[("read", "Read only"), ("read_write", "Read and write")], default="read_write", max_length=16
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
