//! Connection flags shared by every command that reads a cluster (`plan`, `apply`,
//! `explain`, `validate --against-cluster`), with the kubectl conventions, and the
//! tokio runtime of the live commands.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::env::parse_go_duration;
use crate::live::sidecar::SidecarRoute;
use crate::live::{Cluster, ConnectOptions, RetryPolicy, Scope};

/// How to reach the API server (kubectl conventions), shared by every command that reads a
/// cluster.
#[derive(Debug, Clone, Args, Default)]
pub struct KubeArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long = "context", value_name = "NAME")]
    pub kube_context: Option<String>,
    /// Time allowed for one request (Go duration, e.g. 30s).
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub request_timeout: String,
    /// Retries after a 5xx answer or a timeout.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub retries: u32,
    /// Delay before the first retry, doubled for each further one.
    #[arg(long, value_name = "DURATION", default_value = "250ms", hide = true)]
    pub retry_backoff: String,
}

impl KubeArgs {
    /// `--kubeconfig` or `--context` given.
    pub fn any(&self) -> bool {
        self.kubeconfig.is_some() || self.kube_context.is_some()
    }

    pub fn retry(&self) -> Result<RetryPolicy, String> {
        let duration = |flag: &str, text: &str| {
            parse_go_duration(text)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| format!("{flag} {text:?}: expected a duration such as 30s or 500ms"))
        };
        Ok(RetryPolicy {
            timeout: duration("--request-timeout", &self.request_timeout)?,
            retries: self.retries,
            backoff: duration("--retry-backoff", &self.retry_backoff)
                .unwrap_or(Duration::from_millis(250)),
        })
    }

    /// Connects with the kubeconfig and context flags.
    pub async fn connect(&self, retry: RetryPolicy) -> Result<Cluster, String> {
        Cluster::connect(&ConnectOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.kube_context.clone(),
            retry,
        })
        .await
    }
}

/// Connection and scope flags, shared by `plan`, `apply` and `explain`.
#[derive(Debug, Args, Default)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub kube: KubeArgs,
    /// Namespace to read and plan (default: the context's namespace).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Read and plan every namespace.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Send sidecar requests to this base URL instead of through the API server's pod proxy.
    #[arg(long, value_name = "URL")]
    pub sidecar_url: Option<String>,
}

impl ConnectArgs {
    /// Any connection flag given.
    pub fn any(&self) -> bool {
        self.kube.any()
            || self.namespace.is_some()
            || self.all_namespaces
            || self.selector.is_some()
            || self.sidecar_url.is_some()
    }

    pub fn retry(&self) -> Result<RetryPolicy, String> {
        self.kube.retry()
    }

    /// Connects with the kubeconfig and context flags.
    pub async fn connect(&self, retry: RetryPolicy) -> Result<Cluster, String> {
        self.kube.connect(retry).await
    }

    /// `-A`, `-n NS`, or the context's namespace.
    pub fn scope(&self, cluster: &Cluster) -> Scope {
        if self.all_namespaces {
            Scope::AllNamespaces
        } else {
            Scope::Namespace(
                self.namespace
                    .clone()
                    .unwrap_or_else(|| cluster.default_namespace.clone()),
            )
        }
    }

    /// Through the pod proxy, or straight to `--sidecar-url`.
    pub fn sidecar_route(
        &self,
        cluster: &Cluster,
        retry: RetryPolicy,
    ) -> Result<SidecarRoute, String> {
        match &self.sidecar_url {
            Some(url) => Cluster::for_url(url, retry).map(SidecarRoute::Direct),
            None => Ok(SidecarRoute::PodProxy(cluster.clone())),
        }
    }
}

/// The tokio runtime of the live commands (two workers).
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))
}
