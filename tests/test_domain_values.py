"""The value parsers curators' input goes through: dates, fiscal years, codes, vocabulary labels and figures.

Pure functions: no database, no app.
"""
import datetime
from decimal import Decimal as D

import pytest

from casebook.domain.codes import code_candidates, read_code
from casebook.domain.dates import PartialDate, excel_serial_date, parse_date
from casebook.domain.figures import Quantity, format_decimal, read_figure
from casebook.domain.labels import LABELS, WORDS, read_label
from casebook.domain.years import era_year, fiscal_year_label, parse_census_year, parse_fiscal_year, read_fiscal_year


def refused(call, value, *fragments):
    """Assert that call(value) raises a ValueError quoting the value (and saying each fragment)."""
    with pytest.raises(ValueError) as info:
        call(value)
    message = str(info.value)
    assert f"「{str(value).strip()}」" in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- dates --------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (datetime.date(2018, 6, 28), (2018, 6, 28)),
    (datetime.datetime(2018, 6, 28, 15, 30), (2018, 6, 28)),
    ("2018-06-28", (2018, 6, 28)),
    ("2018/6/28", (2018, 6, 28)),
    ("2018.6.28", (2018, 6, 28)),
    ("2018年6月28日", (2018, 6, 28)),
    ("平成28年11月10日", (2016, 11, 10)),
    ("令和元年5月1日", (2019, 5, 1)),
    ("H28.11.10", (2016, 11, 10)),
    ("R2.4.1", (2020, 4, 1)),
    ("H28/11/10", (2016, 11, 10)),
    ("S63.1.1", (1988, 1, 1)),
    ("h28.11.10", (2016, 11, 10)),
    ("昭和64年1月7日", (1989, 1, 7)),
    ("平成元年1月8日", (1989, 1, 8)),
    ("平成31年4月30日", (2019, 4, 30)),
    ("大正15年12月24日", (1926, 12, 24)),
    ("２０１８／６／２８", (2018, 6, 28)),
    ("Ｈ２８．１１．１０", (2016, 11, 10)),
    ("  2018年 6月 28日 ", (2018, 6, 28)),
    ("2018年7月", (2018, 7, None)),
    ("2018/7", (2018, 7, None)),
    ("2018-07", (2018, 7, None)),
    ("平成26年1月", (2014, 1, None)),
    ("R2.4", (2020, 4, None)),
    ("平成31年4月", (2019, 4, None)),
    ("2019年", (2019, None, None)),
    ("2019", (2019, None, None)),
    ("令和2年", (2020, None, None)),
    ("平成31年", (2019, None, None)),
])
def test_parse_date(value, expected):
    assert parse_date(value) == PartialDate(*expected)


@pytest.mark.parametrize(("value", "reason"), [
    ("2018/13/1", ""),
    ("2018/2/30", "28日まで"),
    ("2019/2/29", "28日まで"),
    ("平成31年5月1日", "平成は2019年4月30日まで"),
    ("平成31年5月", "平成は2019年4月30日まで"),
    ("平成32年", "平成は2019年4月30日まで"),
    ("令和元年4月1日", "令和は2019年5月1日から"),
    ("昭和64年1月8日", "昭和は1989年1月7日まで"),
    ("1899", "1900〜2100年"),
    ("2101年", "1900〜2100年"),
    ("明治30年", "1900〜2100年"),
    ("2018/6-28", ""),
    ("昨日", ""),
    ("", ""),
])
def test_parse_date_refusals(value, reason):
    message = refused(parse_date, value, reason)
    assert "2018-06-28、2018/6/28、2018年6月28日、平成28年11月10日、H28.11.10、2018年7月、2019年" in message


