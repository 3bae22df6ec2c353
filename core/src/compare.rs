//! The paper's comparisons across clusters (Figures 7 and 8): which clusters
//! hold a facet value (say, Japanese) far more often than the data as a
//! whole, and where clusters sit on the means of two numeric facets (say,
//! mean concern against the share a dataset's own column flags), so that
//! over- and under-flagged clusters stand out.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, ConversationResult};
use crate::analyst::FacetAnswer;
use crate::api::facet_id;
use crate::cluster_index::ClusterIndex;
use crate::cluster_stats::{share_table, ClusterMeans, ShareTable, ValueCount};
use crate::facets::month_bucket;
use crate::language::language_name;

/// A metadata column with more distinct values than this (ids, timestamps)
/// is no category to compare by.
const MAX_CATEGORIES: usize = 50;

/// Something every conversation may have a value for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Dimension {
    /// The analyst's answer to a facet question.
    Answer(String),
    /// The language detected from the user's turns (ISO 639-1).
    DetectedLanguage,
    /// `YYYY-MM` of the conversation's time.
    Month,
    /// The number of user turns.
    Turns,
    /// Characters the user wrote, over all turns.
    UserChars,
    /// Characters the assistant wrote, over all turns.
    AssistantChars,
    /// A column of the dataset, passed through.
    Column(String),
}

impl Dimension {
    /// Words for a menu.
    pub fn label(&self) -> String {
        match self {
            Dimension::Answer(id) => format!("{id} (facet)"),
            Dimension::DetectedLanguage => "detected language".into(),
            Dimension::Month => facet_id::MONTH.into(),
            Dimension::Turns => facet_id::TURNS.into(),
            Dimension::UserChars => "user characters".into(),
            Dimension::AssistantChars => "assistant characters".into(),
            Dimension::Column(name) => format!("{name} (column)"),
        }
    }

    /// A short stable name, for an address or a menu's value: the inverse of [`Dimension::from_key`].
    pub fn key(&self) -> String {
        match self {
            Dimension::Answer(id) => format!("answer:{id}"),
            Dimension::DetectedLanguage => facet_id::LANGUAGE.into(),
            Dimension::Month => facet_id::MONTH.into(),
            Dimension::Turns => facet_id::TURNS.into(),
            Dimension::UserChars => "user_chars".into(),
            Dimension::AssistantChars => "assistant_chars".into(),
            Dimension::Column(name) => format!("column:{name}"),
        }
    }

    pub fn from_key(key: &str) -> Option<Dimension> {
        if let Some(id) = key.strip_prefix("answer:") {
            return Some(Dimension::Answer(id.into()));
        }
        if let Some(name) = key.strip_prefix("column:") {
            return Some(Dimension::Column(name.into()));
        }
        Some(match key {
            facet_id::LANGUAGE => Dimension::DetectedLanguage,
            facet_id::MONTH => Dimension::Month,
            facet_id::TURNS => Dimension::Turns,
            "user_chars" => Dimension::UserChars,
            "assistant_chars" => Dimension::AssistantChars,
            _ => return None,
        })
    }

    /// The `YYYY-MM` a conversation falls in, for a dimension of times: its
    /// own time, or a column of dates.
    pub fn period(&self, c: &ConversationResult) -> Option<String> {
        match self {
            Dimension::Month => c.facets.month.clone(),
            Dimension::Column(name) => month_bucket(c.facets.meta.get(name)?),
            _ => None,
        }
    }

    /// The value of a conversation as a category.
    pub fn category(&self, c: &ConversationResult) -> Option<String> {
        match self {
            Dimension::Answer(id) => c.answers.get(id).map(FacetAnswer::as_text),
            // Named in English ("French", not "fr"), as the analyst's answer is.
            Dimension::DetectedLanguage => c.facets.language.as_deref().map(language_name),
            Dimension::Month => c.facets.month.clone(),
            Dimension::Turns => Some(c.facets.turns.to_string()),
            Dimension::UserChars => Some(c.facets.user_chars.to_string()),
            Dimension::AssistantChars => Some(c.facets.assistant_chars.to_string()),
            Dimension::Column(name) => c.facets.meta.get(name).cloned(),
        }
    }

