"""A deterministic generator of realistic Japanese municipal-reform cases for the benchmarks.

`generate(n, seed)` returns n cases in the validated shape that services.cases.save_case
expects (what schemas.CaseFileSchema.load returns). Texts are assembled from sentence
templates and a vocabulary of municipal-reform phrases written for this benchmark; the
participants are real governments read from the municipality master (never copied here).
Every case has one to four themes' worth of topic words, 1–6 participants from one
prefecture (sometimes led by a joint body), a start year 2005–2024 and 0–4 effects whose
amounts read with domain.read_figure. About 95% are published.
"""
from __future__ import annotations

import csv
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

MASTER = Path(__file__).resolve().parents[2] / "shared" / "data" / "municipalities.csv"
THEMES = ("outsourcing", "cloud", "wide-area", "ai-ict")

# --- topic vocabulary per theme --------------------------------------------------------
TOPICS: dict[str, dict[str, list[str]]] = {
    "outsourcing": {
        "service": [
            "住民票の写しの交付", "戸籍証明書の発行", "印鑑登録証明書の交付", "転入・転出の届出受付", "国民健康保険の資格異動",
            "国民年金の届出受付", "児童手当の申請受付", "郵送請求の処理", "税証明の交付", "庁舎の総合案内", "コールセンター業務",
            "給与計算事務", "旅費の審査事務", "庶務事務", "介護保険の認定調査", "ごみの収集運搬", "学校給食の調理",
            "公用車の運行管理", "電話交換業務", "市民課の窓口業務", "保険年金課の窓口業務", "軽自動車税の課税事務",
            "住民異動届の入力", "後期高齢者医療の受付", "上下水道料金の収納", "市税の収納事務", "図書館の運営",
            "体育館の管理運営", "公園の維持管理", "道路の巡回点検",
        ],
        "method": [
            "民間委託", "包括委託", "指定管理者制度", "業務委託", "官民連携", "PFI方式", "公募型プロポーザル",
            "総合評価一般競争入札", "複数年契約", "窓口業務の外部化", "アウトソーシング", "地方独立行政法人への移管",
            "長期継続契約", "性能発注方式",
        ],
        "kw": [
            "窓口", "委託", "受託事業者", "偽装請負の防止", "業務手順書", "業務フロー", "品質管理", "モニタリング",
            "個人情報保護", "守秘義務", "委託料", "仕様書", "待ち時間", "繁忙期", "臨時職員", "会計年度任用職員",
            "公権力の行使", "審査と決定", "業務の切り分け", "引継ぎ期間",
        ],
    },
    "cloud": {
        "service": [
            "住民記録システム", "税務システム", "福祉システム", "基幹系システム", "内部情報系システム", "財務会計システム",
            "人事給与システム", "文書管理システム", "戸籍システム", "選挙システム", "国民健康保険システム", "介護保険システム",
            "子ども・子育て支援システム", "統合宛名システム", "グループウェア", "庁内ネットワーク",
        ],
        "method": [
            "自治体クラウド", "システムの共同利用", "データセンターへの移行", "ガバメントクラウド", "標準準拠システム",
            "パッケージソフトの導入", "カスタマイズの抑制", "共同調達", "システム標準化", "クラウドサービスの利用",
            "ハウジングからの移行", "仮想化基盤",
        ],
        "kw": [
            "運用保守経費", "ベンダー", "移行作業", "データ移行", "情報セキュリティ", "バックアップ", "業務継続",
            "ノンカスタマイズ", "サーバ室", "通信回線", "割り勘効果", "契約期間", "更新時期", "帳票の統一",
            "業務の標準化", "ベンダーロックイン", "ライセンス費用", "ハードウェア更新",
        ],
    },
    "wide-area": {
        "service": [
            "水道事業", "浄水場", "下水道事業", "消防指令業務", "ごみ処理施設", "し尿処理", "火葬場", "救急医療",
            "介護認定審査会", "地方税の滞納整理", "消費生活相談", "児童相談", "公立病院", "農業共済", "観光振興",
            "移住定住の促進", "公共交通", "汚泥処理", "配水池", "給食センター",
        ],
        "method": [
            "広域化", "事業統合", "一部事務組合", "広域連合", "連携中枢都市圏", "定住自立圏", "事務の委託",
            "機関等の共同設置", "協議会の設置", "経営の一体化", "施設の共同化", "管理の一体化", "垂直補完",
        ],
        "kw": [
            "老朽化", "更新費用", "施設の統廃合", "取水施設", "管路", "技術職員の確保", "料金水準", "人口減少",
            "耐震化", "水需要の減少", "経営基盤", "規模の経済", "料金格差", "施設の稼働率", "維持管理費",
            "交付金", "アセットマネジメント", "災害時の応援体制",
        ],
    },
    "ai-ict": {
        "service": [
            "申請書の入力", "問い合わせ対応", "議事録の作成", "保育所の入所選考", "ふるさと納税の受付", "会計伝票の処理",
            "住民税の課税資料の入力", "道路の損傷把握", "職員の勤怠管理", "電子申請の受付", "税務調査の資料整理",
            "給付金の審査", "健診結果の登録", "窓口の案内", "コンビニ交付",
        ],
        "method": [
            "AI-OCR", "RPA", "チャットボット", "音声認識", "マイナンバーカード", "電子決裁", "テレワーク",
            "タブレット端末", "キャッシュレス決済", "オンライン申請", "生成AI", "ローコードツール", "オープンデータ",
            "Web会議", "ペーパーレス会議", "スマート窓口", "書かない窓口",
        ],
        "kw": [
            "業務時間", "入力ミス", "手作業", "紙の帳票", "職員の負担", "処理件数", "実証実験", "デジタル化", "BPR",
            "業務の見える化", "自動化", "読取精度", "シナリオ作成", "LGWAN", "マイナポータル", "DX推進計画",
            "情報システム部門", "ICT人材",
        ],
    },
}
THEME_LABELS = {"outsourcing": "窓口業務の民間委託", "cloud": "自治体クラウド", "wide-area": "広域化・共同化",
                "ai-ict": "AI・ICTを活用した業務改革"}