@pytest.mark.parametrize(("date", "precision", "iso", "label", "first"), [
    (PartialDate(2018, 6, 28), "day", "2018-06-28", "2018年6月28日", datetime.date(2018, 6, 28)),
    (PartialDate(2018, 7), "month", "2018-07", "2018年7月", datetime.date(2018, 7, 1)),
    (PartialDate(2019), "year", "2019", "2019年", datetime.date(2019, 1, 1)),
])
def test_partial_date(date, precision, iso, label, first):
    assert (date.precision, date.iso(), date.label(), date.first_day()) == (precision, iso, label, first)
    assert PartialDate.from_iso(iso) == date


@pytest.mark.parametrize("text", ["2018-06-28", "2018/6/28", "平成26年1月", "R2.4", "2019年", "令和元年5月1日", "2000/2/29"])
def test_iso_round_trip(text):
    date = parse_date(text)
    assert PartialDate.from_iso(date.iso()) == date
    assert parse_date(date.iso()) == date
    assert parse_date(date.label()) == date


def test_from_iso_accepts_a_date():
    assert PartialDate.from_iso(datetime.date(2018, 6, 28)) == PartialDate(2018, 6, 28)


@pytest.mark.parametrize("text", ["2018/6/28", "2018-6-28", "2018-02-30", "18-06-28", ""])
def test_from_iso_refusals(text):
    refused(PartialDate.from_iso, text)


@pytest.mark.parametrize(("serial", "expected"), [
    (43279, (2018, 6, 28)), (43279.0, (2018, 6, 28)), (43279.75, (2018, 6, 28)), ("43279", (2018, 6, 28)),
    (1, (1900, 1, 1)), (59, (1900, 2, 28)), (61, (1900, 3, 1)), (73415, (2100, 12, 31)),
])
def test_excel_serial_date(serial, expected):
    assert excel_serial_date(serial) == PartialDate(*expected)


@pytest.mark.parametrize("serial", [0, -1, 60, 73416, 10**9, True, "x", float("nan")])
def test_excel_serial_date_refusals(serial):
    refused(excel_serial_date, serial, "1（1900年1月1日）")


# --- fiscal and census years ---------------------------------------------------------

@pytest.mark.parametrize(("value", "year"), [
    ("2017年度", 2017), ("H29", 2017), ("H29年度", 2017), ("R2", 2020), ("R2年度", 2020), ("R元", 2019),
    ("令和元年度", 2019), ("平成31年度", 2019), ("平成32年度", 2020), ("FY2017", 2017), ("fy 2017", 2017),
    ("ＦＹ２０１７", 2017), ("Ｈ２９", 2017), (2017, 2017), (2017.0, 2017), ("2017", 2017), ("２０１７", 2017),
    ("平成29年度", 2017), ("令和5年", 2023), ("2017年", 2017), ("昭和63年度", 1988),
])
def test_parse_fiscal_year(value, year):
    assert parse_fiscal_year(value) == year


@pytest.mark.parametrize(("value", "fragment"), [
    ("昨年", "平成29年度"), ("平成", "H29"), (True, "FY2017"), ("1800", "1950〜2100"), (1800, "1950〜2100"),
    ("2018/6/28", "2017年度"), ("", "2017年度"),
])
def test_parse_fiscal_year_refusals(value, fragment):
    refused(parse_fiscal_year, value, fragment)


def test_existing_year_labels_unchanged():
    assert (era_year(2017), era_year(2019), fiscal_year_label(2013)) == ("平成29年度", "令和元年度", "平成25年度（2013年度）")


