//! Every facet and column of a cluster against the whole data: bars for
//! categories (the top values and "other"), a histogram for numbers, a
//! timeline where there are times, each beside the data's own distribution
//! (its base rate), and the cluster's growth over time. The data's side is
//! worked out once per analysis (`Baselines`), a cluster's on selection.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::analysis::{Analysis, ConversationResult};
use crate::analyst::FacetAnswer;
use crate::cluster_stats::growth;
use crate::compare::{parse_number, Dimension};
use crate::facets::month_bucket;

/// Values shown as their own bar; the rest are summed as "other".
pub const TOP_VALUES: usize = 6;
/// A column with more distinct values than this is read as numbers (when it
/// holds only numbers) or not at all (ids, free text).
const MAX_CATEGORIES: usize = 50;
/// Integers spanning at most this many values get a bin each.
const MAX_INTEGER_BINS: usize = 16;
/// Bins of a histogram of any other numbers.
const BINS: usize = 10;
/// The name of the pooled bar.
pub const OTHER: &str = "other";

/// How a dimension's values are best read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    Categories,
    Numbers,
    Periods,
}

/// Every dimension of the analysis once, with how its values are best read:
/// the analyst's answers, the detected language and columns of few values
/// as categories (answers of many distinct texts, like columns of ids, not
/// at all); scale answers, turns, lengths and columns of many
/// numbers as numbers; the conversation's time and columns of dates as
/// periods. Columns of many distinct texts (ids) are left out.
pub fn readings(a: &Analysis) -> Vec<(Dimension, Reading)> {
    // Per answer: (distinct texts up to the cap, all scale).
    let mut answers: BTreeMap<&str, (BTreeSet<&str>, bool)> = BTreeMap::new();
    // Per column: (distinct values up to the cap, all numbers, all dates).
    let mut columns: BTreeMap<&str, (BTreeSet<&str>, bool, bool)> = BTreeMap::new();
    for c in &a.conversations {
        for (id, answer) in &c.answers {
            let seen = answers.entry(id).or_insert((BTreeSet::new(), true));
            if let FacetAnswer::Text(text) = answer {
                if seen.0.len() <= MAX_CATEGORIES {
                    seen.0.insert(text);
                }
            }
            seen.1 &= matches!(answer, FacetAnswer::Scale(_));
        }
        for (name, value) in &c.facets.meta {
            let seen = columns.entry(name).or_insert((BTreeSet::new(), true, true));
            if seen.0.len() <= MAX_CATEGORIES {
                seen.0.insert(value);
            }
            let number = parse_number(value).is_some();
            seen.1 &= number;
            seen.2 &= !number && month_bucket(value).is_some();
        }
    }
    let mut out = Vec::new();
    for (id, (texts, all_scale)) in answers {
        if all_scale {
            out.push((Dimension::Answer(id.into()), Reading::Numbers));
        } else if texts.len() <= MAX_CATEGORIES {
            out.push((Dimension::Answer(id.into()), Reading::Categories));
        }
        // An answer of many distinct texts (a summary of each request) is
        // free text: its bars would be single conversations' words, and
        // the map and the hierarchy are how it is read.
    }
    out.push((Dimension::DetectedLanguage, Reading::Categories));
    if a.conversations.iter().any(|c| c.facets.month.is_some()) {
        out.push((Dimension::Month, Reading::Periods));
    }
    out.extend([(Dimension::Turns, Reading::Numbers), (Dimension::UserChars, Reading::Numbers), (Dimension::AssistantChars, Reading::Numbers)]);
    for (name, (values, all_numbers, all_dates)) in columns {
        let reading = if all_dates {
            Reading::Periods
        } else if values.len() <= MAX_CATEGORIES && !(all_numbers && values.len() > MAX_INTEGER_BINS) {
            Reading::Categories
        } else if all_numbers {
            Reading::Numbers
        } else {
            continue;
        };
        out.push((Dimension::Column(name.into()), reading));
    }
    out
}

/// One bar: a value's count in the cluster, its share there, and its share
/// in the whole data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bar {
    pub label: String,
    pub count: usize,
    pub share: f64,
    pub base_share: f64,
}

