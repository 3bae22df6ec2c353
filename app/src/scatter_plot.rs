//! Clusters as dots at two numbers each (the paper's Figure 8), sized by
//! conversations; a click selects the cluster. Both compare views draw it.

use leptos::prelude::*;

/// The plot's size and margin, in SVG units.
const WIDTH: f64 = 420.0;
const HEIGHT: f64 = 300.0;
const MARGIN: f64 = 36.0;

/// One cluster on the plot.
pub struct Dot {
    pub cluster: usize,
    pub size: usize,
    pub x: f64,
    pub y: f64,
    /// What hovering shows.
    pub title: String,
}

#[component]
pub fn ScatterPlot(
    dots: Vec<Dot>,
    x_label: String,
    y_label: String,
    selected: RwSignal<Option<usize>>,
    /// Draws the line from the lowest to the highest of both, where the two
    /// measures, each rescaled to its range, agree.
    #[prop(optional)]
    diagonal: bool,
) -> impl IntoView {
    if dots.is_empty() {
        return view! { <p class="stats">"No cluster has values on both facets."</p> }.into_any();
    }
    let span = |values: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = ((hi - lo) * 0.08).max(1e-6);
        (lo - pad, hi + pad)
    };
    let (x0, x1) = span(&mut dots.iter().map(|d| d.x));
    let (y0, y1) = span(&mut dots.iter().map(|d| d.y));
    let largest = dots.iter().map(|d| d.size).max().unwrap_or(1).max(1) as f64;
    let sx = move |v: f64| MARGIN + (v - x0) / (x1 - x0) * (WIDTH - 2.0 * MARGIN);
    let sy = move |v: f64| HEIGHT - MARGIN - (v - y0) / (y1 - y0) * (HEIGHT - 2.0 * MARGIN);
    let (xs, ys) = (dots.iter().map(|d| d.x), dots.iter().map(|d| d.y));
    let (lo_x, hi_x) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo_y, hi_y) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let agreement = diagonal.then(|| view! { <line x1=sx(lo_x) y1=sy(lo_y) x2=sx(hi_x) y2=sy(hi_y) class="diagonal" /> });
    let circles = dots
        .into_iter()
        .map(|d| {
            let cluster = d.cluster;
            view! {
                <circle cx=sx(d.x) cy=sy(d.y) r=3.0 + 9.0 * (d.size as f64 / largest).sqrt()
                    class:chosen=move || selected.get() == Some(cluster)
                    on:click=move |_| selected.set(Some(cluster))>
                    <title>{d.title}</title>
                </circle>
            }
        })
        .collect_view();
    view! {
        <svg class="scatter" role="img" aria-label="Clusters by the means of two facets" viewBox=format!("0 0 {WIDTH} {HEIGHT}")>
            <line x1=MARGIN y1=HEIGHT - MARGIN x2=WIDTH - MARGIN y2=HEIGHT - MARGIN class="axis" />
            <line x1=MARGIN y1=MARGIN x2=MARGIN y2=HEIGHT - MARGIN class="axis" />
            <text x=MARGIN y=HEIGHT - 8.0>{format!("{x_label}: {x0:.2}")}</text>
            <text x=WIDTH - MARGIN y=HEIGHT - 8.0 text-anchor="end">{format!("{x1:.2}")}</text>
            <text x=4.0 y=MARGIN - 10.0>{format!("{y_label}: {y0:.2} to {y1:.2}")}</text>
            {agreement}
            {circles}
        </svg>
    }
    .into_any()
}
