//! The compact JSON text of a stored object at rest, with its server fields cut out.
//!
//! Every stored object carries a `uid`, a `resourceVersion` and a `creationTimestamp` the
//! store gave it: over 110 bytes of text on a ConfigMap whose own text may be shorter. At rest
//! each is held as a number (16 bytes of uuid, a u64, seconds since the epoch) beside the
//! text, with the offset it was cut from, and put back when the text is read. The text read
//! back is byte-for-byte the text that was cut, so nothing outside can tell.
//!
//! Layout of the one allocation: a byte of flags, then per cut field (in [`CUTS`] order) its
//! offset in the cut text (u32) and its value, then the cut JSON text.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};

/// The members cut out, in the order their offsets are stored; each is cut only where its
/// value reads back to the very same text.
const CUTS: [Cut; 3] = [Cut::Uid, Cut::ResourceVersion, Cut::CreationTimestamp];

#[derive(Debug, Clone, Copy)]
enum Cut {
    Uid,
    ResourceVersion,
    CreationTimestamp,
}

const TIMESTAMP: &str = "%Y-%m-%dT%H:%M:%SZ";

impl Cut {
    fn key(self) -> &'static str {
        match self {
            Cut::Uid => "uid",
            Cut::ResourceVersion => "resourceVersion",
            Cut::CreationTimestamp => "creationTimestamp",
        }
    }

    /// Bytes the value takes at rest.
    fn size(self) -> usize {
        match self {
            Cut::Uid => 16,
            Cut::ResourceVersion | Cut::CreationTimestamp => 8,
        }
    }

    /// The value as held at rest, when it prints back exactly as `text`.
    fn pack(self, text: &str) -> Option<Vec<u8>> {
        let packed = match self {
            Cut::Uid => uuid::Uuid::parse_str(text).ok()?.as_bytes().to_vec(),
            Cut::ResourceVersion => text.parse::<u64>().ok()?.to_le_bytes().to_vec(),
            Cut::CreationTimestamp => NaiveDateTime::parse_from_str(text, TIMESTAMP)
                .ok()?
                .and_utc()
                .timestamp()
                .to_le_bytes()
                .to_vec(),
        };
        (self.unpack(&packed).as_deref() == Some(text)).then_some(packed)
    }

    fn unpack(self, bytes: &[u8]) -> Option<String> {
        match self {
            Cut::Uid => Some(uuid::Uuid::from_slice(bytes).ok()?.to_string()),
            Cut::ResourceVersion => Some(u64::from_le_bytes(bytes.try_into().ok()?).to_string()),
            Cut::CreationTimestamp => {
                let secs = i64::from_le_bytes(bytes.try_into().ok()?);
                let at: DateTime<Utc> = DateTime::from_timestamp(secs, 0)?;
                Some(at.format(TIMESTAMP).to_string())
            }
        }
    }

    /// The member as it stands in the compact text, after the member before it.
    fn member(self, value: &str) -> String {
        format!(",\"{}\":\"{value}\"", self.key())
    }
}

/// A field cut from the text: which, its offset in the text as cut so far, its packed value.
type Piece<'a> = (Cut, usize, &'a [u8]);

/// A stored object's compact JSON text at rest (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestText(Arc<[u8]>);

impl From<String> for RestText {
    /// The text as it is, nothing cut.
    fn from(text: String) -> Self {
        let mut buf = Vec::with_capacity(1 + text.len());
        buf.push(0);
        buf.extend_from_slice(text.as_bytes());
        RestText(buf.into())
    }
}

impl From<&str> for RestText {
    fn from(text: &str) -> Self {
        RestText::from(text.to_string())
    }
}

impl RestText {
    /// `text` with each server field of `metadata` (the object's own, as strings) cut out
    /// where it reads back exactly.
    pub fn cut(text: &str, metadata: &serde_json::Map<String, serde_json::Value>) -> RestText {
        let mut cut = text.to_string();
        let mut flags = 0u8;
        let mut header = Vec::with_capacity(1 + CUTS.len() * 20);
        header.push(0);
        // Cut last to first in the text would keep earlier offsets; instead each offset is
        // taken in the text as cut so far, and put back in reverse order.
        for (i, field) in CUTS.into_iter().enumerate() {
            let Some(value) = metadata.get(field.key()).and_then(|v| v.as_str()) else {
                continue;
            };
            let Some(packed) = field.pack(value) else {
                continue;
            };
            let member = field.member(value);
            let Some(at) = cut.find(&member) else {
                continue;
            };
            let Ok(offset) = u32::try_from(at) else {
                continue;
            };
            cut.replace_range(at..at + member.len(), "");
            flags |= 1 << i;
            header.extend_from_slice(&offset.to_le_bytes());
            header.extend_from_slice(&packed);
        }
        header[0] = flags;
        let mut buf = Vec::with_capacity(header.len() + cut.len());
        buf.extend_from_slice(&header);
        buf.extend_from_slice(cut.as_bytes());
        RestText(buf.into())
    }