    /// The value of a conversation as a number: scale answers, turns, and
    /// columns of numbers or of yes/no values (1 and 0, so a mean is a share).
    pub fn number(&self, c: &ConversationResult) -> Option<f64> {
        match self {
            Dimension::Answer(id) => match c.answers.get(id)? {
                FacetAnswer::Scale(v) => Some(*v as f64),
                FacetAnswer::Text(t) => parse_number(t),
            },
            Dimension::Turns => Some(c.facets.turns as f64),
            Dimension::UserChars => Some(c.facets.user_chars as f64),
            Dimension::AssistantChars => Some(c.facets.assistant_chars as f64),
            Dimension::Column(name) => parse_number(c.facets.meta.get(name)?),
            Dimension::DetectedLanguage | Dimension::Month => None,
        }
    }
}

pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" => Some(1.0),
        "false" | "no" => Some(0.0),
        _ => t.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// The dimensions an analysis can be compared by: categorical ones (for
/// prevalence) and numeric ones (for means), each in a stable order.
pub fn dimensions(a: &Analysis) -> (Vec<Dimension>, Vec<Dimension>) {
    let mut answers: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    let mut columns: BTreeMap<&str, (BTreeSet<&str>, bool)> = BTreeMap::new();
    for c in &a.conversations {
        for (id, answer) in &c.answers {
            let seen = answers.entry(id).or_insert((false, true));
            seen.0 |= matches!(answer, FacetAnswer::Text(_));
            seen.1 &= matches!(answer, FacetAnswer::Scale(_));
        }
        for (name, value) in &c.facets.meta {
            let seen = columns.entry(name).or_insert((BTreeSet::new(), true));
            if seen.0.len() <= MAX_CATEGORIES {
                seen.0.insert(value);
            }
            seen.1 &= parse_number(value).is_some();
        }
    }
    let mut categorical = Vec::new();
    let mut numeric = Vec::new();
    for (id, (text, all_scale)) in answers {
        if text {
            categorical.push(Dimension::Answer(id.into()));
        }
        if all_scale {
            numeric.push(Dimension::Answer(id.into()));
        }
    }
    categorical.push(Dimension::DetectedLanguage);
    if a.conversations.iter().any(|c| c.facets.month.is_some()) {
        categorical.push(Dimension::Month);
    }
    categorical.push(Dimension::Turns);
    numeric.extend([Dimension::Turns, Dimension::UserChars, Dimension::AssistantChars]);
    for (name, (values, all_numbers)) in columns {
        if values.len() <= MAX_CATEGORIES {
            categorical.push(Dimension::Column(name.into()));
        }
        if all_numbers {
            numeric.push(Dimension::Column(name.into()));
        }
    }
    (categorical, numeric)
}

/// Where the comparisons open: the categorical dimension (an index into
/// `dimensions`' first list) and the two numeric ones (into its second) a
/// first look shows, so that a dataset where every conversation is in one
/// language, or a column holds one value, does not open on a comparison
/// with nothing to compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstLook {
    pub category: usize,
    pub across: usize,
    pub up: usize,
}

