"""Facts of Japanese local government that casebook reasons with.

Local-government codes and their check digit, prefectures and regions, fiscal years and
eras, population bands, and the vocabularies used by cases (participant kinds, effect
kinds...). Pure functions and constants only: no database, no Flask.
"""
from __future__ import annotations

import bisect
import math
import re
import unicodedata
from dataclasses import dataclass

# The 47 prefectures in code order: index + 1 is the two-digit prefecture code.
PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)

# Regions (地方) as (name, first prefecture code, last prefecture code).
REGIONS: tuple[tuple[str, int, int], ...] = (
    ("北海道", 1, 1), ("東北", 2, 7), ("関東", 8, 14), ("中部", 15, 23), ("近畿", 24, 30),
    ("中国", 31, 35), ("四国", 36, 39), ("九州・沖縄", 40, 47),
)

PARTICIPANT_KINDS: dict[str, str] = {
    "prefecture": "都道府県",
    "designated_city": "政令指定都市",
    "city": "市",
    "special_ward": "特別区",
    "town": "町",
    "village": "村",
    "association": "一部事務組合・広域連合等",
}
ROLES: dict[str, str] = {"lead": "代表", "member": "構成団体"}

EFFECT_KINDS: dict[str, str] = {
    "cost": "経費",
    "staff": "人員",
    "time": "時間",
    "facilities": "施設",
    "service": "サービス向上",
    "risk": "リスク軽減",
    "other": "その他",
}
EFFECT_DIRECTIONS: dict[str, str] = {"reduction": "削減", "increase": "増加"}
EFFECT_PERIODS: dict[str, str] = {"annual": "年間", "total": "累計・総額", "one_off": "一時"}
EFFECT_STATUSES: dict[str, str] = {"expected": "見込み", "achieved": "実績"}

CASE_STATUSES: dict[str, str] = {"draft": "下書き", "review": "確認待ち", "published": "公開中", "archived": "アーカイブ"}
ROLES_OF_USERS: dict[str, str] = {"curator": "担当者", "editor": "編集責任者"}
DETAIL_LEVELS: dict[str, str] = {"full": "詳細", "outline": "概要のみ"}


def prefecture_code(name: str) -> int | None:
    """Return the two-digit code (1-47) of a prefecture name, or None."""
    try:
        return PREFECTURES.index(name) + 1
    except ValueError:
        return None


def region_of(prefecture: str) -> str | None:
    """Return the region (地方) a prefecture belongs to."""
    code = prefecture_code(prefecture)
    if code is None:
        return None
    for name, first, last in REGIONS:
        if first <= code <= last:
            return name
    return None


# --- 全国地方公共団体コード -------------------------------------------------

