"""Codes, eras, amounts, bands and case population rules."""
from types import SimpleNamespace as P

import pytest

from casebook import domain


@pytest.mark.parametrize("code", ["392014", "022021", "023621", "023671", "023434", "112071",
                                  "113611", "113620", "113638", "113654", "011002", "010006"])
def test_valid_codes(code):
    assert domain.code_error(code) is None


@pytest.mark.parametrize(("code", "fragment"), [
    ("392015", "検査数字"), ("39201", "6桁"), ("39201a", "6桁"), ("", "6桁"), ("482015", "01〜47"),
])
def test_invalid_codes(code, fragment):
    assert fragment in domain.code_error(code)


@pytest.mark.parametrize(("year", "label"), [
    (2017, "平成29年度（2017年度）"), (2019, "令和元年度（2019年度）"), (2020, "令和2年度（2020年度）"),
    (1989, "平成元年度（1989年度）"), (None, "不明"),
])
def test_fiscal_year_label(year, label):
    assert domain.fiscal_year_label(year) == label


@pytest.mark.parametrize(("text", "year"), [
    ("平成29年度", 2017), ("令和元年度", 2019), ("平成31年度", 2019), ("２０１７", 2017), (2017, 2017), ("令和5年", 2023),
])
def test_parse_fiscal_year(text, year):
    assert domain.parse_fiscal_year(text) == year


@pytest.mark.parametrize("text", ["昨年", "1800", "平成", True])
def test_parse_fiscal_year_rejects(text):
    with pytest.raises(ValueError):
        domain.parse_fiscal_year(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("232億円", (23_200_000_000, 23_200_000_000, "円", None)),
    ("約10〜15%", (10, 15, "%", "約")),
    ("10～15％", (10, 15, "%", None)),
    ("10~15%", (10, 15, "%", None)),
    ("8名", (8, 8, "人", None)),
    ("約8名", (8, 8, "人", "約")),
    ("15箇所", (15, 15, "箇所", None)),
    ("15ヶ所", (15, 15, "箇所", None)),
    ("1億2,300万円以上", (123_000_000, 123_000_000, "円", "以上")),
    ("２３２億円", (23_200_000_000, 23_200_000_000, "円", None)),
    ("1.5万時間", (15_000, 15_000, "時間", None)),
])
def test_read_figure_of_the_seed_amounts(text, expected):
    q = domain.read_figure(text).value
    assert (q.low, q.high, q.unit, q.qualifier) == expected


def test_figure_yen_only_for_yen():
    assert domain.read_figure("232億円").yen == 23_200_000_000
    assert domain.read_figure("約10〜15%").yen is None


@pytest.mark.parametrize("text", ["たくさん", "15〜10%", "10円〜15%", ""])
def test_read_figure_rejects(text):
    with pytest.raises(ValueError):
        domain.read_figure(text)


def test_bands_default_boundaries_and_labels():
    bands = domain.Bands()
    assert [b.label for b in bands.bands] == [
        "5千未満", "5千〜1万", "1万〜2万", "2万〜5万", "5万〜10万", "10万〜20万", "20万〜50万", "50万以上"]
    assert bands.band_of(4_999).code == "0-5000"
    assert bands.band_of(5_000).code == "5000-10000"
    assert bands.band_of(8_671).code == "5000-10000"
    assert bands.band_of(500_000).code == "500000-"


def test_bands_custom_boundaries():
    bands = domain.Bands([30_000, 10_000])
    assert [b.code for b in bands.bands] == ["0-10000", "10000-30000", "30000-"]


def test_total_population_sums_governments_not_associations():
    people = [P(kind="association", population=None, prefecture="青森県"),
              P(kind="city", population=168_564, prefecture="青森県"),
              P(kind="town", population=8_671, prefecture="青森県")]
    assert domain.total_population(people) == 177_235


def test_total_population_does_not_count_municipalities_inside_a_participating_prefecture():
    people = [P(kind="prefecture", population=951_049, prefecture="香川県"),
              P(kind="city", population=417_803, prefecture="香川県"),
              P(kind="city", population=326_814, prefecture="高知県")]
    assert domain.total_population(people) == 951_049 + 326_814


def test_total_population_unknown():
    assert domain.total_population([P(kind="association", population=None, prefecture=None)]) is None


def test_regions():
    assert domain.region_of("埼玉県") == "関東"
    assert domain.region_of("高知県") == "四国"
    assert domain.region_of("沖縄県") == "九州・沖縄"
    assert domain.region_of("どこか") is None
