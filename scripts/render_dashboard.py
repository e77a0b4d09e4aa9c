#!/usr/bin/env python3
"""Draws the Grafana dashboard's panels from a live Prometheus, without Grafana.

Grafana is not packaged by Debian. This reads deploy/grafana/grassroots.json,
asks Prometheus (/api/v1/query_range) for every panel's queries over the last
minutes, and writes one self-contained HTML page laid out on the dashboard's
own 24-column grid: a row header per service, a line chart per panel with its
unit and legend. With --png, Debian's headless Chromium takes a screenshot of
that page. Standard library only.

  scripts/render_dashboard.py --prometheus http://127.0.0.1:9090 --minutes 30 \
      --html /tmp/dashboard.html --png /tmp/dashboard.png

Exit status: 0 when every panel drew at least one series; 1 otherwise (the
empty panels are named), 2 when Prometheus or Chromium could not be used.
"""
import argparse
import html
import json
import math
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

GRID_COLUMNS = 24
ROW_UNIT_PX = 30          # Grafana's height of one gridPos unit
PAGE_WIDTH_PX = 1800
MAX_LEGEND_SERIES = 6     # the largest series are named, the rest counted
PALETTE = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
           "#508642", "#cca300", "#447ebc", "#c15c17"]


def query_range(base, expr, start, end, step):
    params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step}s"}
    url = f"{base}/api/v1/query_range?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as reply:
        answer = json.load(reply)
    if answer.get("status") != "success":
        raise RuntimeError(f"{expr}: {answer.get('error', answer)}")
    return answer["data"]["result"]


def legend_of(template, labels):
    if not template:
        return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__") + "}"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template).strip()


def format_value(value, unit):
    if unit == "percentunit":
        return f"{value * 100:.3g}%"
    if unit == "s":
        if value == 0:
            return "0"
        if abs(value) < 1e-3:
            return f"{value * 1e6:.3g} µs"
        if abs(value) < 1:
            return f"{value * 1e3:.3g} ms"
        return f"{value:.3g} s"
    suffix = "/s" if unit == "reqps" else ""
    for limit, letter in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{letter}{suffix}"
    return f"{value:.3g}{suffix}"


def nice_ceiling(value):
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def chart_svg(series, unit, start, end, width, height):
    """A line chart: y from 0 to a round ceiling, x over [start, end]."""
    left, right, top, bottom = 64, 8, 6, 18
    plot_w, plot_h = max(width - left - right, 10), max(height - top - bottom, 10)
    peak = max((v for s in series for _, v in s["points"]), default=0.0)
    ceiling = nice_ceiling(peak)
    parts = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#2c3235"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{html.escape(format_value(ceiling * i / 4, unit))}</text>')
    for i in range(4):
        t = start + (end - start) * i / 3
        x = left + plot_w * i / 3
        anchor = "start" if i == 0 else ("end" if i == 3 else "middle")
        parts.append(f'<text x="{x:.1f}" y="{height - 4}" text-anchor="{anchor}">'
                     f'{time.strftime("%H:%M", time.gmtime(t))}</text>')
    for s in series:
        path, pen_down = [], False
        previous_t = None
        for t, v in s["points"]:
            # A gap of more than two steps (a scrape missed, a series began) lifts the pen.
            if previous_t is not None and t - previous_t > 2 * s["step"]:
                pen_down = False
            x = left + plot_w * (t - start) / (end - start)
            y = top + plot_h - plot_h * min(v, ceiling) / ceiling
            path.append(f'{"L" if pen_down else "M"}{x:.1f},{y:.1f}')
            pen_down, previous_t = True, t
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{s["color"]}" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_panel(panel, base, start, end, step, width_px, height_px):
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    series, errors = [], []
    for target in panel.get("targets", []):
        try:
            results = query_range(base, target["expr"], start, end, step)
        except Exception as error:  # shown on the panel, and the panel counts as empty
            errors.append(str(error))
            continue
        for result in results:
            points = [(float(t), float(v)) for t, v in result["values"] if math.isfinite(float(v))]
            if points:
                series.append({"name": legend_of(target.get("legendFormat"), result["metric"]),
                               "points": points, "step": step})
    series.sort(key=lambda s: -max(v for _, v in s["points"]))
    for index, s in enumerate(series):
        s["color"] = PALETTE[index % len(PALETTE)]
    legend_items = "".join(
        f'<span><i style="background:{s["color"]}"></i>{html.escape(s["name"] or "value")}'
        f' <b>{html.escape(format_value(s["points"][-1][1], unit))}</b></span>'
        for s in series[:MAX_LEGEND_SERIES])
    if len(series) > MAX_LEGEND_SERIES:
        legend_items += f"<span>+{len(series) - MAX_LEGEND_SERIES} more</span>"
    legend_h = 36
    body = (chart_svg(series, unit, start, end, width_px - 12, height_px - 30 - legend_h) if series else
            '<div class="empty">no data' + (": " + html.escape("; ".join(errors)) if errors else "") + "</div>")
    return (f'<div class="panel" style="{{pos}}"><h3>{html.escape(panel["title"])}</h3>{body}'
            f'<div class="legend">{legend_items}</div></div>'), bool(series)