@pytest.mark.parametrize(("value", "year", "note"), [
    ("2017年度", 2017, None),
    ("H29", 2017, None),
    ("令和元年度", 2019, None),
    (2017, 2017, None),
    ("平成26年1月", 2013, "「平成26年1月」は平成25年度（2013年度）として読みました"),
    ("2018/6/28", 2018, "「2018/6/28」は平成30年度（2018年度）として読みました"),
    ("2018/3/31", 2017, "「2018/3/31」は平成29年度（2017年度）として読みました"),
    ("2018年4月", 2018, "「2018年4月」は平成30年度（2018年度）として読みました"),
    ("R2.4", 2020, "「R2.4」は令和2年度（2020年度）として読みました"),
    (datetime.date(2020, 1, 15), 2019, "「2020-01-15」は令和元年度（2019年度）として読みました"),
    ("2019年", 2019, "「2019年」は令和元年度（2019年度）として読みました"),
    ("令和2年", 2020, "「令和2年」は令和2年度（2020年度）として読みました"),
])
def test_read_fiscal_year(value, year, note):
    assert read_fiscal_year(value) == (year, note)


@pytest.mark.parametrize("value", ["昨年", "2018/2/30", "1800年", "", "平成31年5月1日"])
def test_read_fiscal_year_refusals(value):
    refused(read_fiscal_year, value)


@pytest.mark.parametrize(("value", "year"), [
    ("2020", 2020), ("2020年", 2020), ("令和2年", 2020), ("R2", 2020), ("2020年度", 2020), (2020, 2020),
    ("２０１５年", 2015), ("1920", 1920), ("平成27年", 2015),
])
def test_parse_census_year(value, year):
    assert parse_census_year(value) == year


@pytest.mark.parametrize(("value", "fragment"), [("1899", "1900〜2100"), ("2101年", "1900〜2100"), ("昨年", "2020年"), (True, "R2")])
def test_parse_census_year_refusals(value, fragment):
    refused(parse_census_year, value, fragment)


# --- local-government codes -----------------------------------------------------------

@pytest.mark.parametrize(("value", "prefecture", "candidates"), [
    ("392014", None, ["392014"]),
    (392014, None, ["392014"]),
    ("011002", None, ["011002"]),
    ("39201", None, ["392014"]),
    ("12084", None, ["120847", "012084"]),
    (12084, None, ["120847", "012084"]),
    (12084.0, None, ["120847", "012084"]),
    ("12084.0", None, ["120847", "012084"]),
    ("１２０８４", None, ["120847", "012084"]),
    ("12084", "北海道", ["012084"]),
    ("12084", "千葉県", ["120847"]),
    ("12084", "千葉", ["120847"]),
    ("12084", "青森県", []),
    ("1208", None, ["012084"]),
    ("2202", None, ["022021"]),
    ("392015", None, []),
    ("482015", None, []),
    ("abc", None, []),
    ("120", None, []),
    ("", None, []),
])
def test_code_candidates(value, prefecture, candidates):
    assert code_candidates(value, prefecture) == candidates


def test_code_candidates_refuses_an_unknown_prefecture():
    refused(lambda v: code_candidates("12084", v), "ムー大陸", "都道府県")


MASTER = {"012084": ("夕張市", "北海道"), "392014": ("高知市", "高知県"), "022021": ("弘前市", "青森県"),
          "010006": ("北海道", "北海道")}


@pytest.mark.parametrize(("value", "prefecture", "known", "expected"), [
    ("392014", None, None, ("392014", None)),
    (392014, None, MASTER.get, ("392014", None)),
    (392014.0, None, None, ("392014", None)),
    ("12084", "北海道", None, ("012084", "「12084」を団体コード 012084（北海道）として読みました")),
    ("12084", None, MASTER.get, ("012084", "「12084」を団体コード 012084（北海道夕張市）として読みました")),
    (12084, "北海道", MASTER.get, ("012084", "「12084」を団体コード 012084（北海道夕張市）として読みました")),
    ("39201", None, MASTER.get, ("392014", "「39201」を団体コード 392014（高知県高知市）として読みました")),
    ("2202", None, MASTER.get, ("022021", "「2202」を団体コード 022021（青森県弘前市）として読みました")),
    ("01000", None, MASTER.get, ("010006", "「01000」を団体コード 010006（北海道）として読みました")),
])
def test_read_code(value, prefecture, known, expected):
    assert read_code(value, prefecture, known) == expected


