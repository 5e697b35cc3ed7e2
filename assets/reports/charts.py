"""Static SVG charts (Altair rendered offline by vl-convert): readable without JavaScript."""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert


def trend_svg(points: pd.DataFrame, y_title: str) -> str:
    """A line chart of ``value`` by ``period`` (suppressed points are simply absent)."""
    chart = (
        alt.Chart(points.dropna(subset=["value"]), width=440, height=180)
        .mark_line(point=alt.OverlayMarkDef(size=50, filled=True), color="#1d4f91", strokeWidth=2.5)
        .encode(
            x=alt.X("period:O", title="Year ending 31 July", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        )
        .configure_axis(labelFont="DejaVu Sans", titleFont="DejaVu Sans", labelFontSize=11, titleFontSize=11, labelColor="#222", titleColor="#222")
        .configure_view(stroke=None)
    )
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    # The figure's caption and table carry the meaning; hide the drawing itself from screen readers.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
