//! Sidecar-backed tasks: submitted to seictl with the plan's task id, then polled
//! (fire-and-forget tasks complete as soon as the submission is accepted).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    decode_params, ExecutionConfig, ExecutionStatus, SidecarParams, TaskBase, TaskError,
    TaskExecution,
};
use crate::env::Env;
use crate::resources::go_quote;
use crate::sidecar::{SidecarError, TaskRequest, TaskState, Via};

/// One sidecar task with typed params `P`.
#[derive(Debug)]
pub struct SidecarTask<P> {
    id: String,
    params: P,
    base: TaskBase,
    /// The client URL once built (Go caches the client per execution).
    client: Option<String>,
}

/// Rebuilds a sidecar task from its stored params.
pub fn task<P>(id: &str, params: Option<&Value>) -> Result<Box<dyn TaskExecution>, String>
where
    P: SidecarParams + DeserializeOwned + Default + 'static,
{
    let params: P =
        decode_params(params).map_err(|e| format!("deserializing params for task {id}: {e}"))?;
    Ok(Box::new(SidecarTask {
        id: id.to_string(),
        params,
        base: TaskBase::default(),
        client: None,
    }))
}

impl<P: SidecarParams> SidecarTask<P> {
    /// Builds (once) the sidecar client for the configured URL.
    fn ensure_client(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<String, String> {
        if let Some(url) = &self.client {
            return Ok(url.clone());
        }
        let url = cfg.sidecar.clone()?;
        env.sidecars.build_client(&url)?;
        self.client = Some(url.clone());
        Ok(url)
    }

    /// The task id as google/uuid parses it (`uuid.Parse`), in the canonical
    /// lowercase hyphenated form the sidecar is sent.
    fn parsed_id(&self) -> Result<String, String> {
        go_uuid_parse(&self.id)
            .map(|id| id.hyphenated().to_string())
            .map_err(|e| format!("invalid task UUID {}: {e}", go_quote(&self.id)))
    }
}

/// google/uuid v1.6.0 `Parse`: the hyphenated form, its `urn:uuid:` (any case)
/// and braced forms (the braces are not checked: the first byte is dropped and
/// the last ignored), and 32 hex digits; lengths are bytes. Error texts are Go's.
pub fn go_uuid_parse(s: &str) -> Result<uuid::Uuid, String> {
    const FORMAT: &str = "invalid UUID format";
    let bytes = s.as_bytes();
    let hex = |i: usize| -> Option<u8> {
        let digit = |b: u8| char::from(b).to_digit(16);
        Some((digit(bytes[i])? * 16 + digit(bytes[i + 1])?) as u8)
    };
    let mut out = [0u8; 16];
    let start = match bytes.len() {
        36 => 0,
        45 => {
            if !bytes[..9].eq_ignore_ascii_case(b"urn:uuid:") {
                return Err(format!(
                    "invalid urn prefix: {}",
                    go_quote_bytes(&bytes[..9])
                ));
            }
            9
        }
        38 => 1,
        32 => {
            for (i, b) in out.iter_mut().enumerate() {
                *b = hex(i * 2).ok_or(FORMAT)?;
            }
            return Ok(uuid::Uuid::from_bytes(out));
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    if [8, 13, 18, 23].iter().any(|&i| bytes[start + i] != b'-') {
        return Err(FORMAT.into());
    }
    let offsets = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    for (b, x) in out.iter_mut().zip(offsets) {
        *b = hex(start + x).ok_or(FORMAT)?;
    }
    Ok(uuid::Uuid::from_bytes(out))
}

/// Go's `%q` of a byte string: valid UTF-8 as `strconv.Quote` writes it, other
/// bytes as `\xNN`.
fn go_quote_bytes(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let quoted = go_quote(chunk.valid());
        out.push_str(&quoted[1..quoted.len() - 1]);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

impl<P: SidecarParams> TaskExecution for SidecarTask<P> {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let url = self
            .ensure_client(env, cfg)
            .map_err(|e| format!("building sidecar client: {e}"))?;
        let id = self.parsed_id()?;
        let request = TaskRequest {
            id: Some(id),
            task_type: P::TASK_TYPE.to_string(),
            params: self.params.request_params(),
        };
        if let Err(err) = env.sidecars.submit_task(Via::Client, &url, &request) {
            let message = format!("submitting {}: {}", P::TASK_TYPE, err);
            self.base.fail(message.clone());
            return Err(TaskError::Transient(message));
        }
        self.base.status = if P::FIRE_AND_FORGET {
            ExecutionStatus::Complete
        } else {
            ExecutionStatus::Running
        };
        Ok(())
    }

    fn status(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let Ok(url) = self.ensure_client(env, cfg) else {
            return ExecutionStatus::Running;
        };
        let id = match self.parsed_id() {
            Ok(id) => id,
            Err(e) => {
                self.base.fail(e);
                return self.base.status;
            }
        };
        match env.sidecars.get_task(Via::Client, &url, &id) {
            Err(SidecarError::NotFound) => ExecutionStatus::Running,
            Err(_) => self.base.status,
            Ok(TaskState::Completed) => {
                self.base.complete();
                self.base.status
            }
            Ok(TaskState::Failed(message)) => {
                let message = if message.is_empty() {
                    format!("task {} failed with unknown error", self.id)
                } else {
                    message
                };
                self.base.fail(message);
                self.base.status
            }
            Ok(TaskState::Running) => self.base.status,
        }
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

#[cfg(test)]
mod uuid_tests {
    use super::go_uuid_parse;

    /// google/uuid v1.6.0 `Parse`: accepted forms, canonical output, Go's error texts.
    #[test]
    fn parse_follows_google_uuid() {
        let canonical = "b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b";
        for form in [
            "B7E89C3A-4F12-4D8B-9A6E-1C2D3E4F5A6B",
            "urn:UUID:b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b",
            "{b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b}",
            "xb7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6by",
            "b7e89c3a4f124d8b9a6e1c2d3e4f5a6b",
        ] {
            let id = go_uuid_parse(form).unwrap_or_else(|e| panic!("{form}: {e}"));
            assert_eq!(id.hyphenated().to_string(), canonical);
        }
        assert_eq!(go_uuid_parse("abc").unwrap_err(), "invalid UUID length: 3");
        assert_eq!(
            go_uuid_parse("b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6g").unwrap_err(),
            "invalid UUID format"
        );
        assert_eq!(
            go_uuid_parse("b7e89c3a_4f12-4d8b-9a6e-1c2d3e4f5a6b").unwrap_err(),
            "invalid UUID format"
        );
        assert_eq!(
            go_uuid_parse("urn:uuix:b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b").unwrap_err(),
            "invalid urn prefix: \"urn:uuix:\""
        );
        // Lengths are bytes, as Go's len(s).
        assert_eq!(go_uuid_parse("é").unwrap_err(), "invalid UUID length: 2");
    }
}