@pytest.mark.parametrize(("value", "prefecture", "known", "fragments"), [
    ("12084", None, None, ("120847（千葉県）", "012084（北海道）")),
    ("392015", None, None, ("検査数字",)),
    ("482015", None, None, ("01〜47",)),
    ("12084", "青森県", None, ("青森県",)),
    ("12084", "千葉県", MASTER.get, ("マスタ",)),
    ("abc", None, None, ("6桁",)),
    ("", None, None, ("6桁",)),
    ("1234567", None, None, ("6桁",)),
])
def test_read_code_refusals(value, prefecture, known, fragments):
    refused(lambda v: read_code(v, prefecture, known), value, *fragments)


# --- vocabulary labels -------------------------------------------------------------------

CODES = {
    "participant_kind": {"prefecture", "designated_city", "city", "special_ward", "town", "village", "partial_union",
                         "regional_union", "enterprise_union", "council", "association"},
    "role": {"lead", "member"},
    "effect_kind": {"cost", "staff", "time", "facilities", "service", "risk", "other"},
    "effect_direction": {"reduction", "increase"},
    "effect_period": {"annual", "monthly", "total", "one_off", "unknown"},
    "effect_status": {"expected", "achieved"},
    "detail": {"full", "outline"},
    "case_status": {"draft", "review", "published", "archived"},
    "covers": {"all_municipalities"},
}


def test_vocabularies_have_exactly_these_codes():
    assert {vocab: set(codes) for vocab, codes in LABELS.items()} == CODES


@pytest.mark.parametrize(("vocabulary", "code", "label"), [
    (vocab, code, label) for vocab, codes in LABELS.items() for code, label in codes.items()])
def test_read_label_round_trip(vocabulary, code, label):
    assert read_label(vocabulary, label) == code
    assert read_label(vocabulary, code) == code
    assert read_label(vocabulary, f" {code.upper()} ") == code


@pytest.mark.parametrize(("vocabulary", "word", "code"), [
    (vocab, word, code) for vocab, codes in WORDS.items() for code, (_, words) in codes.items() for word in words])
def test_read_label_short_forms(vocabulary, word, code):
    assert read_label(vocabulary, word) == code


def test_no_word_means_two_codes():
    for codes in WORDS.values():
        words = [w for code, (label, others) in codes.items() for w in (code, label, *others)]
        assert len(words) == len(set(words))


@pytest.mark.parametrize(("vocabulary", "word", "code"), [
    ("participant_kind", "県", "prefecture"), ("participant_kind", "東京都", "prefecture"),
    ("participant_kind", "北海道", "prefecture"), ("participant_kind", "政令市", "designated_city"),
    ("participant_kind", "中核市", "city"), ("participant_kind", "施行時特例市", "city"),
    ("participant_kind", "区", "special_ward"), ("participant_kind", "事務組合", "partial_union"),
    ("participant_kind", "水道企業団", "enterprise_union"), ("participant_kind", "一部事務組合・広域連合等", "association"),
    ("participant_kind", "その他", "association"), ("participant_kind", "Designated City", "designated_city"),
    ("role", "幹事団体", "lead"), ("role", "主", "lead"), ("role", "構成員", "member"),
    ("effect_kind", "人", "staff"), ("effect_kind", "コスト", "cost"), ("effect_kind", "ｺｽﾄ", "cost"),
    ("effect_kind", "その他", "other"), ("effect_direction", "短縮", "reduction"), ("effect_direction", "改善", "increase"),
    ("effect_period", "１年", "annual"), ("effect_period", "月額", "monthly"), ("effect_period", "計", "total"),
    ("effect_period", "one-off", "one_off"), ("effect_status", "試算", "expected"), ("effect_status", "達成", "achieved"),
    ("detail", "概要", "outline"), ("case_status", "非公開", "archived"), ("case_status", "公開", "published"),
])
def test_read_label_examples(vocabulary, word, code):
    assert read_label(vocabulary, word) == code


