import pytest
from django.core.management import CommandError, call_command

from sales.models import Cluster, District, Province, Subdistrict


def test_it_loads_18_clusters_76_provinces_and_878_districts(db, capsys):
    call_command("load_geography")
    out = capsys.readouterr().out
    assert "18 clusters, 76 provinces, 878 districts" in out
    assert not Province.objects.filter(code="10").exists()  # Bangkok is out of scope
    chiang_rai = Province.objects.get(code="57")
    assert chiang_rai.name_th == "เชียงราย"
    assert chiang_rai.cluster.region == 16
    assert District.objects.get(code="5701").name_th == "เมืองเชียงราย"
    assert Subdistrict.objects.filter(district_id="5701").exists()


def test_running_it_twice_changes_nothing(db, capsys):
    call_command("load_geography")
    before = [
        list(model.objects.order_by("pk").values())
        for model in (Cluster, Province, District, Subdistrict)
    ]
    call_command("load_geography")
    after = [
        list(model.objects.order_by("pk").values())
        for model in (Cluster, Province, District, Subdistrict)
    ]
    assert before == after


def test_it_refuses_a_cluster_file_that_misses_provinces(db, tmp_path):
    bad = tmp_path / "clusters.csv"
    bad.write_text(
        "region,cluster_th,province_code,province_th,province_en\n1,ก,18,ชัยนาท,Chai Nat\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="no cluster for"):
        call_command("load_geography", clusters=bad)
    assert not Province.objects.exists()


def test_it_refuses_a_missing_cluster_file(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("load_geography", clusters=tmp_path / "nope.csv")