# --- general vocabulary ------------------------------------------------------------
GENERAL = {
    "reason": [
        "人口減少", "少子高齢化", "職員数の減少", "財政状況の悪化", "施設の老朽化", "住民ニーズの多様化", "定員適正化",
        "行財政改革", "働き方改革", "大規模災害への備え", "税収の減少", "社会保障関係費の増大", "技術職員の退職",
        "事務量の増加", "制度改正への対応", "合併後の事務の重複", "地方交付税の縮減", "専門人材の不足",
        "若年層の流出", "繁忙期の窓口の混雑",
    ],
    "result": [
        "経費の削減", "職員の削減", "待ち時間の短縮", "残業時間の縮減", "住民サービスの向上", "事務の正確性の向上",
        "業務の平準化", "職員の企画業務への再配置", "処理期間の短縮", "災害時の業務継続性の確保", "施設の更新費用の抑制",
        "住民満足度の向上", "人件費の抑制", "ノウハウの共有", "専門性の確保", "事務の標準化", "紙の使用量の削減",
        "開庁時間の延長",
    ],
    "problem": [
        "担い手の確保", "費用の増大", "事務の属人化", "窓口の混雑", "職員の長時間労働", "更新費用の捻出",
        "専門知識の継承", "システム改修の負担", "住民からの苦情", "処理の遅れ",
    ],
    "dept": [
        "市民課", "住民課", "総務課", "企画課", "財政課", "情報政策課", "行政改革推進室", "水道課", "上下水道局", "税務課",
        "福祉課", "保険年金課", "子育て支援課", "環境課", "デジタル推進課", "契約検査課", "人事課", "会計課",
    ],
    "actor": [
        "首長", "副市長", "議会", "庁内の検討委員会", "外部有識者", "住民代表", "職員組合", "県の担当課", "総務省",
        "民間事業者", "地元の商工会", "大学の研究者", "近隣の自治体",
    ],
    "step": [
        "現状の業務量を調査した", "費用対効果を試算した", "先進団体を視察した", "住民説明会を開いた", "議会に説明した",
        "条例を改正した", "仕様書を作成した", "事業者を公募した", "試行期間を設けた", "職員研修を行った",
        "業務マニュアルを整備した", "協定を締結した", "規約を定めた", "予算を計上した", "国の補助金を活用した",
        "移行計画を策定した", "リスクを洗い出した", "評価指標を定めた", "効果を検証した", "運用ルールを見直した",
    ],
    "general": [
        "効率化", "標準化", "共同化", "省力化", "見える化", "電子化", "集約化", "最適化", "民間活力", "業務改革",
        "経費削減", "人員不足", "住民サービス", "持続可能", "行政運営", "公共サービス", "官民連携", "地域経済",
        "費用負担", "情報共有", "意思決定", "合意形成", "業務分析", "課題整理", "将来推計", "中長期計画", "総合計画",
        "行政評価", "事業評価", "予算編成",
    ],
}
PLACE_SUFFIX = re.compile(r"(市|町|村|区)$")