@pytest.mark.parametrize(("vocabulary", "value", "labels"), [
    ("role", "同等", "代表、構成団体"),
    ("participant_kind", "国", "都道府県、政令指定都市、市"),
    ("effect_period", "", "年間、月間、累計・総額、一時"),
    ("case_status", "deleted", "下書き、確認待ち、公開中、アーカイブ"),
])
def test_read_label_refusals(vocabulary, value, labels):
    message = refused(lambda v: read_label(vocabulary, v), value, labels)
    assert "member" not in message and "lead" not in message


def test_read_label_unknown_vocabulary():
    with pytest.raises(KeyError):
        read_label("colour", "赤")


# --- figures ------------------------------------------------------------------------------

def Q(low, unit="", qualifier=None, high=None):  # noqa: N802 - reads like the dataclass it builds
    return Quantity(D(low), D(high if high is not None else low), unit, qualifier)


@pytest.mark.parametrize(("text", "value"), [
    ("1,500", Q(1500)),
    ("1.5万", Q(15000)),
    ("1億2,300万", Q(123000000)),
    ("1億2,300万円以上", Q(123000000, "円", "以上")),
    ("約20.1億", Q("2010000000", "", "約")),
    ("7千万", Q(70000000)),
    ("3千5百万円", Q(35000000, "円")),
    ("26億円余り", Q(2600000000, "円", "余り")),
    ("２３２億円", Q(23200000000, "円")),
    ("10〜15%", Q(10, "%", high=15)),
    ("10～15％", Q(10, "%", high=15)),
    ("10~15%", Q(10, "%", high=15)),
    ("10-15%", Q(10, "%", high=15)),
    ("10–15%", Q(10, "%", high=15)),
    ("10%〜15%", Q(10, "%", high=15)),
    ("約10〜15%", Q(10, "%", "約", high=15)),
    ("10〜15万円", Q(100000, "円", high=150000)),
    ("約200万円", Q(2000000, "円", "約")),
    ("およそ5人", Q(5, "人", "約")),
    ("概ね10件", Q(10, "件", "約")),
    ("20件程度", Q(20, "件", "約")),
    ("100件以下", Q(100, "件", "以下")),
    ("100人以上", Q(100, "人", "以上")),
    ("1万件超", Q(10000, "件", "超")),
    ("5人未満", Q(5, "人", "未満")),
    ("延べ2,000人", Q(2000, "人", "延べ")),
    ("最大10時間", Q(10, "時間", "最大")),
    ("最低3日", Q(3, "日", "最低")),
    ("延べ約2,000人", Q(2000, "人", "延べ・約")),
    ("約3割", Q(30, "%", "約")),
    ("2〜3割", Q(20, "%", high=30)),
    ("半分", Q(50, "%")),
    ("半分以下", Q(50, "%", "以下")),
    ("約1/10", Q(10, "%", "約")),
    ("10分の1", Q(10, "%")),
    ("3,000円/トン", Q(3000, "円/トン")),
    ("500円/件", Q(500, "円/件")),
    ("2人/日", Q(2, "人/日")),
    ("1,000m³", Q(1000, "m³")),
    ("1,000㎥", Q(1000, "m³")),
    ("1,000m3", Q(1000, "m³")),
    ("8名", Q(8, "人")),
    ("15か所", Q(15, "箇所")), ("15カ所", Q(15, "箇所")), ("15ヶ所", Q(15, "箇所")), ("15ケ所", Q(15, "箇所")),
    ("15ヵ所", Q(15, "箇所")), ("15箇所", Q(15, "箇所")),
    ("50％", Q(50, "%")),
    ("3施設", Q(3, "施設")), ("2基", Q(2, "基")), ("5隊", Q(5, "隊")), ("1本部", Q(1, "本部")),
    ("7,800トン", Q(7800, "トン")), ("12言語", Q(12, "言語")), ("4語", Q(4, "語")), ("2週間", Q(2, "週間")),
    ("10市町村", Q(10, "市町村")), ("8団体", Q(8, "団体")),
    ("200万円の削減", Q(2000000, "円")),
    (1500, Q(1500)),
    (D("20.5"), Q("20.5")),
])
def test_read_figure_values(text, value):
    figure = read_figure(text)
    assert figure.value == value
    assert (figure.baseline, figure.result) == (None, None)
    assert figure.qualifier == value.qualifier
    assert figure.text == str(text).strip()


