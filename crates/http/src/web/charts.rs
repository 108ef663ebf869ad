//! Charts as inline SVG built on the server from numbers: no script, no inline style (the page's CSP
//! allows neither); colours come from app.css classes (`.chart .bar .line .axis .c0`–`.c5`). Every text
//! that goes into the SVG is escaped here, so a template may print the result with `|safe`.

use std::fmt::Write as _;

/// One value of a chart: its label, its number, and the number as the page shows it (`12 500 so‘m`).
#[derive(Debug, Clone)]
pub struct Datum {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

impl Datum {
    pub fn new(label: impl Into<String>, value: i64, shown: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value,
            shown: shown.into(),
        }
    }
}

/// Text made safe for SVG (XML) content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// At most `n` characters of a label, with an ellipsis when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// `part / whole` of `length`, 0 when there is nothing (negative values count as 0).
#[expect(
    clippy::cast_precision_loss,
    reason = "a position in a drawing: a few pixels' precision is plenty"
)]
fn scale(part: i64, whole: i64, length: f64) -> f64 {
    if whole <= 0 || part <= 0 {
        0.0
    } else {
        part as f64 / whole as f64 * length
    }
}

fn open(width: u32, height: u32, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    )
}

/// Horizontal bars, one row per datum (e.g. top products), the longest bar the largest value.
pub fn bars(title: &str, data: &[Datum]) -> String {
    const ROW: u32 = 26;
    const LABEL: f64 = 150.0;
    const LENGTH: f64 = 150.0;
    let height = ROW * u32::try_from(data.len().max(1)).unwrap_or(1) + 4;
    let max = data.iter().map(|d| d.value).max().unwrap_or(0);
    let mut svg = open(400, height, title);
    let mut y = 4_u32;
    for d in data {
        let w = scale(d.value, max, LENGTH);
        let _ = write!(
            svg,
            "<g><title>{label}: {shown}</title>\
             <text x=\"0\" y=\"{ty}\">{short}</text>\
             <rect class=\"bar\" x=\"{LABEL}\" y=\"{y}\" width=\"{w:.1}\" height=\"{bh}\"/>\
             <text x=\"{tx:.1}\" y=\"{ty}\">{shown}</text></g>",
            label = escape(&d.label),
            shown = escape(&d.shown),
            short = escape(&clip(&d.label, 24)),
            ty = y + 14,
            bh = ROW - 8,
            tx = LABEL + w + 4.0,
        );
        y += ROW;
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LABEL}\" y1=\"0\" x2=\"{LABEL}\" y2=\"{height}\"/></svg>"
    );
    svg
}

