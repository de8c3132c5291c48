"""Issue 10 point 11: after saving a batch the confirmation page offers the next one."""

from tests.test_confirm_district import URL, form, fresh, make_rows
from tests.test_confirm_district import october as october  # noqa: F401 (the clock)


def test_saving_a_batch_offers_the_next_one(client, officers, geography):
    rows = make_rows(geography["mueang_cr"], 130)
    client.force_login(officers["owner"])
    page = client.get(URL).content.decode()
    assert 'id="next-batch" href="/confirm/district/5701/2570/10/?batch=2"' in page
    assert 'id="next-batch-offer"' not in page  # nothing saved yet, nothing offered

    response = client.post(URL, form(rows[:100], ticked=rows[:100]), follow=True)
    assert response.redirect_chain == [(URL + "?saved=1", 302)]
    page = response.content.decode()
    assert "บันทึกแถวที่ 1-100 แล้ว ยังมีแถวที่ 101-130 จากทั้งหมด 130 รายการ" in page
    assert 'id="next-batch-go" href="/confirm/district/5701/2570/10/?batch=2"' in page
    assert all(row.district_confirmed_at for row in fresh(rows[:100]))

    response = client.post(URL, form(rows[100:], ticked=rows[100:], batch=2), follow=True)
    assert response.redirect_chain == [(URL + "?batch=2&saved=1", 302)]
    page = response.content.decode()
    assert 'id="next-batch-offer"' not in page and 'id="next-batch"' not in page
    assert "นี่คือชุดสุดท้ายของเดือนตุลาคม 2569 (130 รายการ)" in page


def test_the_province_is_offered_the_next_batch_too(client, officers, geography):
    from tests.test_confirm_district import confirmed

    rows = make_rows(geography["mueang_cr"], 101, **confirmed())
    client.force_login(officers["province"])
    url = "/confirm/province/5701/2570/10/"
    response = client.post(url, form(rows[:100], ticked=rows[:3]), follow=True)
    page = response.content.decode()
    assert "ยังมีแถวที่ 101-101 จากทั้งหมด 101 รายการ" in page
    assert f'id="next-batch-go" href="{url}?batch=2"' in page