def test_exact_decimals():
    low = read_figure("約20.1億").value.low
    assert isinstance(low, D) and low == D(2010000000) and str(low) == "2010000000"


@pytest.mark.parametrize(("text", "baseline", "result", "change"), [
    ("7人→4人", Q(7, "人"), Q(4, "人"), Q(-3, "人")),
    ("71→38か所", Q(71, "箇所"), Q(38, "箇所"), Q(-33, "箇所")),
    ("19.9%→36.3%", Q("19.9", "%"), Q("36.3", "%"), Q("16.4", "%")),
    ("3日→5分", Q(3, "日"), Q(5, "分"), None),
    ("7人⇒4人", Q(7, "人"), Q(4, "人"), Q(-3, "人")),
    ("7人->4人", Q(7, "人"), Q(4, "人"), Q(-3, "人")),
    ("3日から5分へ", Q(3, "日"), Q(5, "分"), None),
    ("71か所から38か所に", Q(71, "箇所"), Q(38, "箇所"), Q(-33, "箇所")),
    ("約1,000万円→約600万円", Q(10000000, "円", "約"), Q(6000000, "円", "約"), Q(-4000000, "円")),
])
def test_read_figure_before_after(text, baseline, result, change):
    figure = read_figure(text)
    assert (figure.baseline, figure.result, figure.value, figure.change) == (baseline, result, result, change)


@pytest.mark.parametrize(("text", "period", "value"), [
    ("年間200万円", "annual", Q(2000000, "円")),
    ("年約7,800トン", "annual", Q(7800, "トン", "約")),
    ("月約2,400件", "monthly", Q(2400, "件", "約")),
    ("毎月10件", "monthly", Q(10, "件")),
    ("年額120万円", "annual", Q(1200000, "円")),
    ("累計500件", "total", Q(500, "件")),
    ("合計3件", "total", Q(3, "件")),
    ("総額1億円", "total", Q(100000000, "円")),
    ("200万円/年", "annual", Q(2000000, "円")),
    ("200万円（年間）", "annual", Q(2000000, "円")),
    ("1,500", None, Q(1500)),
])
def test_read_figure_periods(text, period, value):
    figure = read_figure(text)
    assert (figure.period, figure.value) == (period, value)


@pytest.mark.parametrize(("text", "value"), [
    ("▲200万円", Q(2000000, "円")), ("△200万円", Q(2000000, "円")), ("マイナス200万円", Q(2000000, "円")),
    ("年間▲200万円", Q(2000000, "円")), ("半減", Q(50, "%")),
])
def test_read_figure_reduction(text, value):
    figure = read_figure(text)
    assert figure.reduction is True and figure.value == value


def test_plain_figures_are_not_reductions():
    assert read_figure("200万円").reduction is False


@pytest.mark.parametrize(("text", "value", "secondary"), [
    ("22,654時間（11.8人分）", Q(22654, "時間"), "11.8人分"),
    ("22,654時間(11.8人分)", Q(22654, "時間"), "11.8人分"),
    ("22,654時間", Q(22654, "時間"), None),
])
def test_read_figure_secondary(text, value, secondary):
    figure = read_figure(text)
    assert (figure.value, figure.secondary) == (value, secondary)


