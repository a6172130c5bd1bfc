"""A self-contained HTML report: inline CSS, charts as base64 PNG, everything escaped."""

from __future__ import annotations

import base64

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from analysis.report.charts import render_breakdown_png, render_chart_png, render_trend_png
from analysis.report.model import (
    BREAKDOWN_LABELS,
    IndicatorReport,
    WaveReport,
    label_for,
)
from analysis.report.text import SUPPRESSED, period_text, weighting_text
from analysis.stats.estimates import Estimate

TEMPLATE = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>まちの声 {{ r.wave_name }} 集計結果</title>
<style>
body { font-family: "Hiragino Sans", "Noto Sans JP", "Yu Gothic", sans-serif; margin: 2em auto;
       max-width: 60em; color: #222; line-height: 1.6; padding: 0 1em; }
h1 { font-size: 1.5em; border-bottom: 3px solid #3a7ca5; }
h2 { font-size: 1.2em; margin-top: 2em; border-left: 6px solid #3a7ca5; padding-left: .5em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #eef4f8; }
.suppressed { color: #777; }
.badge { display: inline-block; padding: 0 .6em; border-radius: 1em; color: #fff; }
.badge.achieved { background: #2a9d8f; } .badge.ontrack { background: #e9a23b; }
.badge.behind { background: #d1495b; }
img { max-width: 100%; }
.note { color: #555; font-size: .9em; }
blockquote { margin: .3em 0; padding: .2em .8em; background: #f6f6f6; border-left: 3px solid #bbb; }
</style>
</head>
<body>
<h1>まちの声 {{ r.wave_name }} 集計結果</h1>
<p>{{ r.survey_title }}{% if period %}　期間: {{ period }}{% endif %}<br>
回答数: {{ "{:,}".format(r.respondents) }}件<br>{{ weighting }}</p>
{% if r.weighting.excluded_respondents %}<p class="note">重み付け対象外の内訳:
{% for field, n in r.weighting.missing_by_field.items() %}{{ dim_label(field) }}未回答 {{ n }}人
{% endfor %}{% if r.weighting.unmatched_respondents %}人口データにない区分（「答えたくない」など）
{{ r.weighting.unmatched_respondents }}人{% endif %}</p>{% endif %}

<h2>指標</h2>
<img src="data:image/png;base64,{{ chart }}" alt="指標の推計値のグラフ">
<table>
<thead><tr><th>指標</th><th>割合</th><th>95%信頼区間</th><th>n</th><th>有効標本数</th>
<th>前回比</th><th>KPI期待値</th><th>達成度</th><th>評価</th></tr></thead>
<tbody>
{% for i in r.indicators %}<tr><td>{{ i.label }}</td>{{ cells(i.estimate) }}
<td>{{ change(i) }}</td>
{% if i.kpi %}<td>{{ "%.1f%%"|format(i.kpi.expected) }}</td>
<td>{{ "—" if i.kpi.achievement is none else "%.1f%%"|format(i.kpi.achievement) }}</td>
<td><span class="badge {{ badge(i.kpi.status) }}">{{ i.kpi.status }}</span></td>
{% else %}<td>—</td><td>—</td><td>—</td>{% endif %}</tr>
{% endfor %}</tbody></table>
<p class="note">有効標本数（Kish）が30未満の値は「{{ suppressed }}」と表示し、数値を公表しません。
KPIの期待値は基準値と目標値の直線補間、達成度 =（実績値−基準値）÷（期待値−基準値）。</p>

{% if trend %}<h2>推移</h2>
<img src="data:image/png;base64,{{ trend }}" alt="指標の推移のグラフ">
<table><thead><tr><th>指標</th>{% for w in waves %}<th>{{ w }}</th>{% endfor %}</tr></thead>
<tbody>
{% for i in r.indicators %}<tr><td>{{ i.label }}</td>
{% for w in waves %}<td>{{ trend_value(i, w) }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table>{% endif %}

{% for i in r.indicators %}<h2>{{ i.label }}：属性別</h2>
{% if age_charts[i.id] %}<img src="data:image/png;base64,{{ age_charts[i.id] }}"
 alt="{{ i.label }} 年齢別のグラフ">{% endif %}
{% for dim, rows in i.breakdowns.items() %}
<table><thead><tr><th>{{ dim_label(dim) }}</th><th>割合</th><th>95%信頼区間</th><th>n</th>
<th>有効標本数</th></tr></thead><tbody>
{% for c in rows %}<tr><td>{{ label_for(dim, c.category) }}</td>{{ cells(c.estimate) }}</tr>
{% endfor %}</tbody></table>
{% endfor %}
{% if i.by_mode %}<table><thead><tr><th>回答方法</th><th>割合</th><th>95%信頼区間</th><th>n</th>
<th>有効標本数</th></tr></thead><tbody>
{% for c in i.by_mode %}<tr><td>{{ label_for("mode", c.category) }}</td>{{ cells(c.estimate) }}</tr>
{% endfor %}<tr><td>合計</td>{{ cells(i.estimate) }}</tr></tbody></table>{% endif %}
{% endfor %}

<h2>ご意見（目標別件数）</h2>
{% if r.comments_by_goal %}<table><thead><tr><th>目標</th><th>件数</th></tr></thead><tbody>
{% for goal, n in r.comments_by_goal.items() %}<tr><td>{{ goal }}</td><td>{{ n }}</td></tr>
{% endfor %}</tbody></table>
{% for goal, examples in r.masked_examples.items() %}{% if examples %}<h3>{{ goal }} の例</h3>
{% for text in examples %}<blockquote>{{ text }}</blockquote>
{% endfor %}{% endif %}{% endfor %}
<p class="note">ご意見の例は個人を特定できる情報を伏せて掲載しています。</p>
{% else %}<p>ご意見はありません。</p>{% endif %}
</body>
</html>
"""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_TEMPLATE = _ENV.from_string(TEMPLATE)
_BADGES = {"達成": "achieved", "概ね順調": "ontrack", "遅れ": "behind"}


def _b64(png: bytes | None) -> str | None:
    """PNG bytes as base64 text for a data URL."""
    return None if png is None else base64.b64encode(png).decode("ascii")


def _estimate_cells(estimate: Estimate) -> Markup:
    """Table cells for share, interval, n and n_eff; suppressed shares are never numbers."""
    n = f"<td>{estimate.n:,}</td><td>{estimate.n_eff:.1f}</td>"
    if estimate.share is None or estimate.ci_low is None or estimate.ci_high is None:
        return Markup(f'<td class="suppressed">{escape(SUPPRESSED)}</td><td>—</td>{n}')
    return Markup(
        f"<td>{estimate.share * 100:.1f}%</td>"
        f"<td>{estimate.ci_low * 100:.1f}〜{estimate.ci_high * 100:.1f}%</td>{n}"
    )


def _change(indicator: IndicatorReport) -> str:
    """Change since the previous wave in points, or a dash."""
    value = indicator.change()
    return "—" if value is None else f"{value * 100:+.1f}pt"


def _trend_value(indicator: IndicatorReport, wave_name: str) -> str:
    """An indicator's value in a wave as `72.3%`, the suppression mark, or a dash."""
    points = [p for p in indicator.trend if p.wave_name == wave_name]
    if not points:
        return "—"
    value = points[-1].value
    return SUPPRESSED if value is None else f"{value * 100:.1f}%"


def render_html(report: WaveReport) -> str:
    """The whole report as one self-contained HTML page."""
    age_charts = {
        i.id: _b64(render_breakdown_png(i, "age_band", f"{i.label}（年齢別）"))
        for i in report.indicators
    }
    return _TEMPLATE.render(
        r=report,
        period=period_text(report),
        weighting=weighting_text(report),
        chart=_b64(render_chart_png(report)),
        trend=_b64(render_trend_png(report)),
        waves=report.trend_waves(),
        age_charts=age_charts,
        suppressed=SUPPRESSED,
        cells=_estimate_cells,
        change=_change,
        trend_value=_trend_value,
        badge=lambda status: _BADGES.get(status, ""),
        dim_label=lambda dim: BREAKDOWN_LABELS.get(dim, dim),
        label_for=label_for,
    )