TITLE_TEMPLATES = [
    "{lead}における{service}の{method}", "{area}の{count}団体による{service}の{method}", "{method}による{service}の{general}",
    "{service}への{method}の導入", "{lead}の{method}を活用した{service}の見直し", "{area}地域における{service}の{method}",
    "{method}と{method2}による{service}の{general}", "{service}の{method}（{lead}）", "{lead}ほか{count}団体の{method}",
    "{kw}を踏まえた{service}の{method}",
]
SUMMARY_TEMPLATES = [
    "{members}が、{service}について{method}を進めた。",
    "{year_label}から{service}に{method}を導入し、{result}を実現した。",
    "{method}により{service}を見直し、{effect_text}を見込む。",
    "{lead}は{reason}に対応するため、{service}の{method}に取り組んだ。",
    "{kw}に配慮しながら{method}を段階的に導入し、{result}につなげている。",
    "{service}と{service2}をあわせて{method}の対象とした。",
]
BACKGROUND_TEMPLATES = [
    "{reason}により、{service}の{problem}が課題となっていた。",
    "{lead}では、{reason}を背景に{service}のあり方を見直す必要があった。",
    "{service}は{year_before}に整備したもので、{kw}への対応が急がれていた。",
    "{reason}と{reason2}が同時に進み、従来の体制では{service}を維持することが難しくなっていた。",
    "{dept}の職員は{service}に多くの時間を割いており、{problem}が続いていた。",
    "国が{method}を推進する方針を示したことも、検討を始めるきっかけとなった。",
    "{area}の各団体は規模が小さく、単独では{kw}の確保が難しかった。",
    "住民アンケートでは{service}について{problem}を指摘する声が多かった。",
    "{year_label}の{general}計画で、{service}の{general2}が重点項目に位置づけられた。",
    "将来推計では、{count_years}年後に{figure_kind}が現在の{ratio}割程度まで減ると見込まれていた。",
]
APPROACH_TEMPLATES = [
    "{year_label}から{service}について{method}を導入した。",
    "{members}が協議会を設け、{kw}について{times}回にわたり協議した。",
    "{dept}が中心となって{step}うえで、{method}の範囲を決めた。",
    "まず{service}で{method}を試行し、効果を確かめてから{service2}に広げた。",
    "{actor}の意見を聞きながら{step}。",
    "{kw}については{actor}と調整し、{step}。",
    "{method}の導入にあたっては、{kw}と{kw2}を仕様書に明記した。",
    "{year_label}に{step}のち、{year_next}に本格運用を始めた。",
    "{service}のうち判断を伴う事務は職員が担い、定型的な事務を{method}の対象とした。",
    "{lead}が事務局を務め、構成団体の{dept}と月に{times}回の連絡会議を開いた。",
    "費用は{share}で按分し、{kw}は各団体の負担とした。",
    "あわせて{method2}も取り入れ、{service2}の{general}を図った。",
    "{count}団体の{service}の手順を比較し、{kw}をそろえたうえで{method}に移行した。",
    "職員向けに{step}ほか、住民向けには広報紙とホームページで周知した。",
]
OUTCOME_TEMPLATES = [
    "{result}につながり、{effect_text}の効果が見込まれる。",
    "{method}の導入後、{service}の{result}が確認された。",
    "{effect_text}となったほか、{result}も実現した。",
    "{year_next}の検証では、{kw}についても大きな問題は生じていない。",
    "職員アンケートでは、{percent}%が{service}の負担が軽くなったと回答した。",
    "今後は{service2}にも{method}を広げ、{general}に取り組む予定である。",
    "{result}と{result2}の両立が評価され、{actor}からの視察も多い。",
    "一方で、{problem}は引き続きの課題とされている。",
    "{area}の他団体も{method}への参加を検討している。",
    "{kw}の見直しにより、{general}の効果が年々大きくなっている。",
]
REPORTS = [
    ("公共サービスイノベーション・プラットフォームに係る取組と効果検証の結果について", "内閣府"),
    ("地方公共団体における行政改革の取組事例集", "総務省"),
    ("自治体クラウド導入事例集", "総務省"),
    ("水道事業の広域化に関する事例集", "厚生労働省"),
    ("窓口業務改革に関する先進事例調査報告書", "地方公共団体情報システム機構"),
    ("自治体DX推進手順書 参考事例集", "総務省"),
    ("業務改革モデルプロジェクト成果報告", "総務省"),
]
EVENTS = ["公共サービスイノベーション・プラットフォーム in 四国", "公共サービスイノベーション・プラットフォーム in 北陸",
          "自治体DX推進フォーラム", "行政改革セミナー", "地方行政研究会", ""]