/// One period of a timeline: the cluster's conversations then, and all of them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Period {
    pub period: String,
    pub count: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Breakdown {
    /// The cluster's top values, largest first, the rest as "other".
    Categories { bars: Vec<Bar>, counted: usize },
    /// Counts in the data's own bins, lowest first.
    Histogram { bars: Vec<Bar>, counted: usize, mean: f64, base_mean: f64 },
    /// Every period of the data, in order, with the cluster's growth
    /// (`cluster_stats::growth`, per period).
    Timeline { periods: Vec<Period>, growth: Option<f64> },
}

impl Breakdown {
    /// Conversations of the cluster with a value.
    pub fn counted(&self) -> usize {
        match self {
            Breakdown::Categories { counted, .. } | Breakdown::Histogram { counted, .. } => *counted,
            Breakdown::Timeline { periods, .. } => periods.iter().map(|p| p.count).sum(),
        }
    }
}

/// Bin edges for a dimension's numbers over the whole data.
#[derive(Clone, Debug, PartialEq)]
enum Bins {
    /// One bin per integer from `first`, `count` of them.
    Integers { first: i64, count: usize },
    /// `BINS` bins between `low` and `high`, equal in `ln(1 + x)` when `log`.
    Ranges { low: f64, high: f64, log: bool },
}

impl Bins {
    fn of(values: &[f64]) -> Option<Bins> {
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !low.is_finite() || !high.is_finite() {
            return None;
        }
        let integers = values.iter().all(|v| v.fract() == 0.0);
        if integers && high - low < MAX_INTEGER_BINS as f64 {
            return Some(Bins::Integers { first: low as i64, count: (high - low) as usize + 1 });
        }
        // Lengths and counts span orders of magnitude: equal bins on a log
        // scale show their shape where equal widths would put all in one.
        let log = low >= 0.0 && (high + 1.0) / (low + 1.0) > 50.0;
        Some(Bins::Ranges { low, high, log })
    }

    fn len(&self) -> usize {
        match self {
            Bins::Integers { count, .. } => *count,
            Bins::Ranges { .. } => BINS,
        }
    }

    fn scale(&self, v: f64) -> f64 {
        match self {
            Bins::Ranges { log: true, .. } => v.max(0.0).ln_1p(),
            _ => v,
        }
    }

    fn index(&self, v: f64) -> usize {
        match *self {
            Bins::Integers { first, count } => ((v.round() as i64 - first).max(0) as usize).min(count - 1),
            Bins::Ranges { low, high, .. } => {
                let (lo, hi) = (self.scale(low), self.scale(high));
                if hi <= lo {
                    return 0;
                }
                (((self.scale(v) - lo) / (hi - lo) * BINS as f64).floor().max(0.0) as usize).min(BINS - 1)
            }
        }
    }

    fn label(&self, i: usize) -> String {
        match *self {
            Bins::Integers { first, .. } => (first + i as i64).to_string(),
            Bins::Ranges { low, high, log } => {
                let (lo, hi) = (self.scale(low), self.scale(high));
                let edge = |t: f64| {
                    let s = lo + (hi - lo) * t / BINS as f64;
                    if log {
                        s.exp_m1()
                    } else {
                        s
                    }
                };
                format!("{}–{}", short_number(edge(i as f64)), short_number(edge(i as f64 + 1.0)))
            }
        }
    }
}

/// A number in few characters: 0.25, 12, 1.3k, 45k, 2.1M.
fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The whole data's side of one dimension.
#[derive(Clone, Debug)]
enum Baseline {
    Categories { counts: BTreeMap<String, usize>, counted: usize },
    Numbers { bins: Bins, counts: Vec<usize>, counted: usize, mean: f64 },
    Periods { periods: Vec<String>, totals: Vec<usize> },
}

/// The whole data's distribution of every dimension, over the clustered
/// conversations, worked out once so that a selection costs one pass over
/// the selected cluster's members.
#[derive(Clone, Debug)]
pub struct Baselines {
    dimensions: Vec<(Dimension, Reading, Baseline)>,
}