/// A line over time (e.g. sales by day), the first, middle and last labels under the axis.
pub fn line(title: &str, data: &[Datum]) -> String {
    const W: f64 = 600.0;
    const H: f64 = 200.0;
    const PAD: f64 = 10.0;
    const BOTTOM: f64 = 22.0;
    let mut svg = open(600, 200, title);
    let base = H - BOTTOM;
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{PAD}\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\"/>",
        x2 = W - PAD
    );
    if data.is_empty() {
        svg.push_str("</svg>");
        return svg;
    }
    let max = data.iter().map(|d| d.value).max().unwrap_or(0);
    let steps = data.len().saturating_sub(1).max(1);
    let steps_i = i64::try_from(steps).unwrap_or(1);
    let x_of = |i: usize| {
        if data.len() == 1 {
            W / 2.0
        } else {
            PAD + scale(i64::try_from(i).unwrap_or(0), steps_i, W - 2.0 * PAD)
        }
    };
    let points: Vec<String> = data
        .iter()
        .enumerate()
        .map(|(i, d)| format!("{:.1},{:.1}", x_of(i), base - scale(d.value, max, base - PAD)))
        .collect();
    let _ = write!(svg, "<polyline class=\"line\" points=\"{}\"/>", points.join(" "));
    for (i, d) in data.iter().enumerate() {
        let _ = write!(
            svg,
            "<circle class=\"bar\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}</title></circle>",
            x_of(i),
            base - scale(d.value, max, base - PAD),
            escape(&d.label),
            escape(&d.shown)
        );
    }
    let mut marks = vec![0, data.len() / 2, data.len() - 1];
    marks.dedup();
    for i in marks {
        let anchor = match i {
            0 => "start",
            i if i == data.len() - 1 => "end",
            _ => "middle",
        };
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            x_of(i),
            H - 6.0,
            escape(&data[i].label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Parts of a whole as one stacked bar with a legend (e.g. sales by payment method, machines by status),
/// coloured `.c0`–`.c5` in order; parts of 0 show in the legend only.
pub fn donut_or_stacked(title: &str, data: &[Datum]) -> String {
    const W: f64 = 400.0;
    const BAR: u32 = 22;
    const ROW: u32 = 20;
    let total: i64 = data.iter().map(|d| d.value.max(0)).sum();
    let height = BAR + 10 + ROW * u32::try_from(data.len()).unwrap_or(0);
    let mut svg = open(400, height, title);
    let _ = write!(
        svg,
        "<rect class=\"axis\" x=\"0\" y=\"0\" width=\"{W}\" height=\"{BAR}\" fill=\"none\"/>"
    );
    let mut x = 0.0;
    for (i, d) in data.iter().enumerate() {
        let w = scale(d.value, total, W);
        if w > 0.0 {
            let _ = write!(
                svg,
                "<rect class=\"c{c}\" x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"{BAR}\"><title>{}: {}</title></rect>",
                escape(&d.label),
                escape(&d.shown),
                c = i % 6,
            );
        }
        x += w;
    }
    let mut y = BAR + 10;
    for (i, d) in data.iter().enumerate() {
        let _ = write!(
            svg,
            "<rect class=\"c{c}\" x=\"0\" y=\"{y}\" width=\"12\" height=\"12\"/>\
             <text x=\"18\" y=\"{ty}\">{} — {}</text>",
            escape(&clip(&d.label, 30)),
            escape(&d.shown),
            c = i % 6,
            ty = y + 10,
        );
        y += ROW;
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nasty() -> Vec<Datum> {
        vec![
            Datum::new("<script>alert('x')</script> & \"co\"", 10, "10 <b>"),
            Datum::new("Cola", 5, "5"),
        ]
    }

    #[test]
    fn labels_and_values_are_escaped_in_every_chart() {
        for svg in [
            bars("t<", &nasty()),
            line("t<", &nasty()),
            donut_or_stacked("t<", &nasty()),
        ] {
            assert!(!svg.contains("<script>"), "{svg}");
            assert!(!svg.contains("<b>"), "{svg}");
            assert!(!svg.contains("'x'"), "{svg}");
            assert!(
                svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
                    || svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/scr…"),
                "{svg}"
            );
            assert!(svg.contains("aria-label=\"t&lt;\""), "{svg}");
            assert!(!svg.contains("style="), "no inline style: {svg}");
        }
    }

    #[test]
    fn empty_data_gives_an_empty_chart_not_a_panic() {
        for svg in [bars("e", &[]), line("e", &[]), donut_or_stacked("e", &[])] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
        assert!(!line("e", &[]).contains("polyline"));
        let zeros = vec![Datum::new("a", 0, "0"), Datum::new("b", 0, "0")];
        for svg in [
            bars("z", &zeros),
            line("z", &zeros),
            donut_or_stacked("z", &zeros),
        ] {
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
        assert!(line("one", &[Datum::new("d", 3, "3")]).contains("polyline"));
    }

    #[test]
    fn the_largest_value_gets_the_longest_bar_and_parts_fill_the_whole() {
        let svg = bars("b", &[Datum::new("a", 10, "10"), Datum::new("b", 5, "5")]);
        assert!(
            svg.contains("width=\"150.0\"") && svg.contains("width=\"75.0\""),
            "{svg}"
        );
        let svg = donut_or_stacked("s", &[Datum::new("a", 3, "3"), Datum::new("b", 1, "1")]);
        assert!(
            svg.contains("class=\"c0\" x=\"0.0\" y=\"0\" width=\"300.0\""),
            "{svg}"
        );
        assert!(
            svg.contains("class=\"c1\" x=\"300.0\" y=\"0\" width=\"100.0\""),
            "{svg}"
        );
    }
}