def check_digit(first_five: str) -> int:
    """Return the check digit of a five-digit local-government code."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def code_error(code: str) -> str | None:
    """Return why `code` is not a valid six-digit code, or None when it is."""
    if not re.fullmatch(r"[0-9]{6}", code or ""):
        return "団体コードは6桁の数字で入力してください"
    if not 1 <= int(code[:2]) <= 47:
        return "団体コードの上2桁（都道府県）が01〜47ではありません"
    if check_digit(code[:5]) != int(code[5]):
        return f"団体コードの検査数字が正しくありません（{code[:5]}の検査数字は{check_digit(code[:5])}）"
    return None


# --- fiscal years and eras ---------------------------------------------------

ERAS: tuple[tuple[str, int], ...] = (("令和", 2019), ("平成", 1989), ("昭和", 1926))


def era_year(fiscal_year: int) -> str:
    """Return the Japanese-era name of a fiscal year: 2017 -> 平成29年度, 2019 -> 令和元年度."""
    for era, first in ERAS:
        if fiscal_year >= first:
            n = fiscal_year - first + 1
            return f"{era}{'元' if n == 1 else n}年度"
    return f"{fiscal_year}年度"


def fiscal_year_label(fiscal_year: int | None) -> str:
    """Return a fiscal year as 和暦 and 西暦: 平成29年度（2017年度）."""
    if fiscal_year is None:
        return "不明"
    return f"{era_year(fiscal_year)}（{fiscal_year}年度）"


def parse_fiscal_year(value: object) -> int:
    """Read a fiscal year written as 2017, "2017", "平成29年度" or "令和元年度"."""
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("年度").removesuffix("年")
        m = re.fullmatch(r"(令和|平成|昭和)(元|[0-9]{1,2})", text)
        if m:
            first = dict(ERAS)[m.group(1)]
            year = first + (1 if m.group(2) == "元" else int(m.group(2))) - 1
        elif re.fullmatch(r"[0-9]{4}", text):
            year = int(text)
        else:
            raise ValueError("年度は 2017 や 平成29年度 の形で入力してください")
    if not 1950 <= year <= 2100:
        raise ValueError("年度が範囲外です（1950〜2100年度）")
    return year


# --- population bands ---------------------------------------------------------

DEFAULT_BAND_BOUNDARIES: tuple[int, ...] = (5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000)


def population_label(n: int) -> str:
    """Return a short Japanese label for a round population: 5000 -> 5千, 100000 -> 10万."""
    if n >= 10_000 and n % 10_000 == 0:
        return f"{n // 10_000}万"
    if n >= 10_000 and n % 1_000 == 0:
        return f"{n / 10_000:g}万"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}千"
    return f"{n:,}"


@dataclass(frozen=True)
class Band:
    """One population band, lower bound inclusive and upper bound exclusive."""

    low: int
    high: int | None

    @property
    def code(self) -> str:
        return f"{self.low}-{self.high if self.high is not None else ''}"

    @property
    def label(self) -> str:
        if self.low == 0:
            return f"{population_label(self.high)}未満"
        if self.high is None:
            return f"{population_label(self.low)}以上"
        return f"{population_label(self.low)}〜{population_label(self.high)}"


class Bands:
    """A set of population bands cut at the given boundaries."""

    def __init__(self, boundaries: tuple[int, ...] | list[int] = DEFAULT_BAND_BOUNDARIES):
        bounds = sorted(set(int(b) for b in boundaries))
        if not bounds or bounds[0] <= 0:
            raise ValueError("population band boundaries must be positive")
        self.boundaries = tuple(bounds)
        lows = (0, *bounds)
        highs = (*bounds, None)
        self.bands = tuple(Band(lo, hi) for lo, hi in zip(lows, highs, strict=True))
        self.by_code = {b.code: b for b in self.bands}

    def band_of(self, population: int) -> Band:
        """Return the band that contains `population`."""
        return self.bands[bisect.bisect_right(self.boundaries, population)]


# --- amounts in effect texts --------------------------------------------------

MULTIPLIERS = {"千": 10**3, "万": 10**4, "億": 10**8, "兆": 10**12}
UNITS = {
    "円": "円", "%": "%", "人": "人", "名": "人", "時間": "時間", "分": "分", "日": "日",
    "箇所": "箇所", "か所": "箇所", "カ所": "箇所", "ヶ所": "箇所", "ケ所": "箇所", "ヵ所": "箇所",
    "件": "件", "台": "台", "業務": "業務", "団体": "団体", "枚": "枚", "回": "回",
}
PREFIX_QUALIFIERS = {"約": "約", "およそ": "約", "概ね": "約", "最大": "最大"}
SUFFIX_QUALIFIERS = {"以上": "以上", "未満": "未満", "超": "超", "以下": "以下", "程度": "約"}

_NUMBER = r"[0-9][0-9,]*(?:\.[0-9]+)?(?:[千万億兆](?:[0-9][0-9,]*(?:\.[0-9]+)?[千万億兆]?)*)?"
_AMOUNT_RE = re.compile(
    rf"^(?P<pre>約|およそ|概ね|最大)?\s*(?P<lo>{_NUMBER})\s*"
    rf"(?:(?P<lounit>{'|'.join(map(re.escape, sorted(UNITS, key=len, reverse=True)))})?\s*[~〜～\-]\s*(?P<hi>{_NUMBER}))?\s*"
    rf"(?P<unit>{'|'.join(map(re.escape, sorted(UNITS, key=len, reverse=True)))})\s*"
    rf"(?P<post>以上|未満|超|以下|程度)?$"
)


@dataclass(frozen=True)
class Amount:
    """A parsed amount: 約10〜15% -> Amount(10, 15, "%", "約")."""

    low: float
    high: float
    unit: str
    qualifier: str | None = None

    @property
    def yen(self) -> int | None:
        """The amount in yen (the lower bound, to stay conservative), when the unit is 円."""
        return int(self.low) if self.unit == "円" else None


def _number(text: str) -> float:
    """Read 1億2,300万 or 232 or 1.5万 as a number."""
    text = text.replace(",", "")
    total = 0.0
    for value, mult in re.findall(r"([0-9.]+)([千万億兆]?)", text):
        total += float(value) * MULTIPLIERS.get(mult, 1)
    return total


def parse_amount(text: str) -> Amount:
    """Parse an amount such as 232億円, 約10〜15%, 8名, 15箇所 or 1億2,300万円以上."""
    norm = unicodedata.normalize("NFKC", text or "").strip()
    m = _AMOUNT_RE.match(norm)
    if not m:
        raise ValueError(
            "数量を読み取れません。「232億円」「約10〜15%」「8名」のように数字と単位で入力してください"
        )
    low = _number(m.group("lo"))
    high = _number(m.group("hi")) if m.group("hi") else low
    if m.group("lounit") and UNITS[m.group("lounit")] != UNITS[m.group("unit")]:
        raise ValueError("範囲の両端で単位が異なります")
    if high < low:
        raise ValueError("範囲の下限が上限より大きくなっています")
    qualifier = PREFIX_QUALIFIERS.get(m.group("pre") or "") or SUFFIX_QUALIFIERS.get(m.group("post") or "")
    return Amount(low, high, UNITS[m.group("unit")], qualifier)


def format_number(value: float) -> str:
    """Format a number with 億/万 for large round values: 23200000000 -> 232億."""
    if value >= 10**8 and value % 10**6 == 0:
        oku, rest = divmod(int(value), 10**8)
        return f"{oku:,}億" + (f"{rest // 10**4:,}万" if rest else "")
    if value >= 10**4 and value % 10**3 == 0 and value >= 10**5:
        return f"{value / 10**4:,.1f}".rstrip("0").rstrip(".") + "万"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def total_population(participants) -> int | None:
    """Return a case's population: the sum of its governments' populations.

    Joint bodies (kind "association") have no population of their own. When a prefecture
    takes part, its municipalities are already inside its population and are not added again.
    Returns None when no participant has a population.
    """
    governments = [p for p in participants if p.kind != "association" and p.population is not None]
    prefectures = {p.prefecture for p in governments if p.kind == "prefecture"}
    counted = [p.population for p in governments
               if p.kind == "prefecture" or p.prefecture not in prefectures]
    return sum(counted) if counted else None


# --- similar size and scaled effects -----------------------------------------------

SAME_PREFECTURE_BONUS = math.log(2.0)   # a same-prefecture case counts as if 2× closer in size
SAME_REGION_BONUS = math.log(1.5)       # a same-region case counts as if 1.5× closer


@dataclass(frozen=True)
class Reference:
    """The government (or bare population) a user compares cases with."""

    population: int
    name: str = ""
    code: str = ""
    prefecture: str = ""
    population_year: int | None = None

    @property
    def region(self) -> str | None:
        return region_of(self.prefecture) if self.prefecture else None


def size_distance(population: int, reference: int) -> float:
    """How far apart two populations are, as a ratio: |ln(a / b)| (9,000 is nearer 5,000 than 20,000)."""
    return abs(math.log(max(population, 1) / max(reference, 1)))


def similarity_candidates(participants) -> list[tuple[str, int, str | None]]:
    """The populations a case can be compared by: each government's, and the total when there are several."""
    governments = [p for p in participants if p.kind != "association" and p.population is not None]
    out = [(p.name, p.population, p.prefecture) for p in governments]
    total = total_population(participants)
    if len(governments) > 1 and total is not None:
        out.append(("参加団体の合計", total, None))
    return out


