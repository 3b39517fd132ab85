//! Error texts that never carry credentials. A kubeconfig holds bearer tokens, client
//! keys, passwords and exec-plugin command lines; kube's own errors echo the YAML
//! around a parse error and an exec plugin's command, environment and output, so those
//! are replaced by a location or a fixed sentence.

use kube::client::AuthError;
use kube::config::KubeconfigError;

/// What went wrong with a kubeconfig, without its text.
pub fn kubeconfig_error(e: &KubeconfigError) -> String {
    match e {
        KubeconfigError::Parse(inner) => match inner.location() {
            Some(at) => format!(
                "not valid kubeconfig YAML at line {}, column {} (the file's text is not shown: it may hold credentials)",
                at.line(),
                at.column()
            ),
            None => "not valid kubeconfig YAML (the file's text is not shown: it may hold credentials)".into(),
        },
        other => other.to_string(),
    }
}

/// The text of a client error, with any credential plugin's details left out.
pub fn client_error(e: &kube::Error) -> String {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(auth) = err.downcast_ref::<AuthError>() {
            return auth_error(auth);
        }
        if err.downcast_ref::<KubeconfigError>().is_some() {
            return "the kubeconfig could not be used (details are not shown: they may hold credentials)".into();
        }
        source = err.source();
    }
    e.to_string()
}

fn auth_error(e: &AuthError) -> String {
    match e {
        AuthError::AuthExecRun { out, .. } => format!(
            "the kubeconfig's exec credential plugin failed with {} (its command line, environment and output are not shown: they may hold credentials)",
            out.status
        ),
        AuthError::AuthExecStart(io) => format!(
            "the kubeconfig's exec credential plugin could not be started: {}",
            io.kind()
        ),
        _ => "authentication failed (details are not shown: they may hold credentials)".into(),
    }
}