/// The comparisons a first look shows ([`FirstLook`]). A dimension counts
/// as varying when at least the aggregation minimum of conversations
/// (`params.privacy.min_conversations`) hold a value other than its
/// commonest: fewer could not be shown on a dashboard, and a column where
/// two of ten thousand differ has nothing to say. The category is the
/// analyst's language answer, or else the dimension a menu can list whose
/// second value (the one the comparison opens on) most conversations
/// hold. Across is the concern facet, as in the paper's Figure 8, or else
/// the measure of the conversations themselves (turns, lengths) on which
/// the base clusters differ most (the share of its variance that lies
/// between them); up is the dataset's own column on which they differ most,
/// or another measure where no column varies. Dimensions that do not vary
/// are passed over while one that does remains.
pub fn first_look(a: &Analysis, index: &ClusterIndex, categorical: &[Dimension], numeric: &[Dimension]) -> FirstLook {
    let minimum = a.params.privacy.min_conversations.max(1);
    // The second value's count, for a dimension that varies and that a menu can list.
    let second_value = |d: &Dimension| values_up_to(a, d, MAX_CATEGORIES).and_then(|values| values.get(1).map(|(_, n)| *n)).filter(|&n| n >= minimum);
    let category = categorical
        .iter()
        .position(|d| *d == Dimension::Answer(facet_id::LANGUAGE.into()) && second_value(d).is_some())
        .or_else(|| {
            let seconds: Vec<Option<usize>> = categorical.iter().map(second_value).collect();
            // Between equals, the earlier in the menu.
            (0..categorical.len()).filter(|&i| seconds[i].is_some()).max_by(|&i, &j| seconds[i].cmp(&seconds[j]).then(j.cmp(&i)))
        })
        .unwrap_or(0);
    let varies = |d: &Dimension| values(a, d).iter().skip(1).map(|(_, n)| n).sum::<usize>() >= minimum;
    let explained: Vec<Option<f64>> = numeric.iter().map(|d| if varies(d) { variance_between_clusters(a, index, d) } else { None }).collect();
    let most_explained = |pick: &dyn Fn(usize) -> bool| {
        let score = |i: usize| explained[i].unwrap_or(f64::NEG_INFINITY);
        (0..numeric.len()).filter(|&i| pick(i) && explained[i].is_some()).max_by(|&i, &j| score(i).total_cmp(&score(j)).then(j.cmp(&i)))
    };
    let across = numeric
        .iter()
        .position(|d| *d == Dimension::Answer(facet_id::CONCERN.into()))
        .filter(|&i| explained[i].is_some())
        .or_else(|| most_explained(&|i| !matches!(numeric[i], Dimension::Column(_))))
        .or_else(|| most_explained(&|_| true))
        .unwrap_or(0);
    let up = most_explained(&|i| i != across && matches!(numeric[i], Dimension::Column(_))).or_else(|| most_explained(&|i| i != across)).unwrap_or_else(|| {
        if across == 0 {
            numeric.len().saturating_sub(1)
        } else {
            0
        }
    });
    FirstLook { category, across, up }
}

/// The share of a numeric dimension's variance over the clustered
/// conversations that lies between the base clusters' means (the
/// correlation ratio, η²); `None` when the dimension holds one value or
/// none, so that there is nothing to explain.
fn variance_between_clusters(a: &Analysis, index: &ClusterIndex, d: &Dimension) -> Option<f64> {
    let groups: Vec<Vec<f64>> = (0..a.clusters.len())
        .filter(|&i| a.clusters[i].level == 0)
        .map(|i| index.members(i).iter().filter_map(|&k| d.number(&a.conversations[k])).collect())
        .collect();
    // Each value over the largest magnitude, so that a column of huge
    // numbers cannot overflow the sums of squares into a ratio of infinities.
    let scale = groups.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return None;
    }
    let groups: Vec<Vec<f64>> = groups.into_iter().map(|g| g.into_iter().map(|v| v / scale).collect()).collect();
    let all: Vec<f64> = groups.iter().flatten().copied().collect();
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    let total: f64 = all.iter().map(|v| (v - mean).powi(2)).sum();
    if total <= f64::EPSILON * all.len() as f64 {
        return None;
    }
    let between: f64 = groups
        .iter()
        .filter(|g| !g.is_empty())
        .map(|g| {
            let group_mean = g.iter().sum::<f64>() / g.len() as f64;
            g.len() as f64 * (group_mean - mean).powi(2)
        })
        .sum();
    Some(between / total)
}

/// A dimension's values among the clustered conversations, most common first.
pub fn values(a: &Analysis, d: &Dimension) -> Vec<(String, usize)> {
    values_up_to(a, d, usize::MAX).unwrap_or_default()
}

/// [`values`], or `None` once the dimension has more than `limit` values
/// (the counting stops there: an open-text answer has as many values as
/// there are conversations).
fn values_up_to(a: &Analysis, d: &Dimension, limit: usize) -> Option<Vec<(String, usize)>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in a.conversations.iter().filter(|c| c.cluster.is_some()) {
        if let Some(v) = d.category(c) {
            *counts.entry(v).or_default() += 1;
            if counts.len() > limit {
                return None;
            }
        }
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().collect();
    out.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    Some(out)
}

/// Figure 7 both ways: for each cluster of `level`, how many of its
/// conversations with a value of `d` have `value`, against the share among
/// every clustered conversation with a value; clusters with fewer than
/// `min_size` such conversations are counted in the base rate but not
/// listed, since their shares are mostly noise.
pub fn prevalence(a: &Analysis, index: &ClusterIndex, d: &Dimension, value: &str, level: usize, min_size: usize) -> ShareTable {
    let counts: Vec<ValueCount> = (0..a.clusters.len())
        .filter(|&i| a.clusters[i].level == level)
        .map(|i| {
            let (mut matching, mut counted) = (0, 0);
            for &k in index.members(i) {
                if let Some(v) = d.category(&a.conversations[k]) {
                    counted += 1;
                    matching += usize::from(v == value);
                }
            }
            (i, matching, counted)
        })
        .collect();
    share_table(&counts, min_size)
}

