//! The shape of the generated encoding table (`generated.rs`): one [`GoStruct`]
//! per Go struct the operator's types reach, its fields in declaration order with
//! their JSON names, omit rules, resolved Go types and structured-merge markers.
//!
//! The table is data only; `encode.rs` interprets it. Its shape is shared with the
//! server-side-apply code, so fields are only ever added.

/// A Go struct type.
#[derive(Debug)]
pub struct GoStruct {
    /// The Go type as `reflect` names it, e.g. `v1.Container`.
    pub name: &'static str,
    /// The Go import path of its package.
    pub package: &'static str,
    /// The `+structType` marker on the type (`atomic` or `granular`).
    pub struct_type: Option<&'static str>,
    /// Encoded fields in declaration order (embedded structs without a JSON name
    /// flattened in place, as `encoding/json` promotes their fields).
    pub fields: &'static [Field],
}

impl GoStruct {
    /// The field with this JSON name.
    pub fn field(&self, json: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.json == json)
    }
}

/// When `encoding/json` leaves a field out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Omit {
    /// Always written.
    Never,
    /// `omitempty`: false, 0, "", nil pointer, empty slice or map (never a struct).
    Empty,
    /// `omitzero`: the zero value (a type's own `IsZero` where it has one).
    Zero,
    /// `omitempty,omitzero`: either rule.
    EmptyOrZero,
}

/// A field's Go type, resolved through named types (`type Protocol string` is
/// [`Ty::String`], `ResourceList` is a map of [`Ty::Quantity`]).
#[derive(Debug)]
pub enum Ty {
    Bool,
    Int32,
    Int64,
    Uint16,
    Uint32,
    Uint64,
    Float64,
    String,
    /// `[]byte`: base64 text.
    Bytes,
    /// `metav1.Time`: RFC 3339 UTC, whole seconds; zero is `null`.
    Time,
    /// `metav1.MicroTime`: RFC 3339 UTC with microseconds; zero is `null`.
    MicroTime,
    /// `metav1.Duration`: Go's `time.Duration` text (`20m0s`).
    Duration,
    /// `resource.Quantity`: canonical text.
    Quantity,
    /// `intstr.IntOrString`: an int32 or a string.
    IntOrString,
    /// Raw JSON kept as written (`runtime.RawExtension`, `apiextensionsv1.JSON`, `FieldsV1`).
    Raw,
    Struct(&'static GoStruct),
    Ptr(&'static Ty),
    Slice(&'static Ty),
    /// A map with string keys.
    Map(&'static Ty),
}

/// One encoded struct field.
#[derive(Debug)]
pub struct Field {
    /// The JSON name.
    pub json: &'static str,
    /// The Go type as `reflect` names it, e.g. `[]v1.Container`, `*int32`.
    pub go: &'static str,
    pub omit: Omit,
    pub ty: Ty,
    /// `+listType`: `atomic`, `set` or `map`.
    pub list_type: Option<&'static str>,
    /// `+listMapKey` markers, in order.
    pub list_map_keys: &'static [&'static str],
    /// `+mapType`: `atomic` or `granular`.
    pub map_type: Option<&'static str>,
    /// `+structType` on the field: `atomic` or `granular`.
    pub struct_type: Option<&'static str>,
    /// The `patchStrategy` tag (`merge`, `retainKeys`, `merge,retainKeys`).
    pub patch_strategy: Option<&'static str>,
    /// The `patchMergeKey` tag.
    pub patch_merge_key: Option<&'static str>,
}

impl Field {
    pub const fn new(json: &'static str, go: &'static str, omit: Omit, ty: Ty) -> Field {
        Field {
            json,
            go,
            omit,
            ty,
            list_type: None,
            list_map_keys: &[],
            map_type: None,
            struct_type: None,
            patch_strategy: None,
            patch_merge_key: None,
        }
    }

    pub const fn list_type(mut self, list_type: &'static str) -> Field {
        self.list_type = Some(list_type);
        self
    }

    pub const fn list_map_keys(mut self, keys: &'static [&'static str]) -> Field {
        self.list_map_keys = keys;
        self
    }

    pub const fn map_type(mut self, map_type: &'static str) -> Field {
        self.map_type = Some(map_type);
        self
    }

    pub const fn struct_type(mut self, struct_type: &'static str) -> Field {
        self.struct_type = Some(struct_type);
        self
    }

    pub const fn patch_strategy(mut self, strategy: &'static str) -> Field {
        self.patch_strategy = Some(strategy);
        self
    }

    pub const fn patch_merge_key(mut self, key: &'static str) -> Field {
        self.patch_merge_key = Some(key);
        self
    }
}
