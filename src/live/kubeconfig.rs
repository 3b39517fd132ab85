//! The kubeconfig, read with the kubectl conventions: `--kubeconfig`, else `$KUBECONFIG`
//! (a list of files merged as kubectl merges them), else `~/.kube/config`; and the checks of
//! the chosen user's credentials that must hold before anything is sent.

use kube::config::Kubeconfig;

use super::secrets::kubeconfig_error;

/// The kubeconfig of `--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`.
pub(super) fn load_kubeconfig(path: Option<&std::path::Path>) -> Result<Kubeconfig, String> {
    match path {
        Some(path) => Kubeconfig::read_from(path).map_err(|e| {
            format!(
                "reading kubeconfig {}: {}",
                path.display(),
                kubeconfig_error(&e)
            )
        }),
        None => match merged_env_kubeconfig()? {
            Some(config) => Ok(config),
            None => Kubeconfig::read()
                .map_err(|e| format!("reading ~/.kube/config: {}", kubeconfig_error(&e))),
        },
    }
}

/// `$KUBECONFIG` as kubectl reads it: a list of files (`:`-separated), merged with the
/// first file winning for each cluster, user, context and the current context; empty
/// entries and files that do not exist are skipped. `None`: unset or empty (then
/// `~/.kube/config` is read); an error when it names files and none of them exists.
fn merged_env_kubeconfig() -> Result<Option<Kubeconfig>, String> {
    let Some(value) = std::env::var_os("KUBECONFIG") else {
        return Ok(None);
    };
    let paths: Vec<std::path::PathBuf> = std::env::split_paths(&value)
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    if paths.is_empty() {
        return Ok(None);
    }
    let mut merged: Option<Kubeconfig> = None;
    for path in &paths {
        if !path.exists() {
            continue;
        }
        let config = Kubeconfig::read_from(path).map_err(|e| {
            format!(
                "reading kubeconfig {} (from $KUBECONFIG): {}",
                path.display(),
                kubeconfig_error(&e)
            )
        })?;
        merged = Some(match merged {
            None => config,
            Some(first) => first.merge(config).map_err(|e| {
                format!(
                    "merging kubeconfig {} (from $KUBECONFIG): {}",
                    path.display(),
                    kubeconfig_error(&e)
                )
            })?,
        });
    }
    match merged {
        Some(config) => Ok(Some(config)),
        None => Err(format!(
            "reading $KUBECONFIG: none of its files exists ({})",
            value.to_string_lossy()
        )),
    }
}

/// Refuses the chosen context's credentials before connecting when they can never be
/// sent: a bearer token with a newline or another character not allowed in an HTTP
/// header (the HTTP stack would panic on it). A kubeconfig that cannot be read is left
/// for [`Cluster::connect`] to report.
pub fn check_credentials(
    path: Option<&std::path::Path>,
    context: Option<&str>,
) -> Result<(), String> {
    let Ok(kubeconfig) = load_kubeconfig(path) else {
        return Ok(());
    };
    let Some(context) = context
        .map(str::to_string)
        .or_else(|| kubeconfig.current_context.clone())
    else {
        return Ok(());
    };
    let user = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .and_then(|c| c.user.clone());
    let auth = kubeconfig
        .auth_infos
        .iter()
        .find(|a| Some(&a.name) == user.as_ref())
        .and_then(|a| a.auth_info.as_ref());
    match auth {
        Some(auth) => check_token(&context, auth),
        None => Ok(()),
    }
}

/// client-go reads a `tokenFile` once and trims surrounding white space (a file written
/// with `echo` ends in a newline); the token is then used like an inline one.
pub(super) fn read_token_file(auth: &mut kube::config::AuthInfo) -> Result<(), String> {
    if auth.token.is_some() {
        return Ok(());
    }
    let Some(file) = auth.token_file.take() else {
        return Ok(());
    };
    let text =
        std::fs::read_to_string(&file).map_err(|e| format!("reading tokenFile {file}: {e}"))?;
    auth.token = Some(text.trim().to_string().into());
    Ok(())
}

pub(super) fn check_token(context: &str, auth: &kube::config::AuthInfo) -> Result<(), String> {
    use secrecy::ExposeSecret;
    let Some(token) = &auth.token else {
        return Ok(());
    };
    if http::HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).is_err() {
        return Err(format!(
            "kubeconfig context {context:?}: the user's token contains a newline or another character not allowed in an HTTP header"
        ));
    }
    Ok(())
}