/// Each cluster of `level` at the means of `x` and `y` over its members that
/// have a value for each; clusters under `min_size` conversations, or with no
/// value on either axis, are left out.
pub fn means(a: &Analysis, index: &ClusterIndex, x: &Dimension, y: &Dimension, level: usize, min_size: usize) -> Vec<ClusterMeans> {
    let mean = |members: &[usize], d: &Dimension| -> Option<f64> {
        let values: Vec<f64> = members.iter().filter_map(|&k| d.number(&a.conversations[k])).collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    (0..a.clusters.len())
        .filter(|&i| a.clusters[i].level == level && index.members(i).len() >= min_size.max(1))
        .filter_map(|i| {
            let members = index.members(i);
            Some(ClusterMeans { cluster: i, size: members.len(), x: mean(members, x)?, y: mean(members, y)? })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rows::{analyse, imported};

    /// 120 conversations in two topics; the cooking ones are mostly in
    /// French and carry `flagged = yes`.
    fn analysis() -> Analysis {
        let mut rows = Vec::new();
        for i in 0..120 {
            let (text, flagged) = if i % 2 == 0 {
                if i % 6 == 0 {
                    ("Comment préparer une bonne soupe à l'oignon gratinée pour le dîner de ce soir ?", "yes")
                } else {
                    ("Comment faire cuire des pâtes fraîches maison avec une sauce tomate et du basilic ?", "yes")
                }
            } else {
                ("Please help me fix this Python function that raises a KeyError when reading the config file", "no")
            };
            rows.push(serde_json::json!({"id": format!("c{i}"), "account_id": format!("u{i}"), "flagged": flagged, "score": (i % 5).to_string(),
                "messages": [{"role": "user", "content": text}]}));
        }
        analyse(imported(&rows), 1)
    }

    #[test]
    fn the_dimensions_come_from_the_answers_and_columns() {
        let a = analysis();
        let (categorical, numeric) = dimensions(&a);
        assert!(categorical.contains(&Dimension::DetectedLanguage));
        assert!(categorical.contains(&Dimension::Column("flagged".into())));
        assert!(!categorical.contains(&Dimension::Answer("concern".into())), "a scale is no category");
        assert!(numeric.contains(&Dimension::Answer("concern".into())));
        assert!(numeric.contains(&Dimension::Column("flagged".into())), "yes/no is a share");
        assert!(numeric.contains(&Dimension::Column("score".into())));
        assert!(!numeric.contains(&Dimension::Answer("request".into())));
        assert_eq!(values(&a, &Dimension::DetectedLanguage)[0].1, 60);
    }

    /// The first look opens on dimensions that vary: a column with one
    /// value, or a language answer everyone shares, is passed over.
    #[test]
    fn the_first_look_passes_over_what_does_not_vary() {
        let a = analysis();
        let index = ClusterIndex::new(&a);
        let (categorical, numeric) = dimensions(&a);
        let look = first_look(&a, &index, &categorical, &numeric);
        // Cooking and code raise no concern: across is a measure of the
        // conversations instead, not one of the dataset's columns.
        assert!(variance_between_clusters(&a, &index, &Dimension::Answer("concern".into())).is_none());
        assert!(!matches!(numeric[look.across], Dimension::Column(_) | Dimension::Answer(_)), "{:?}", numeric[look.across]);
        // "flagged" follows the topics, so the clusters explain all of it;
        // "score" cycles through every topic alike.
        assert_eq!(numeric[look.up], Dimension::Column("flagged".into()));
        assert!(values(&a, &categorical[look.category]).len() >= 2, "{:?}", categorical[look.category]);

        // Three topics in English; "same" holds one value, "rare" differs in
        // two conversations (fewer than the aggregation minimum of ten),
        // "length" follows the topics.
        let rows = |with_length: bool| {
            let mut rows = Vec::new();
            for i in 0..60 {
                let text = match i % 3 {
                    0 => "How do I bake sourdough bread with a crisp crust at home",
                    1 => "What pranks can I play on my roommate with a pen and some tape",
                    _ => "Please help me fix the unit test that keeps failing in my parser when the input is empty",
                };
                let mut row = serde_json::json!({"id": format!("c{i}"), "account_id": format!("u{i}"), "same": "1",
                    "rare": if i < 2 { "5" } else { "0" }, "messages": [{"role": "user", "content": text}]});
                if with_length {
                    row["length"] = (i % 3 * 10).to_string().into();
                }
                rows.push(row);
            }
            analyse(imported(&rows), 1)
        };
        let a = rows(true);
        let index = ClusterIndex::new(&a);
        let (categorical, numeric) = dimensions(&a);
        assert!(numeric.contains(&Dimension::Column("rare".into())) && categorical.contains(&Dimension::Column("rare".into())));
        let look = first_look(&a, &index, &categorical, &numeric);
        assert_eq!(numeric[look.across], Dimension::Answer("concern".into()), "pranks raise the concern of a third");
        assert_eq!(numeric[look.up], Dimension::Column("length".into()), "a column of one value is no axis");
        // Every conversation is in English: the language is passed over for
        // a dimension whose second value ten or more conversations hold.
        let opened = &categorical[look.category];
        assert!(values(&a, opened).get(1).is_some_and(|(_, n)| *n >= 10), "{opened:?}");
        assert!(![Dimension::DetectedLanguage, Dimension::Answer("language".into())].contains(opened), "{opened:?}");
        let a = rows(false);
        let index = ClusterIndex::new(&a);
        let (categorical, numeric) = dimensions(&a);
        let look = first_look(&a, &index, &categorical, &numeric);
        assert!(!matches!(numeric[look.up], Dimension::Column(_)), "two differing values are too few: {:?}", numeric[look.up]);
        assert!(![Dimension::Column("rare".into()), Dimension::Column("same".into())].contains(&categorical[look.category]));
        // Numbers near the largest a float holds give a share, not infinities over infinities.
        let mut huge = rows(true);
        for (k, c) in huge.conversations.iter_mut().enumerate() {
            c.facets.meta.insert("huge".into(), format!("{}e307", k % 3 + 1));
        }
        let explained = variance_between_clusters(&huge, &ClusterIndex::new(&huge), &Dimension::Column("huge".into()));
        assert!(explained.is_some_and(|r| (0.0..=1.0 + 1e-9).contains(&r)), "{explained:?}");
    }

    #[test]
    fn french_is_over_represented_in_the_cooking_clusters_and_under_in_the_others() {
        let a = analysis();
        let index = ClusterIndex::new(&a);
        let table = prevalence(&a, &index, &Dimension::DetectedLanguage, "French", 0, 1);
        assert_eq!((table.matching, table.counted), (60, 120));
        assert!((table.base_rate - 0.5).abs() < 1e-9);
        assert!(!table.over.is_empty() && !table.under.is_empty());
        for row in &table.over {
            assert!((row.ratio - 2.0).abs() < 1e-9, "an all-French cluster is twice the base rate: {row:?}");
            assert!(row.low > 0.5);
        }
        assert!(table.under.iter().all(|r| r.matching == 0 && r.high < 0.5));
        // Every cluster is one way or the other, so their sizes add up to the whole.
        assert_eq!(table.over.iter().chain(&table.under).map(|r| r.counted).sum::<usize>(), 120);
        // A value no one has gives no rows rather than a division by zero.
        let none = prevalence(&a, &index, &Dimension::DetectedLanguage, "Japanese", 0, 1);
        assert!(none.over.is_empty() && none.under.is_empty());
        // Small clusters are left out.
        let big = prevalence(&a, &index, &Dimension::DetectedLanguage, "French", 0, 1000);
        assert!(big.over.is_empty() && big.under.is_empty() && big.too_small > 0);
    }

    #[test]
    fn cluster_means_separate_flagged_from_unflagged() {
        let a = analysis();
        let index = ClusterIndex::new(&a);
        let points = means(&a, &index, &Dimension::Answer("concern".into()), &Dimension::Column("flagged".into()), 0, 1);
        assert_eq!(points.iter().map(|p| p.size).sum::<usize>(), 120);
        for p in &points {
            assert!(p.y == 0.0 || p.y == 1.0, "each topic is all flagged or none: {p:?}");
            assert!((1.0..=5.0).contains(&p.x));
        }
        assert!(points.iter().any(|p| p.y == 1.0) && points.iter().any(|p| p.y == 0.0));
    }
}