def render(dashboard, base, minutes):
    end = time.time()
    start = end - minutes * 60
    step = max(1, int(minutes * 60 / 240))
    column_px = PAGE_WIDTH_PX / GRID_COLUMNS
    blocks, empty, bottom = [], [], 0
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        left, top = grid["x"] * column_px, grid["y"] * ROW_UNIT_PX
        width, height = grid["w"] * column_px, grid["h"] * ROW_UNIT_PX
        bottom = max(bottom, top + height)
        pos = f"left:{left:.0f}px;top:{top}px;width:{width - 6:.0f}px;height:{height - 6}px"
        if panel["type"] == "row":
            blocks.append(f'<div class="row" style="{pos}">{html.escape(panel["title"])}</div>')
            continue
        block, has_data = render_panel(panel, base, start, end, step, int(width - 6), height - 6)
        blocks.append(block.replace("{pos}", pos))
        if not has_data:
            empty.append(panel["title"])
    window = (f'{time.strftime("%Y-%m-%d %H:%M", time.gmtime(start))} to '
              f'{time.strftime("%H:%M UTC", time.gmtime(end))}, step {step} s')
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(dashboard["title"])}</title>
<style>
body {{ margin:0; background:#111217; color:#ccccdc; font:12px sans-serif; }}
header {{ padding:8px 12px; font-size:16px; }} header small {{ color:#8e8e8e; font-size:12px; }}
#grid {{ position:relative; width:{PAGE_WIDTH_PX}px; height:{bottom}px; margin-left:6px; }}
.row {{ position:absolute; font-size:15px; font-weight:bold; padding-top:6px; }}
.panel {{ position:absolute; background:#181b1f; border:1px solid #2c3235; border-radius:3px; overflow:hidden; }}
.panel h3 {{ margin:4px 8px; font-size:12px; font-weight:600; }}
.panel svg {{ margin-left:6px; }} .panel svg text {{ fill:#8e8e8e; font-size:10px; }}
.legend {{ padding:0 8px; height:36px; overflow:hidden; font-size:10px; line-height:12px; }}
.legend span {{ margin-right:10px; white-space:nowrap; display:inline-block; }}
.legend i {{ display:inline-block; width:10px; height:3px; margin-right:4px; vertical-align:middle; }}
.empty {{ color:#e24d42; padding:30px 10px; }}
</style></head><body>
<header>{html.escape(dashboard["title"])} <small>rendered from Prometheus {html.escape(base)}, {window}</small></header>
<div id="grid">{"".join(blocks)}</div></body></html>"""
    return page, empty, bottom


def screenshot(html_path, png_path, height):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise RuntimeError("chromium not found (Debian package chromium)")
    with tempfile.TemporaryDirectory() as profile:
        # The flags keep a headless Chromium from reaching for the network at start.
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--window-size={PAGE_WIDTH_PX + 12},{height + 50}", f"--screenshot={png_path}",
                        pathlib.Path(html_path).resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    parser.add_argument("--dashboard", default=str(pathlib.Path(__file__).resolve().parent.parent /
                                                   "deploy" / "grafana" / "grassroots.json"))
    parser.add_argument("--minutes", type=float, default=30, help="how far back the charts go")
    parser.add_argument("--html", required=True, help="where to write the page")
    parser.add_argument("--png", help="also take a screenshot with headless Chromium")
    args = parser.parse_args()
    dashboard = json.loads(pathlib.Path(args.dashboard).read_text(encoding="utf-8"))
    try:
        page, empty, height = render(dashboard, args.prometheus.rstrip("/"), args.minutes)
    except OSError as error:
        print(f"render_dashboard: cannot reach Prometheus at {args.prometheus}: {error}", file=sys.stderr)
        return 2
    pathlib.Path(args.html).write_text(page, encoding="utf-8")
    panels = sum(1 for p in dashboard["panels"] if p["type"] != "row")
    print(f"render_dashboard: {panels - len(empty)} of {panels} panels drew series; page {args.html}")
    if args.png:
        try:
            screenshot(args.html, args.png, height)
        except (RuntimeError, subprocess.SubprocessError) as error:
            print(f"render_dashboard: screenshot failed: {error}", file=sys.stderr)
            return 2
        print(f"render_dashboard: screenshot {args.png}")
    for title in empty:
        print(f"render_dashboard: no data in panel {title!r}", file=sys.stderr)
    return 1 if empty else 0


if __name__ == "__main__":
    sys.exit(main())