impl Baselines {
    pub fn new(a: &Analysis) -> Self {
        let clustered: Vec<&ConversationResult> = a.conversations.iter().filter(|c| c.cluster.is_some()).collect();
        let dimensions = readings(a)
            .into_iter()
            .filter_map(|(d, reading)| {
                let baseline = match reading {
                    Reading::Categories => {
                        let mut counts = BTreeMap::new();
                        for c in &clustered {
                            if let Some(v) = d.category(c) {
                                *counts.entry(v).or_default() += 1;
                            }
                        }
                        let counted = counts.values().sum();
                        Baseline::Categories { counts, counted }
                    }
                    Reading::Numbers => {
                        let values: Vec<f64> = clustered.iter().filter_map(|c| d.number(c)).collect();
                        let bins = Bins::of(&values)?;
                        let mut counts = vec![0; bins.len()];
                        for &v in &values {
                            counts[bins.index(v)] += 1;
                        }
                        Baseline::Numbers { mean: values.iter().sum::<f64>() / values.len() as f64, counted: values.len(), bins, counts }
                    }
                    Reading::Periods => {
                        let mut totals: BTreeMap<String, usize> = BTreeMap::new();
                        for c in &clustered {
                            if let Some(p) = d.period(c) {
                                *totals.entry(p).or_default() += 1;
                            }
                        }
                        if totals.is_empty() {
                            return None;
                        }
                        let (periods, totals) = fill_months(totals).into_iter().unzip();
                        Baseline::Periods { periods, totals }
                    }
                };
                Some((d, reading, baseline))
            })
            .collect();
        Baselines { dimensions }
    }

    /// The dimensions with a baseline, in `readings` order.
    pub fn dimensions(&self) -> impl Iterator<Item = (&Dimension, Reading)> {
        self.dimensions.iter().map(|(d, r, _)| (d, *r))
    }

    fn baseline(&self, d: &Dimension) -> Option<&Baseline> {
        self.dimensions.iter().find(|(x, _, _)| x == d).map(|(_, _, b)| b)
    }

    pub fn reading(&self, d: &Dimension) -> Option<Reading> {
        self.dimensions.iter().find(|(x, _, _)| x == d).map(|(_, r, _)| *r)
    }

    /// A dimension of categories' values over the whole data, most common first.
    pub fn values(&self, d: &Dimension) -> Vec<(String, usize)> {
        let Some(Baseline::Categories { counts, .. }) = self.baseline(d) else { return Vec::new() };
        let mut out: Vec<(String, usize)> = counts.iter().map(|(v, n)| (v.clone(), *n)).collect();
        out.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        out
    }

    /// A dimension of numbers' bins over the whole data: each bin's label and count.
    pub fn bins(&self, d: &Dimension) -> Vec<(String, usize)> {
        let Some(Baseline::Numbers { bins, counts, .. }) = self.baseline(d) else { return Vec::new() };
        counts.iter().enumerate().map(|(i, &n)| (bins.label(i), n)).collect()
    }

    /// The bin a number falls in, for a dimension of numbers.
    pub fn bin(&self, d: &Dimension, v: f64) -> Option<usize> {
        let Some(Baseline::Numbers { bins, .. }) = self.baseline(d) else { return None };
        Some(bins.index(v))
    }

    /// A dimension of periods' periods in order, each with its conversations.
    pub fn periods(&self, d: &Dimension) -> Vec<(String, usize)> {
        let Some(Baseline::Periods { periods, totals }) = self.baseline(d) else { return Vec::new() };
        periods.iter().cloned().zip(totals.iter().copied()).collect()
    }

