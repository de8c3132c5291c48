"""Keep the producer type on each monthly row (issue 17, point 3).

Existing rows take their producer's type as it is today: the only record there was of it.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_types(apps, schema_editor):
    MonthlySale = apps.get_model("sales", "MonthlySale")
    Producer = apps.get_model("sales", "Producer")
    current = Producer.objects.filter(pk=OuterRef("producer_id")).values("producer_type")[:1]
    MonthlySale.objects.filter(producer_type="").update(producer_type=Subquery(current))


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0006_producer_active"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlysale",
            name="producer_type",
            field=models.CharField(
                choices=[
                    ("group", "กลุ่มผู้ผลิตชุมชน"),
                    ("single", "ผู้ผลิตชุมชนที่เป็นเจ้าของรายเดียว"),
                    ("sme", "SMEs"),
                ],
                default="",
                max_length=10,
                verbose_name="ประเภทกลุ่ม",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_types, migrations.RunPython.noop),
    ]