@pytest.mark.parametrize(("value", "expected"), [
    (0.792, Q("79.2", "%")), ("0.792", Q("79.2", "%")), (D("0.05"), Q(5, "%")), (1, Q(100, "%")),
    ("79.2%", Q("79.2", "%")), ("10人", Q(10, "人")),
])
def test_percent_cell(value, expected):
    assert read_figure(value, percent_cell=True).value == expected


@pytest.mark.parametrize(("text", "yen"), [
    ("約20.1億円", 2010000000), ("▲200万円", 2000000), ("1,000万円→600万円", -4000000), ("10〜15万円", 100000),
    ("10人", None), ("3日→5分", None), ("1,500", None),
])
def test_yen(text, yen):
    assert read_figure(text).yen == yen


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "空"), ("   ", "空"), ("なし", ""), ("数十件", ""), ("大幅に削減", ""),
    ("15〜10%", "下限"), ("10%〜15人", "単位"), ("1万2億円", "順序"), ("1→2→3", "矢印"), ("7人→", ""),
])
def test_read_figure_refusals(text, fragment):
    refused(read_figure, text, fragment, "約20.1億円", "7人→4人")


@pytest.mark.parametrize(("value", "text"), [
    (D(2010000000), "20億1,000万"), (D("79.2"), "79.2"), (D("79.200"), "79.2"), (D(123000000), "1億2,300万"),
    (D(70000000), "7,000万"), (D(15000), "15,000"), (D(1500), "1,500"), (D(-4000000), "-400万"),
    (D("1234.5"), "1,234.5"), (D(0), "0"), (D(2 * 10**12), "2兆"),
])
def test_format_decimal(value, text):
    assert format_decimal(value) == text


@pytest.mark.parametrize(("text", "label"), [("約20.1億円", "約20億1,000万円"), ("約10〜15%", "約10〜15%"), ("26億円余り", "26億円余り")])
def test_quantity_label(text, label):
    assert read_figure(text).value.label() == label


# --- figures as public documents write them (from entering 190 real cases) -------------------

@pytest.mark.parametrize(("text", "value", "period", "reduction"), [
    # a duration before the amount (5年間で, 10年で) is not the value
    ("5年間で計540万円", Q(5400000, "円"), "total", False),
    ("10年で139億円", Q(13900000000, "円"), "total", False),
    ("40年間で260億円の削減効果", Q(26000000000, "円"), "total", True),
    # a comparison base (令和3年度比) is not the value; 減, 削減, 増... are a direction, not part of the unit
    ("令和3年度比 ▲70%削減", Q(70, "%"), None, True),
    ("2019年度比 ▲70%削減", Q(70, "%"), None, True),
    ("前年度比 ▲70%削減", Q(70, "%"), None, True),
    ("12%減", Q(12, "%"), None, True),
    ("20%増", Q(20, "%"), None, False),
    # a span of years before the figure is context
    ("2039年度から25年度に14年前倒し", Q(14, "年"), None, True),
    # the Japanese middle dot as a decimal point
    ("42・9%", Q("42.9", "%"), None, False),
    ("2・8倍", Q("2.8", "倍"), None, False),
    # a deadline (平成52年までに) is not the value
    ("平成52年までに約25億円以上", Q(2500000000, "円", "約・以上"), None, False),
    # a fraction followed by a unit word is that many units
    ("職員2/3人程度", Q("0.67", "人", "約"), None, False),
    # period words with particles, and durations of one year or month
    ("年間で約602時間", Q(602, "時間", "約"), "annual", False),
    ("一年で2300万円", Q(23000000, "円"), "annual", False),
    ("1年で2300万円", Q(23000000, "円"), "annual", False),
    ("1か月で約2,400件", Q(2400, "件", "約"), "monthly", False),
    # ranges of 割 with the unit on both sides
    ("約2割~4割程度", Q(20, "%", "約", high=40), None, False),
    ("2割〜3割", Q(20, "%", high=30), None, False),
])
def test_read_figure_from_public_documents(text, value, period, reduction):
    figure = read_figure(text)
    assert (figure.value, figure.period, figure.qualifier, figure.reduction) == (value, period, value.qualifier, reduction)
    assert (figure.baseline, figure.result) == (None, None)


