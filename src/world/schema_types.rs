//! The table types of the server-side-apply schema: what the generated built-in table
//! (`ssa_schema.rs`) is written in and what `schema.rs` resolves places against.

/// Index of a type in the table; [`DEDUCED`] for a deduced place.
pub type TypeId = u16;

/// A place whose shape follows its value (granular maps, atomic lists).
pub const DEDUCED: TypeId = u16::MAX;

/// How a list merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    /// Replaced whole, owned as one field.
    Atomic,
    /// Scalars merged as a set, each owned by value (`v:`).
    Set,
    /// Items merged by these key fields (`k:{...}`).
    Map(&'static [&'static str]),
}

/// A struct field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its json name.
    pub name: &'static str,
    pub ty: TypeId,
    /// The OpenAPI default as JSON text (used for list-map keys, as SMD does).
    pub default: Option<&'static str>,
}

/// The shape of a type.
#[derive(Debug, Clone, Copy)]
pub enum TypeKind {
    Scalar,
    Struct {
        atomic: bool,
        fields: &'static [Field],
    },
    Map {
        elem: TypeId,
        atomic: bool,
    },
    List {
        elem: TypeId,
        list: ListType,
    },
}

/// One table entry.
#[derive(Debug, Clone, Copy)]
pub struct TypeDef(pub TypeKind);

/// The type of a kind's objects.
#[derive(Debug, Clone, Copy)]
pub struct Root {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub ty: TypeId,
}
