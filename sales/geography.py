"""Build the geography from the geothai package and the cluster fixture."""

import csv
from pathlib import Path

import geothai
from django.conf import settings
from django.db import transaction

from sales.models import Cluster, District, Province, Subdistrict

BANGKOK_CODE = "10"
CLUSTER_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "province_clusters.csv"


class GeographyError(Exception):
    pass


def read_clusters(path=CLUSTER_FIXTURE):
    """Return {province_code: (region, cluster_name)} from the cluster CSV."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {
            row["province_code"]: (int(row["region"]), row["cluster_th"])
            for row in csv.DictReader(handle)
        }


@transaction.atomic
def load_geography(path=CLUSTER_FIXTURE):
    """Create or update clusters, provinces, districts and subdistricts; return the counts.

    Steps:
    1. Read the 18 clusters and their 76 provinces from the fixture.
    2. Check every province of geothai but Bangkok has a cluster, and no cluster names a
       province geothai does not know.
    3. Upsert clusters, then provinces, districts and subdistricts, by code, in bulk.
    Running it twice changes nothing.
    """
    clusters = read_clusters(path)
    provinces = [p for p in geothai.provinces() if p.code != BANGKOK_CODE]
    known = {p.code for p in provinces}
    missing = known - clusters.keys()
    unknown = clusters.keys() - known
    if missing or unknown:
        raise GeographyError(
            f"Cluster fixture and geothai disagree: no cluster for {sorted(missing)}, "
            f"unknown provinces {sorted(unknown)}"
        )

    by_region = {}
    for region, name in sorted(set(clusters.values())):
        cluster, _ = Cluster.objects.update_or_create(region=region, defaults={"name_th": name})
        by_region[region] = cluster

    _upsert(
        Province,
        [
            Province(
                code=p.code,
                name_th=p.name_th,
                name_en=p.name_en,
                cluster=by_region[clusters[p.code][0]],
            )
            for p in provinces
        ],
        ["name_th", "name_en", "cluster"],
    )
    districts = [d for p in provinces for d in geothai.districts(p.code)]
    _upsert(
        District,
        [
            District(code=d.code, province_id=d.province_code, name_th=d.name_th, name_en=d.name_en)
            for d in districts
        ],
        ["province", "name_th", "name_en"],
    )
    _upsert(
        Subdistrict,
        [
            Subdistrict(code=s.code, district_id=d.code, name_th=s.name_th, name_en=s.name_en)
            for d in districts
            for s in geothai.subdistricts(d.code)
        ],
        ["district", "name_th", "name_en"],
    )
    return {
        "clusters": Cluster.objects.count(),
        "provinces": Province.objects.count(),
        "districts": District.objects.count(),
        "subdistricts": Subdistrict.objects.count(),
    }


def _upsert(model, objects, fields):
    model.objects.bulk_create(
        objects,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=fields,
    )