EFFECT_LABELS = {
    "cost": ["運用保守経費", "委託料", "人件費", "施設の更新費用", "システム関連経費", "維持管理費", "印刷製本費", "郵送費"],
    "staff": ["臨時職員", "正規職員", "窓口の担当職員", "技術職員", "会計年度任用職員"],
    "time": ["入力作業の時間", "年間の残業時間", "窓口の待ち時間", "審査に要する時間", "会議時間"],
    "facilities": ["浄水場", "取水施設", "ポンプ場", "サーバ", "出張所", "配水池"],
    "service": ["電子申請の件数", "コンビニ交付の件数", "問い合わせの自動応答件数", "開庁時間", "手続の種類"],
    "risk": ["情報漏えいのリスク", "災害時の業務停止リスク", "入力誤り"],
}


def municipalities(path: Path = MASTER) -> list[dict]:
    """The governments of the master list, with population as int (read, never copied)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["population"] = int(row["population"])
        row["population_year"] = int(row["population_year"])
    return rows


def vocabulary() -> list[str]:
    """Every topic and general word, for random query words."""
    words = {w for topic in TOPICS.values() for pool in topic.values() for w in pool}
    words |= {w for key in ("reason", "result", "problem", "dept", "general") for w in GENERAL[key]}
    return sorted(words)


def era_label(year: int) -> str:
    if year >= 2019:
        return "令和元年度" if year == 2019 else f"令和{year - 2018}年度"
    return f"平成{year - 1988}年度"


def _amount(rng: random.Random, kind: str) -> str:
    if kind == "cost":
        form = rng.randrange(6)
        if form == 0:
            return f"{rng.randint(1, 300)}億円"
        if form == 1:
            return f"{rng.randint(1, 99) * 100:,}万円"
        if form == 2:
            return f"{rng.randint(1, 20)}億{rng.randint(1, 99) * 100:,}万円"
        if form == 3:
            return f"約{rng.randint(3, 40)}%"
        if form == 4:
            low = rng.randint(3, 30)
            return f"約{low}〜{low + rng.randint(2, 10)}%"
        return f"約{rng.randint(5, 900):,}万円"
    if kind == "staff":
        return rng.choice([f"{rng.randint(1, 30)}名", f"{rng.randint(1, 12)}人", f"約{rng.randint(2, 40)}名"])
    if kind == "time":
        return rng.choice([f"約{rng.randint(2, 90) * 100:,}時間", f"{rng.randint(10, 5000):,}時間"])
    if kind == "facilities":
        return rng.choice([f"{rng.randint(1, 20)}箇所", f"{rng.randint(1, 9)}か所"])
    if kind == "service":
        return rng.choice([f"{rng.randint(1, 90) * 100:,}件", ""])
    return ""


def _effects(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        kind = rng.choices(list(EFFECT_LABELS), weights=[5, 2, 2, 1, 1, 1])[0]
        label = rng.choice(EFFECT_LABELS[kind])
        amount = _amount(rng, kind)
        direction = "increase" if kind == "service" else "reduction"
        verb = "増加" if direction == "increase" else "削減"
        wording = f"{label}の{amount}{verb}" if amount else f"{label}の{verb}"
        out.append({"kind": kind, "direction": direction, "label": label, "amount": amount,
                    "period": rng.choice(["annual", "annual", "total", "one_off"]),
                    "status": rng.choice(["expected", "achieved"]), "wording": wording})
    return out


def _participants(rng: random.Random, towns: list[dict], by_pref: dict[str, list[dict]],
                  prefectures: dict[str, dict]) -> list[dict]:
    lead = rng.choice(towns)
    count = rng.choices([1, 2, 3, 4, 5, 6], weights=[45, 15, 12, 10, 10, 8])[0]
    pool = by_pref[lead["prefecture"]] if rng.random() < 0.85 else towns
    others = [t for t in rng.sample(pool, min(len(pool), count + 2)) if t["code"] != lead["code"]]
    chosen = [lead, *others[:count - 1]]
    if count > 1 and rng.random() < 0.08:  # the prefecture itself takes part (垂直補完)
        chosen[-1] = prefectures[lead["prefecture"]]
    people = []
    if count > 2 and rng.random() < 0.35:
        area = PLACE_SUFFIX.sub("", lead["name"])
        body = rng.choice(["広域市町村圏組合", "地区広域行政組合", "広域連合", "地区水道企業団", "地域情報化推進協議会"])
        people.append({"role": "lead", "code": None, "name": f"{area}{body}", "prefecture": lead["prefecture"],
                       "kind": "association", "population": None, "population_year": None, "population_source": ""})
    seen = set()
    for gov in chosen:
        if gov["code"] in seen:
            continue
        seen.add(gov["code"])
        people.append({"role": "member" if people else "lead", "code": gov["code"], "name": gov["name"],
                       "prefecture": gov["prefecture"], "kind": gov["kind"], "population": gov["population"],
                       "population_year": gov["population_year"], "population_source": gov["source"][:300]})
    return people


class _Filler:
    """Fills {slot}s of a template from the case's context and the vocabulary."""

    SLOT = re.compile(r"\{(\w+)\}")

    def __init__(self, rng: random.Random, ctx: dict[str, str], topics: dict[str, list[str]]):
        self.rng, self.ctx, self.topics = rng, ctx, topics

    def value(self, slot: str) -> str:
        rng = self.rng
        base = slot.rstrip("0123456789")
        if slot in self.ctx:
            return self.ctx[slot]
        if base in self.topics:
            return rng.choice(self.topics[base])
        if base in GENERAL:
            return rng.choice(GENERAL[base])
        if base == "times":
            return str(rng.randint(2, 24))
        if base == "percent":
            return str(rng.randint(55, 95))
        if base == "ratio":
            return str(rng.randint(5, 8))
        if base == "count_years":
            return str(rng.choice([10, 15, 20, 25, 30]))
        if base == "figure_kind":
            return rng.choice(["給水人口", "生産年齢人口", "職員数", "税収", "利用者数"])
        if base == "share":
            return rng.choice(["均等割と人口割", "利用件数割", "人口割", "均等割3割・人口割7割"])
        raise KeyError(slot)

    def __call__(self, template: str) -> str:
        return self.SLOT.sub(lambda m: self.value(m.group(1)), template)

    def section(self, templates: list[str], low: int, high: int) -> str:
        """Sentences from `templates` (each used once before any repeats) up to low–high characters."""
        target = self.rng.randint(low, high)
        out, deck = "", []
        while len(out) < target:
            if not deck:
                deck = self.rng.sample(templates, len(templates))
            out += self(deck.pop())
        return out