    /// Each cut field, in cut order; and where the cut text starts.
    fn cuts(&self) -> (Vec<Piece<'_>>, usize) {
        let flags = self.0[0];
        let mut at = 1;
        let mut cuts = Vec::new();
        for (i, field) in CUTS.into_iter().enumerate() {
            if flags & (1 << i) == 0 {
                continue;
            }
            let offset = u32::from_le_bytes(self.0[at..at + 4].try_into().expect("4 bytes"));
            let value = &self.0[at + 4..at + 4 + field.size()];
            cuts.push((field, offset as usize, value));
            at += 4 + field.size();
        }
        (cuts, at)
    }

    /// The cut JSON text.
    fn body(&self) -> &str {
        let (_, start) = self.cuts();
        std::str::from_utf8(&self.0[start..]).expect("rest text holds the UTF-8 text it was given")
    }

    /// The object's compact JSON text, whole again.
    pub fn text(&self) -> Cow<'_, str> {
        let (cuts, start) = self.cuts();
        let body = std::str::from_utf8(&self.0[start..])
            .expect("rest text holds the UTF-8 text it was given");
        if cuts.is_empty() {
            return Cow::Borrowed(body);
        }
        let mut text = body.to_string();
        // Each offset was taken after the cuts before it: put back last to first.
        for (field, offset, value) in cuts.into_iter().rev() {
            let value = field
                .unpack(value)
                .expect("packed from a value that reads back");
            text.insert_str(offset, &field.member(&value));
        }
        Cow::Owned(text)
    }

    /// The length of the text at rest (the cut text: what the object holds in memory).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the text is empty (never, for a stored object).
    pub fn is_empty(&self) -> bool {
        self.body().is_empty()
    }

    /// Whether the object's text contains `needle`, which names no cut member (the cut
    /// members are quoted server fields, put back whole).
    pub fn contains_key(&self, needle: &str) -> bool {
        self.body().contains(needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn cut_of(object: &Value) -> RestText {
        let text = serde_json::to_string(object).unwrap();
        RestText::cut(&text, object["metadata"].as_object().unwrap())
    }

    #[test]
    fn server_fields_are_cut_and_read_back_byte_for_byte() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
            "name": "c", "namespace": "ns", "uid": "ca6279a8-5d9a-5ffb-87ea-d45cab110aa9",
            "resourceVersion": "18446744073709551615", "generation": 2,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "ownerReferences": [{"uid": "ca6279a8-5d9a-5ffb-87ea-d45cab110aa9", "name": "o"}]},
            "data": {"k": "\"uid\":\"x\""}});
        let text = serde_json::to_string(&object).unwrap();
        let rest = cut_of(&object);
        assert_eq!(rest.text(), text);
        assert_eq!(rest.0[0], 0b111, "all three cut");
        // 16 + 8 + 8 bytes, three offsets and the flags for the members' 111 bytes and more.
        assert!(
            rest.len() + 70 < text.len(),
            "{} against {}",
            rest.len(),
            text.len()
        );
    }

    #[test]
    fn fields_that_would_not_read_back_stay_in_the_text() {
        for (uid, rv, at) in [
            (
                "CA6279A8-5D9A-5FFB-87EA-D45CAB110AA9",
                "0100",
                "2026-01-01T00:00:00.5Z",
            ),
            ("not-a-uuid", "-1", "2026-01-01T00:00:00+01:00"),
            (
                "ca6279a85d9a5ffb87ead45cab110aa9",
                "18446744073709551616",
                "yesterday",
            ),
        ] {
            let object = json!({"metadata": {"name": "c", "uid": uid, "resourceVersion": rv,
                "creationTimestamp": at}});
            let rest = cut_of(&object);
            assert_eq!(rest.0[0], 0, "{uid} {rv} {at}");
            assert_eq!(rest.text(), serde_json::to_string(&object).unwrap());
        }
        // Absent, not strings, or first in their object (no member before to follow).
        for object in [
            json!({"metadata": {"name": "c"}}),
            json!({"metadata": {"name": "c", "resourceVersion": 7, "uid": null}}),
            json!({"metadata": {"resourceVersion": "7"}}),
        ] {
            let rest = cut_of(&object);
            assert_eq!(rest.0[0], 0, "{object}");
            assert_eq!(rest.text(), serde_json::to_string(&object).unwrap());
        }
    }

    #[test]
    fn some_fields_cut_and_others_kept_read_back_in_place() {
        let object = json!({"metadata": {"name": "a", "uid": "x",
            "resourceVersion": "101", "creationTimestamp": "1970-01-01T00:00:00Z",
            "labels": {"resourceVersion": "101"}}});
        let rest = cut_of(&object);
        assert_eq!(rest.0[0], 0b110);
        assert_eq!(rest.text(), serde_json::to_string(&object).unwrap());
        assert!(rest.contains_key("\"labels\""));
        assert!(!rest.contains_key("\"managedFields\""));
        let plain = RestText::from("{\"a\":1}");
        assert_eq!(plain.text(), "{\"a\":1}");
        assert!(matches!(plain.text(), Cow::Borrowed(_)));
    }
}
