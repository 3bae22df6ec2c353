//! The report's charts, drawn as SVG and rendered to PNG with resvg: a heat
//! map of a confusion matrix (paper Figure 11) and paired bars of a true and
//! a reconstructed distribution (Figure 4).

use std::path::Path;

use anyhow::{anyhow, Context};

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn shorten(s: &str, most: usize) -> String {
    if s.chars().count() <= most {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(most - 1).collect::<String>())
    }
}

/// Rows are the known categories, columns the found clusters; each row is
/// shaded by its own share so small categories read as clearly as large ones.
pub fn heat_map(title: &str, rows: &[String], cols: &[String], counts: &[Vec<usize>]) -> String {
    let (cell, left, top) = (26.0, 170.0, 200.0);
    // Room on the right for the last column's slanted label, and for the title.
    let width = (left + cell * cols.len() as f64 + 160.0).max(10.0 + 7.0 * title.chars().count() as f64);
    let height = top + cell * rows.len() as f64 + 20.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="14">{}</text>"#,
        escape(title)
    );
    for (j, c) in cols.iter().enumerate() {
        let x = left + cell * j as f64 + cell / 2.0;
        svg.push_str(&format!(r#"<text transform="translate({x},{}) rotate(-60)" >{}</text>"#, top - 6.0, escape(&shorten(c, 30))));
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + cell * i as f64;
        svg.push_str(&format!(r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 6.0, y + cell * 0.65, escape(&shorten(r, 26))));
        let total: usize = counts[i].iter().sum();
        for (j, &n) in counts[i].iter().enumerate() {
            let share = if total > 0 { n as f64 / total as f64 } else { 0.0 };
            let shade = (255.0 - share * 220.0).round() as u8;
            let x = left + cell * j as f64;
            svg.push_str(&format!(r##"<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="rgb({shade},{shade},255)" stroke="#ddd"/>"##));
            if n > 0 {
                let ink = if share > 0.5 { "white" } else { "black" };
                svg.push_str(&format!(r#"<text x="{}" y="{}" text-anchor="middle" font-size="9" fill="{ink}">{n}</text>"#, x + cell / 2.0, y + cell * 0.62));
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Paired horizontal bars: the true share and the reconstructed share of each category.
pub fn paired_bars(title: &str, labels: &[String], truth: &[f64], found: &[f64]) -> String {
    let (row, left, top, plot) = (30.0, 170.0, 50.0, 420.0);
    let max = truth.iter().chain(found).cloned().fold(0.0f64, f64::max).max(1e-9);
    let height = top + row * labels.len() as f64 + 30.0;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="18" font-size="14">{}</text><rect x="{left}" y="28" width="12" height="10" fill="#8888cc"/><text x="{}" y="37">true</text><rect x="{}" y="28" width="12" height="10" fill="#e08a3c"/><text x="{}" y="37">reconstructed</text>"##,
        left + plot + 70.0,
        escape(title),
        left + 16.0,
        left + 70.0,
        left + 86.0
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        svg.push_str(&format!(r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#, left - 6.0, y + 15.0, escape(&shorten(label, 26))));
        for (k, (value, colour)) in [(truth[i], "#8888cc"), (found[i], "#e08a3c")].into_iter().enumerate() {
            let w = value / max * plot;
            let by = y + 3.0 + k as f64 * 12.0;
            svg.push_str(&format!(
                r#"<rect x="{left}" y="{by}" width="{w:.1}" height="11" fill="{colour}"/><text x="{}" y="{}" font-size="9">{:.1}%</text>"#,
                left + w + 4.0,
                by + 9.0,
                value * 100.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Writes `svg` next to its PNG rendering (`stem.svg`, `stem.png`).
pub fn write(svg: &str, dir: &Path, stem: &str) -> anyhow::Result<()> {
    std::fs::write(dir.join(format!("{stem}.svg")), svg).with_context(|| format!("writing {stem}.svg"))?;
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| anyhow!("drawing {stem}: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or_else(|| anyhow!("{stem}: an empty chart"))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::default(), &mut pixmap.as_mut());
    pixmap.save_png(dir.join(format!("{stem}.png"))).map_err(|e| anyhow!("writing {stem}.png: {e}"))?;
    Ok(())
}
