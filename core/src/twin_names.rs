//! Names a reader can tell apart: clusters of one level that an analyst
//! gave one name get a second answer each, asked against the others. Used
//! for base clusters (`pipeline.rs`) and for each level of parents
//! (`hierarchy.rs`), with any analyst.

use std::collections::BTreeMap;

use crate::analyst::{ClusterLabel, NamedAlike};
use crate::PipelineError;

/// The groups of labels (two or more each, by index) that carry one name,
/// letters' case and a plural's final "s" aside. A level's clusters get one
/// more chance at names of their own when the first answers collide: a map
/// with three clusters called "Play", or "Event" beside "Events", tells a
/// reader nothing about which is which.
fn same_name_groups(labels: &[ClusterLabel]) -> Vec<Vec<usize>> {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, label) in labels.iter().enumerate() {
        by_name.entry(name_key(&label.name)).or_default().push(i);
    }
    by_name.into_values().filter(|group| group.len() > 1).collect()
}

/// A name as [`same_name_groups`] compares names.
pub(crate) fn name_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().map(|w| if w.chars().count() > 3 { w.strip_suffix('s').unwrap_or(w) } else { w }).collect();
    words.join(" ")
}

/// Names again, by `name_again(i, twins, alike)`, each label of a group
/// that shares one name, one after another, telling each what the others of
/// the level are called now ([`NamedAlike`]), and keeps a new name only
/// when no other label has it: a second answer must not trade one collision
/// for another. The twins not yet named again still hold the shared name,
/// so all but the last are asked for another; the last may keep it.
pub(crate) async fn rename_twins<F: AsyncFnMut(usize, &[usize], NamedAlike) -> Result<ClusterLabel, PipelineError>>(
    labels: &mut [ClusterLabel],
    mut name_again: F,
) -> Result<(), PipelineError> {
    for twins in same_name_groups(labels) {
        for &i in &twins {
            let taken = labels.iter().enumerate().filter(|&(j, _)| j != i).map(|(_, other)| other.name.clone()).take(NamedAlike::MOST_TAKEN).collect();
            let alike = NamedAlike { shared: labels[i].name.clone(), taken };
            let label = name_again(i, &twins, alike).await?;
            let key = name_key(&label.name);
            if labels.iter().enumerate().all(|(j, other)| j == i || name_key(&other.name) != key) {
                labels[i] = label;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_sharing_a_name_are_grouped_whatever_its_case_or_number() {
        let label = |name: &str| ClusterLabel { name: name.into(), summary: String::new() };
        let labels = [label("Play"), label("Set an alarm"), label("play "), label("Weather"), label("PLAY"), label("Weathers"), label("Bus"), label("Bu")];
        assert_eq!(same_name_groups(&labels), vec![vec![0, 2, 4], vec![3, 5]]);
        assert!(same_name_groups(&labels[..2]).is_empty());
    }

    #[test]
    fn twins_are_named_again_one_by_one_without_taking_another_clusters_name() {
        let label = |name: &str| ClusterLabel { name: name.into(), summary: String::new() };
        let mut labels = vec![label("Play"), label("Play"), label("Song"), label("Other"), label("Other")];
        let answers = ["Play music", "Song", "", "Other", "Radio"];
        let mut asked = Vec::new();
        futures::executor::block_on(rename_twins(&mut labels, async |i: usize, twins: &[usize], alike: NamedAlike| {
            asked.push((i, twins.to_vec(), alike));
            Ok(label(answers[i]))
        }))
        .unwrap();
        let alike = |shared: &str, taken: &[&str]| NamedAlike { shared: shared.into(), taken: taken.iter().map(|t| t.to_string()).collect() };
        assert_eq!(
            asked,
            [
                (3, vec![3, 4], alike("Other", &["Play", "Play", "Song", "Other"])),
                // The first twin was renamed "Other", which its twin still
                // held: it kept the name, and the second is told so.
                (4, vec![3, 4], alike("Other", &["Play", "Play", "Song", "Other"])),
                (0, vec![0, 1], alike("Play", &["Play", "Song", "Other", "Radio"])),
                (1, vec![0, 1], alike("Play", &["Play music", "Song", "Other", "Radio"])),
            ]
        );
        let names: Vec<&str> = labels.iter().map(|l| l.name.as_str()).collect();
        // "Song" is another cluster's name: the second twin keeps its first.
        assert_eq!(names, ["Play music", "Play", "Song", "Other", "Radio"]);
    }
}