    /// The breakdown of the conversations `members` (indexes into
    /// `a.conversations`) on `d`; none for a dimension without a baseline.
    pub fn breakdown(&self, a: &Analysis, members: &[usize], d: &Dimension) -> Option<Breakdown> {
        let (_, _, baseline) = self.dimensions.iter().find(|(x, _, _)| x == d)?;
        let members = members.iter().map(|&k| &a.conversations[k]);
        Some(match baseline {
            Baseline::Categories { counts: base, counted: base_counted } => {
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for c in members {
                    if let Some(v) = d.category(c) {
                        *counts.entry(v).or_default() += 1;
                    }
                }
                let counted: usize = counts.values().sum();
                let mut rows: Vec<(String, usize)> = counts.into_iter().collect();
                rows.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                let share = |n: usize, of: usize| n as f64 / of.max(1) as f64;
                let mut bars: Vec<Bar> = Vec::new();
                let shown = if rows.len() > TOP_VALUES { TOP_VALUES - 1 } else { rows.len() };
                for (label, count) in rows.iter().take(shown) {
                    let base_share = share(base.get(label).copied().unwrap_or(0), *base_counted);
                    bars.push(Bar { label: label.clone(), count: *count, share: share(*count, counted), base_share });
                }
                if rows.len() > shown {
                    let count: usize = rows[shown..].iter().map(|r| r.1).sum();
                    let base_of_shown: usize = bars.iter().map(|b| base.get(&b.label).copied().unwrap_or(0)).sum();
                    let base_share = share(base_counted.saturating_sub(base_of_shown), *base_counted);
                    bars.push(Bar { label: OTHER.into(), count, share: share(count, counted), base_share });
                }
                Breakdown::Categories { bars, counted }
            }
            Baseline::Numbers { bins, counts: base, counted: base_counted, mean: base_mean } => {
                let mut counts = vec![0; bins.len()];
                let (mut sum, mut counted) = (0.0, 0);
                for v in members.filter_map(|c| d.number(c)) {
                    counts[bins.index(v)] += 1;
                    sum += v;
                    counted += 1;
                }
                let bars = counts
                    .iter()
                    .zip(base)
                    .enumerate()
                    .map(|(i, (&count, &b))| Bar {
                        label: bins.label(i),
                        count,
                        share: count as f64 / counted.max(1) as f64,
                        base_share: b as f64 / (*base_counted).max(1) as f64,
                    })
                    .collect();
                let mean = if counted == 0 { 0.0 } else { sum / counted as f64 };
                Breakdown::Histogram { bars, counted, mean, base_mean: *base_mean }
            }
            Baseline::Periods { periods, totals } => {
                let mut counts = vec![0; periods.len()];
                for p in members.filter_map(|c| d.period(c)) {
                    if let Ok(i) = periods.binary_search(&p) {
                        counts[i] += 1;
                    }
                }
                let pairs: Vec<(usize, usize)> = counts.iter().copied().zip(totals.iter().copied()).collect();
                let periods = periods.iter().zip(&pairs).map(|(period, &(count, total))| Period { period: period.clone(), count, total }).collect();
                Breakdown::Timeline { periods, growth: growth(&pairs) }
            }
        })
    }
}

