//! Typed links between communities: the relations (sibling, parent, child, partner,
//! superseded-by), the inverse a linked community confirms a link with, who may set links, and
//! the one structural rule (no community is its own ancestor through parent/child links).

use super::communities::{text_enum, Role};
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// At most this many links a community declares; a received Group's beyond it are ignored.
pub const MAX_LINKS: usize = 50;

/// What the linked community is to the community that links to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// A community of the same kind (the data stewards of another university).
    Sibling,
    /// The network this community is a chapter of.
    Parent,
    /// One of this community's chapters.
    Child,
    /// A community this one works with.
    Partner,
    /// The community that carries on this one's work.
    SupersededBy,
}

text_enum!(Relation {
    Sibling = "sibling",
    Parent = "parent",
    Child = "child",
    Partner = "partner",
    SupersededBy = "superseded-by"
});

impl Relation {
    pub const ALL: [Relation; 5] = [
        Relation::Sibling,
        Relation::Parent,
        Relation::Child,
        Relation::Partner,
        Relation::SupersededBy,
    ];

    /// The relation the linked community declares back to confirm this one: parent ↔ child,
    /// sibling ↔ sibling, partner ↔ partner. Superseded-by has none: it is what a community says
    /// of itself (it sends its own readers elsewhere and claims nothing of the other), so it
    /// needs no confirmation and is shown as declared.
    pub fn inverse(self) -> Option<Relation> {
        match self {
            Relation::Sibling => Some(Relation::Sibling),
            Relation::Parent => Some(Relation::Child),
            Relation::Child => Some(Relation::Parent),
            Relation::Partner => Some(Relation::Partner),
            Relation::SupersededBy => None,
        }
    }

    /// The heading of a group of links on a community's page, and a profile field's name.
    pub fn label(self) -> &'static str {
        match self {
            Relation::Sibling => "Sibling communities",
            Relation::Parent => "Part of",
            Relation::Child => "Chapters",
            Relation::Partner => "Partners",
            Relation::SupersededBy => "Superseded by",
        }
    }

    /// A relation typed in a form or sent in JSON; anything else is 400 on `field`.
    pub fn parse_field(field: &str, text: &str) -> Result<Relation> {
        Relation::parse(text.trim()).ok_or_else(|| {
            Error::invalid_field(
                field,
                "one of sibling, parent, child, partner, superseded-by",
            )
        })
    }
}

/// Whether the other side agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// The linked community declares the inverse link.
    Confirmed,
    /// It does not (or not yet, as far as this instance knows).
    OneSided,
    /// Superseded-by: needs no confirmation.
    Declared,
}

/// How a link stands given what the linked community declares back to the linking one.
pub fn standing(relation: Relation, back: Option<Relation>) -> Standing {
    match relation.inverse() {
        None => Standing::Declared,
        Some(inverse) if back == Some(inverse) => Standing::Confirmed,
        Some(_) => Standing::OneSided,
    }
}

/// Only a community's owners set its links and move it (they speak for the community to others).
pub fn may_link(role: Option<Role>) -> Result<()> {
    match role {
        Some(Role::Owner) => Ok(()),
        _ => Err(Error::new(
            ErrorKind::Forbidden,
            "not_an_owner",
            "only the community's owners may change its links or move it",
        )),
    }
}

/// A declared link, between community row ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub from: i64,
    pub relation: Relation,
    pub to: i64,
}

impl Link {
    /// The (parent, child) edge a parent or child link states.
    fn parent_edge(self) -> Option<(i64, i64)> {
        match self.relation {
            Relation::Parent => Some((self.to, self.from)),
            Relation::Child => Some((self.from, self.to)),
            _ => None,
        }
    }
}

/// Checks a new link against the links known here (local ones and remote Groups' declared ones):
/// not to itself, not a second link to the same community, and no parent/child cycle.
pub fn check_new(new: Link, known: &[Link]) -> Result<()> {
    if new.from == new.to {
        return Err(Error::new(
            ErrorKind::Unprocessable,
            "link_to_itself",
            "a community cannot link to itself",
        ));
    }
    if known.iter().any(|l| l.from == new.from && l.to == new.to) {
        return Err(Error::new(
            ErrorKind::Conflict,
            "already_linked",
            "the community already links to that one: remove that link first",
        ));
    }
    let Some((parent, child)) = new.parent_edge() else {
        return Ok(());
    };
    let mut children: HashMap<i64, HashSet<i64>> = HashMap::new();
    for (p, c) in known.iter().filter_map(|l| l.parent_edge()) {
        children.entry(p).or_default().insert(c);
    }
    // A cycle: the new parent is already below the new child.
    let mut seen = HashSet::from([child]);
    let mut stack = vec![child];
    while let Some(at) = stack.pop() {
        if at == parent {
            return Err(Error::new(
                ErrorKind::Unprocessable,
                "link_cycle",
                "that link would make a community its own parent (through parent and child links)",
            ));
        }
        for next in children.get(&at).into_iter().flatten() {
            if seen.insert(*next) {
                stack.push(*next);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn link(from: i64, relation: Relation, to: i64) -> Link {
        Link { from, relation, to }
    }

    #[test]
    fn inverse_links_confirm() {
        assert_eq!(
            standing(Relation::Parent, Some(Relation::Child)),
            Standing::Confirmed
        );
        assert_eq!(
            standing(Relation::Parent, Some(Relation::Parent)),
            Standing::OneSided
        );
        assert_eq!(standing(Relation::Sibling, None), Standing::OneSided);
        assert_eq!(standing(Relation::SupersededBy, None), Standing::Declared);
    }

    #[test]
    fn cycles_through_either_side_are_refused() {
        // 1 is 2's parent (declared by 2), 2 is 3's parent (declared by 2 as child 3).
        let known = [link(2, Relation::Parent, 1), link(2, Relation::Child, 3)];
        let e = check_new(link(1, Relation::Parent, 3), &known).unwrap_err();
        assert_eq!(e.code, "link_cycle");
        let e = check_new(link(3, Relation::Child, 1), &known).unwrap_err();
        assert_eq!(e.code, "link_cycle");
        assert!(check_new(link(4, Relation::Parent, 3), &known).is_ok());
        assert!(check_new(link(3, Relation::Sibling, 1), &known).is_ok());
    }

    #[test]
    fn self_and_duplicates_are_refused() {
        let known = [link(1, Relation::Sibling, 2)];
        assert_eq!(
            check_new(link(1, Relation::Partner, 1), &known)
                .unwrap_err()
                .code,
            "link_to_itself"
        );
        assert_eq!(
            check_new(link(1, Relation::Partner, 2), &known)
                .unwrap_err()
                .code,
            "already_linked"
        );
    }

    #[test]
    fn relations_read_as_written() {
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
        }
        assert!(Relation::parse_field("relation", "cousin").is_err());
    }
}