def closeness(candidates, reference: Reference, boosts: tuple[str, ...] = ()) -> float:
    """Return a case's distance to `reference` (lower is closer), from its nearest candidate.

    `boosts` may hold "pref" and "region": a case with a participant in the reference's
    prefecture (or region) is moved closer by a fixed factor.
    """
    if not candidates:
        return math.inf
    distance = min(size_distance(pop, reference.population) for _name, pop, _pref in candidates)
    prefs = {pref for _name, _pop, pref in candidates if pref}
    if "pref" in boosts and reference.prefecture in prefs:
        distance -= SAME_PREFECTURE_BONUS
    if "region" in boosts and reference.region and reference.region in {region_of(p) for p in prefs}:
        distance -= SAME_REGION_BONUS
    return distance


def matching_participants(participants, reference: Reference, bands: Bands) -> list[tuple[str, int]]:
    """The participants to show as 'matched': those in the reference's band, else the nearest one."""
    candidates = similarity_candidates(participants)
    if not candidates:
        return []
    band = bands.band_of(reference.population)
    same = [(name, pop) for name, pop, _pref in candidates if bands.band_of(pop) == band]
    if same:
        return same
    name, pop, _pref = min(candidates, key=lambda c: size_distance(c[1], reference.population))
    return [(name, pop)]


# Units whose amount grows with the size of a government; never % (already relative) nor
# counts of facilities, systems or bodies, which do not scale with population.
SCALABLE_UNITS = frozenset({"円", "人", "時間", "件", "日", "分"})


def per_capita(low: float | None, high: float | None, unit: str, population: int | None):
    """Return (low, high) per resident, or None where that is meaningless."""
    if low is None or unit not in SCALABLE_UNITS or not population:
        return None
    return low / population, (high if high is not None else low) / population


def scaled(low: float | None, high: float | None, unit: str, population: int | None, target: int):
    """Return the estimate (試算) of an amount for a government of `target` residents, or None."""
    each = per_capita(low, high, unit, population)
    if each is None or target <= 0:
        return None
    return each[0] * target, each[1] * target


def _significant(value: float, digits: int = 3) -> float:
    if value == 0:
        return 0.0
    return round(value, -int(math.floor(math.log10(abs(value)))) + digits - 1)


def approx(value: float, unit: str) -> str:
    """Format an estimate to three significant digits: 2,120,000,000円 -> 21.2億円, 0.2123人 -> 0.212人."""
    v = _significant(value)
    if unit == "円" and v >= 10**8:
        text = f"{v / 10**8:,.3g}億"
    elif unit == "円" and v >= 10**4:
        text = f"{v / 10**4:,.3g}万"
    elif v >= 1000:
        text = f"{v:,.0f}"
    else:
        text = f"{v:.3g}"
    return f"{text}{unit}"


def approx_range(low: float, high: float, unit: str) -> str:
    """Format an estimated value or range."""
    if _significant(low) == _significant(high):
        return approx(low, unit)
    return f"{approx(low, unit).removesuffix(unit)}〜{approx(high, unit)}"