/// The months from the first to the last key, the missing ones at zero, so
/// that a timeline's steps are equal and growth is per month.
fn fill_months(totals: BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let parse = |p: &str| -> Option<i64> { Some(p.get(..4)?.parse::<i64>().ok()? * 12 + p.get(5..7)?.parse::<i64>().ok()? - 1) };
    let (Some(first), Some(last)) = (totals.keys().next().and_then(|p| parse(p)), totals.keys().next_back().and_then(|p| parse(p))) else {
        return totals.into_iter().collect();
    };
    // A span of centuries (a mistyped year) is shown as the periods that occur.
    if last - first > 600 {
        return totals.into_iter().collect();
    }
    (first..=last)
        .map(|m| {
            let key = format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1);
            let n = totals.get(&key).copied().unwrap_or(0);
            (key, n)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster_index::ClusterIndex;
    use crate::test_rows::{analyse, imported};

    /// 90 conversations over three months in two topics; the gardening ones
    /// all come in the last month, carry a high `score` and a `source` of "b".
    fn analysis() -> Analysis {
        let mut rows = Vec::new();
        for i in 0..90 {
            let (text, month, source, score) = if i % 3 == 0 {
                ("How deep should I plant tulip bulbs in clay soil before the first frost?", "2024-03", "b", 900 + i)
            } else {
                ("Please explain why this SQL query with a left join returns duplicate rows", ["2024-01", "2024-02", "2024-03"][i % 3 - 1 + (i % 2)], "a", i)
            };
            rows.push(serde_json::json!({"id": format!("c{i}"), "created_at": format!("{month}-15T10:00:00Z"), "source": source, "score": score.to_string(),
                "ticket": format!("T-{i}"), "messages": [{"role": "user", "content": text}]}));
        }
        analyse(imported(&rows), 3)
    }

    #[test]
    fn columns_are_read_as_categories_numbers_or_not_at_all() {
        let a = analysis();
        let r = readings(&a);
        let reading = |d: Dimension| r.iter().find(|x| x.0 == d).map(|x| x.1);
        assert_eq!(reading(Dimension::Column("source".into())), Some(Reading::Categories));
        assert_eq!(reading(Dimension::Column("score".into())), Some(Reading::Numbers), "many distinct numbers");
        assert_eq!(reading(Dimension::Column("ticket".into())), None, "an id is no dimension");
        assert_eq!(reading(Dimension::Month), Some(Reading::Periods));
        assert_eq!(reading(Dimension::Answer("concern".into())), Some(Reading::Numbers));
        assert_eq!(reading(Dimension::Turns), Some(Reading::Numbers));
        // Two distinct requests here: categories.
        assert_eq!(reading(Dimension::Answer("request".into())), Some(Reading::Categories));
    }

    #[test]
    fn an_answer_of_many_distinct_texts_is_no_dimension() {
        let topics = ["tulips", "SQL joins", "tax forms", "sourdough", "chess openings", "bicycle gears", "Rust lifetimes", "watercolour", "jazz chords"];
        let rows: Vec<serde_json::Value> = (0..90)
            .map(|i| {
                let text = format!("Question {i}: how should a beginner approach {} in week {}?", topics[i % topics.len()], i / 9);
                serde_json::json!({"id": format!("c{i}"), "messages": [{"role": "user", "content": text}]})
            })
            .collect();
        let a = analyse(imported(&rows), 3);
        let r = readings(&a);
        let reading = |d: Dimension| r.iter().find(|x| x.0 == d).map(|x| x.1);
        assert_eq!(reading(Dimension::Answer("request".into())), None, "90 distinct summaries are free text");
        assert_eq!(reading(Dimension::Answer("concern".into())), Some(Reading::Numbers));
    }

    #[test]
    fn a_cluster_is_drawn_against_the_whole_data() {
        let a = analysis();
        let index = ClusterIndex::new(&a);
        let base = Baselines::new(&a);
        let gardening = (0..a.clusters.len())
            .filter(|&i| a.clusters[i].level == 0)
            .find(|&i| index.members(i).iter().all(|&k| a.conversations[k].facets.meta["source"] == "b"))
            .expect("a cluster of gardening alone");
        let members = index.members(gardening);

        let Some(Breakdown::Categories { bars, counted }) = base.breakdown(&a, members, &Dimension::Column("source".into())) else { panic!() };
        assert_eq!(counted, members.len());
        assert_eq!((bars[0].label.as_str(), bars[0].share), ("b", 1.0));
        assert!((bars[0].base_share - 1.0 / 3.0).abs() < 1e-9, "{bars:?}");

        let Some(Breakdown::Histogram { bars, mean, base_mean, .. }) = base.breakdown(&a, members, &Dimension::Column("score".into())) else { panic!() };
        assert!(mean > 900.0 && base_mean < mean);
        assert_eq!(bars.len(), BINS);
        assert_eq!(bars.iter().map(|b| b.count).sum::<usize>(), members.len());
        assert!((bars.iter().map(|b| b.base_share).sum::<f64>() - 1.0).abs() < 1e-9);

        let Some(Breakdown::Timeline { periods, growth }) = base.breakdown(&a, members, &Dimension::Month) else { panic!() };
        assert_eq!(periods.iter().map(|p| p.period.as_str()).collect::<Vec<_>>(), ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(periods.iter().map(|p| p.total).sum::<usize>(), 90);
        assert_eq!(periods[2].count, members.len());
        assert!(growth.unwrap() > 0.5, "all of it in the last month: {growth:?}");
    }

    #[test]
    fn integer_bins_one_per_value_and_wide_ranges_on_a_log_scale() {
        assert_eq!(Bins::of(&[1.0, 3.0, 5.0]), Some(Bins::Integers { first: 1, count: 5 }));
        let wide = Bins::of(&[0.0, 10.0, 100_000.0]).unwrap();
        assert!(matches!(wide, Bins::Ranges { log: true, .. }));
        assert_eq!(wide.index(0.0), 0);
        assert_eq!(wide.index(100_000.0), BINS - 1);
        assert!(wide.index(10.0) > 0, "a log scale spreads the small values");
        assert_eq!(wide.label(BINS - 1).split('–').next_back(), Some("100k"));
        assert_eq!(Bins::of(&[]), None);
    }

    #[test]
    fn months_without_conversations_are_filled_in() {
        let totals: BTreeMap<String, usize> = [("2023-11".to_string(), 2), ("2024-02".to_string(), 5)].into_iter().collect();
        let filled = fill_months(totals);
        assert_eq!(filled, [("2023-11".into(), 2), ("2023-12".into(), 0), ("2024-01".into(), 0), ("2024-02".into(), 5)]);
    }
}