@pytest.mark.parametrize(("text", "baseline", "result"), [
    ("合計21台で71人→9台39人", Q(71, "人"), Q(39, "人")),  # two figures each side: the last of each
    ("21台→9台", Q(21, "台"), Q(9, "台")),
    ("67カ所を44カ所", Q(67, "箇所"), Q(44, "箇所")),
    ("3時間59分から2時間3分", Q(239, "分"), Q(123, "分")),  # not the last figure: 59分 belongs to 3時間
    ("6億7,846万円から2億3,852万円へ約65%", Q(678460000, "円"), Q(238520000, "円")),  # へ ends the after figure
])
def test_read_figure_before_after_from_public_documents(text, baseline, result):
    figure = read_figure(text)
    assert (figure.baseline, figure.result, figure.value) == (baseline, result, result)


@pytest.mark.parametrize(("text", "baseline", "secondary"), [
    ("約230時間→数秒", Q(230, "時間", "約"), "→数秒"),
    ("約50時間→数秒", Q(50, "時間", "約"), "→数秒"),
    ("およそ500時間→数十秒", Q(500, "時間", "約"), "→数十秒"),
])
def test_read_figure_result_without_digits(text, baseline, secondary):
    figure = read_figure(text)
    assert (figure.baseline, figure.result, figure.value, figure.change) == (baseline, None, baseline, None)
    assert (figure.qualifier, figure.secondary) == ("約", secondary)


PUBLIC_DOCUMENT_FIGURES = [
    "5年間で計540万円", "10年で139億円", "40年間で260億円の削減効果", "令和3年度比 ▲70%削減", "12%減", "20%増",
    "2039年度から25年度に14年前倒し", "42・9%", "2・8倍", "平成52年までに約25億円以上", "合計21台で71人→9台39人",
    "21台→9台", "職員2/3人程度", "年間で約602時間", "一年で2300万円", "1年で2300万円", "1か月で約2,400件",
    "67カ所を44カ所", "約230時間→数秒", "約50時間→数秒", "およそ500時間→数十秒", "約2割~4割程度", "2割〜3割",
]


@pytest.mark.parametrize("text", PUBLIC_DOCUMENT_FIGURES)
def test_units_stay_short(text):
    figure = read_figure(text)
    for q in (figure.value, figure.baseline, figure.result):
        assert q is None or (len(q.unit) <= 10 and "年まで" not in q.unit), q


@pytest.mark.parametrize(("text", "value"), [
    ("2割5分", Q(25, "%")), ("1割減", Q(10, "%")), ("2025年度に100件", Q(100, "件")), ("設計3件", Q(3, "件")),
    ("100トンCO2", Q(100, "トンCO2")), ("3年に1回", Q(3, "年")), ("1カ月ほど", Q(1, "カ月", "約")),
    ("136手続き", Q(136, "手続き")), ("24時間・365日", Q(24, "時間")),
    ("開始前に64.5%だったスマホ普及率は、22年6月時点で79.7%", Q("64.5", "%")),
])
def test_read_figure_words_around_figures(text, value):
    assert read_figure(text).value == value
    assert read_figure(text).period is None


def test_wo_between_different_units_is_not_before_after():
    figure = read_figure("3人を配置し100万円を削減")
    assert (figure.value, figure.baseline, figure.result) == (Q(3, "人"), None, None)


@pytest.mark.parametrize("text", ["→数秒", "7人→なし", "比較なし"])
def test_read_figure_still_refuses(text):
    refused(read_figure, text, "約20.1億円")