def case(i: int, rng: random.Random, towns: list[dict], by_pref: dict[str, list[dict]],
         prefectures: dict[str, dict]) -> dict:
    """One case (validated shape) numbered i."""
    themes = [rng.choice(THEMES)]
    if rng.random() < 0.3:
        themes.append(rng.choice([t for t in THEMES if t != themes[0]]))
    topics: dict[str, list[str]] = {key: [w for t in themes for w in TOPICS[t][key]] for key in ("service", "method", "kw")}
    people = _participants(rng, towns, by_pref, prefectures)
    governments = [p for p in people if p["kind"] != "association"]
    lead = people[0]["name"]
    names = [p["name"] for p in governments]
    members = "・".join(names[:4]) + (f"など{len(names)}団体" if len(names) > 4 else (f"の{len(names)}団体" if len(names) > 1 else ""))
    year = rng.randint(2005, 2024)
    effects = _effects(rng)
    effect_text = next((e["wording"] for e in effects if e["amount"]), rng.choice(GENERAL["result"]))
    ctx = {
        "lead": lead, "members": members, "area": PLACE_SUFFIX.sub("", governments[0]["name"]) if governments else lead,
        "count": str(max(len(governments), 2)), "year_label": era_label(year), "year_next": era_label(min(year + 1, 2025)),
        "year_before": f"{rng.choice(['昭和', '平成'])}{rng.randint(2, 30)}年", "effect_text": effect_text,
    }
    fill = _Filler(rng, ctx, topics)
    outline = rng.random() < 0.05
    scale = 0.35 if outline else 1.0
    title = fill(rng.choice(TITLE_TEMPLATES))[:200]
    summary = fill.section(SUMMARY_TEMPLATES, 100, 200)[:2000]
    background = fill.section(BACKGROUND_TEMPLATES, int(150 * scale), int(360 * scale))
    approach = fill.section(APPROACH_TEMPLATES, int(250 * scale), int(520 * scale))
    outcome = fill.section(OUTCOME_TEMPLATES, int(130 * scale), int(330 * scale))
    tags = list(dict.fromkeys(rng.sample(topics["method"] + topics["kw"], rng.randint(1, 5))))
    report, publisher = rng.choice(REPORTS)
    event = rng.choice(EVENTS)
    updated = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 8 * 365 * 86400))
    status = "published" if rng.random() < 0.95 else rng.choice(["draft", "review", "archived"])
    return {
        "slug": f"bench-{i:06d}",
        "title": title,
        "status": status,
        "detail": "outline" if outline else "full",
        "themes": themes,
        "tags": [t.replace(",", "、")[:50] for t in tags],
        "start_fiscal_year": year,
        "summary": summary,
        "background": background,
        "approach": approach,
        "outcome": outcome,
        "contact": f"{lead}{rng.choice(GENERAL['dept'])}" if rng.random() < 0.4 else "",
        "event": {"name": event, "date": date(min(year + 1, 2025), rng.randint(1, 12), rng.randint(1, 28)) if event else None},
        "sources": [{"title": report, "publisher": publisher,
                     "date": date(min(year + rng.randint(0, 2), 2025), rng.randint(1, 12), rng.randint(1, 28)), "url": ""}],
        "participants": people,
        "effects": effects,
        # Not part of the file shape: when the row was last updated (spreads the "newest" sort).
        "_updated_at": updated,
    }


def generate(n: int, seed: int = 20240601, master: Path = MASTER) -> list[dict]:
    """n cases, deterministic for a given seed and master list."""
    rng = random.Random(seed)
    rows = municipalities(master)
    prefectures = {r["prefecture"]: r for r in rows if r["kind"] == "prefecture"}
    towns = [r for r in rows if r["kind"] != "prefecture"]
    by_pref: dict[str, list[dict]] = {}
    for t in towns:
        by_pref.setdefault(t["prefecture"], []).append(t)
    return [case(i, rng, towns, by_pref, prefectures) for i in range(n)]


def text_length(c: dict) -> int:
    return sum(len(c[k]) for k in ("title", "summary", "background", "approach", "outcome"))


if __name__ == "__main__":  # a quick look: python benchmarks/corpus.py
    sample = generate(200)
    print(f"average text length: {sum(map(text_length, sample)) / len(sample):.0f} characters")
    first = sample[0]
    for key in ("title", "summary", "background", "approach", "outcome"):
        print(f"--- {key}\n{first[key]}")
    print(first["participants"], first["effects"], first["tags"], sep="\n")
