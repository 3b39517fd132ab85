//! Fuzz target: bytes as a kubeconfig (several YAML documents are merged, as with a
//! `KUBECONFIG` list), then the client of its current context and of the first contexts it
//! names, built the way every live command builds it. Nothing is sent. File references and
//! credential plugins are dropped first: a fuzz target reads no files and runs no commands.
#![no_main]

use kube::config::Kubeconfig;
use libfuzzer_sys::fuzz_target;
use nodectl::live::{Cluster, RetryPolicy};

/// The kubeconfig without anything that reads a file or runs a program.
fn self_contained(mut config: Kubeconfig) -> Kubeconfig {
    for c in config
        .clusters
        .iter_mut()
        .filter_map(|c| c.cluster.as_mut())
    {
        c.certificate_authority = None;
    }
    for a in config
        .auth_infos
        .iter_mut()
        .filter_map(|a| a.auth_info.as_mut())
    {
        a.token_file = None;
        a.client_certificate = None;
        a.client_key = None;
        a.auth_provider = None;
        a.exec = None;
    }
    config
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Kubeconfig::from_yaml(text) else {
        return;
    };
    let config = self_contained(config);
    let mut contexts: Vec<Option<String>> = vec![None];
    contexts.extend(config.contexts.iter().take(4).map(|c| Some(c.name.clone())));
    // A fresh runtime per input: the client's background task goes with it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for context in contexts {
        let config = config.clone();
        let _ = runtime
            .block_on(Cluster::from_kubeconfig(
                config,
                context,
                RetryPolicy::default(),
            ))
            .map(|cluster| cluster.identity.describe());
    }
});
