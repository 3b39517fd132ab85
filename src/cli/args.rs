//! The flag groups shared by several commands, one definition per flag: the connection
//! flags of every command that reads a cluster (`plan`, `apply`, `explain`,
//! `validate --against-cluster`, with the kubectl conventions), the world and view flags
//! of `plan` and `apply`, and the tokio runtime of the live commands.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::world_flags;
use crate::engine::plan::TargetRef;
use crate::env::parse_go_duration;
use crate::env::Clock;
use crate::live::request;
use crate::live::select::{parse_target, select_targets};
use crate::live::sidecar::SidecarRoute;
use crate::live::{Cluster, ConnectOptions, LabelSelector, RetryPolicy, Scope};
use crate::platform::Platform;
use crate::render::changes::IgnorePath;
use crate::render::plan_text::{Style, ViewOptions};
use crate::world::compact::InputObject;

/// The one rule for file and cluster mode, in the `--help` of `plan`, `explain` and
/// `validate`.
pub const FILE_OR_CLUSTER: &str = "\
Files or cluster:
  With -f, the inputs are the files (or stdin) and no kubeconfig is read, even with
  $KUBECONFIG set; -n, -l and KIND/NAME choose among the files' objects exactly as they
  choose among a cluster's. Without -f, the objects are read from the cluster of
  --kubeconfig, $KUBECONFIG or ~/.kube/config. Only `plan -f` with an explicit
  --kubeconfig or --context reads that cluster and puts the files over its objects.
  A KIND/NAME that is a file (or ends in .yaml, .yml or .json) is refused with a hint
  to use -f.";

/// Checks a target argument: a file given where a target goes gets a hint to use `-f`
/// (exit 2); everything else must parse as `KIND/NAME` or `KIND/NAMESPACE/NAME`.
pub fn target_arg(text: &str) -> Result<(), String> {
    let path = std::path::Path::new(text);
    let manifest_like = [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| text.to_ascii_lowercase().ends_with(ext));
    let parsed = parse_target(text);
    if path.exists() || (parsed.is_err() && manifest_like) {
        let what = if path.is_dir() {
            "a directory"
        } else {
            "a file"
        };
        return Err(format!(
            "{text:?} is {what}, not a target; did you mean -f {text}?"
        ));
    }
    parsed.map(|_| ())
}

/// kubectl's message when the scope and selector match nothing; exit 0.
pub fn no_resources_found(scope: &Scope, err: &mut dyn std::io::Write) -> u8 {
    let _ = match scope {
        Scope::Namespace(ns) => writeln!(err, "No resources found in {ns} namespace."),
        Scope::AllNamespaces => writeln!(err, "No resources found"),
    };
    super::error::Done::Ok.exit_code()
}

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
        crate::live::kubeconfig::check_credentials(
            self.kubeconfig.as_deref(),
            self.kube_context.as_deref(),
        )?;
        RetryPolicy::checked(
            duration("--request-timeout", &self.request_timeout)?,
            self.retries,
            duration("--retry-backoff", &self.retry_backoff).unwrap_or(Duration::from_millis(250)),
        )
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
#[derive(Debug, Clone, Args, Default)]
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

    /// Checks `-n`, the named targets and the `-f` objects as the API server would check their
    /// names, before anything is sent: a name never changes which path a request goes to.
    pub fn check_names(&self, names: &[String], objects: &[Value]) -> Result<(), String> {
        if let Some(ns) = &self.namespace {
            request::check_namespace("--namespace", ns).map_err(|e| e.to_string())?;
        }
        for name in names {
            target_arg(name)?;
        }
        for object in objects {
            request::check_object(object).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The scope of `-f` files: `-n NS`, else every namespace (there is no context).
    pub fn file_scope(&self) -> Scope {
        match &self.namespace {
            Some(ns) if !self.all_namespaces => Scope::Namespace(ns.clone()),
            _ => Scope::AllNamespaces,
        }
    }

    /// The `-l` selector, parsed.
    pub fn label_selector(&self) -> Result<LabelSelector, String> {
        LabelSelector::parse(self.selector.as_deref().unwrap_or(""))
    }

    /// The targets among the objects of `-f` files: `names` (KIND/NAME arguments), `-n`
    /// and `-l`, chosen exactly as on a cluster ([`select_targets`]).
    pub fn file_targets(
        &self,
        names: &[String],
        objects: &[impl InputObject],
    ) -> Result<Vec<TargetRef>, String> {
        self.check_names(names, &[])?;
        select_targets(objects, names, &self.file_scope(), &self.label_selector()?)
    }

    /// The scope, with the context's default namespace checked like `-n`.
    pub fn checked_scope(&self, cluster: &Cluster) -> Result<Scope, String> {
        let scope = self.scope(cluster);
        if let Scope::Namespace(ns) = &scope {
            request::check_namespace("the context's namespace", ns).map_err(|e| e.to_string())?;
        }
        Ok(scope)
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

/// The flags of `plan --base`.
#[derive(Debug, Clone, Default, Args)]
pub struct BaseArgs {
    /// Plan only what the -f manifests change against these (files, directories with -R,
    /// repeatable), settled first: the fleet as it runs today.
    #[arg(long = "base", value_name = "FILE|DIR", conflicts_with = "base_git")]
    pub base: Vec<PathBuf>,
    /// Like --base, with the -f paths as they are at git revision REV (e.g. origin/main).
    #[arg(long = "base-git", value_name = "REV")]
    pub base_git: Option<String>,
    /// With --base/--base-git: keep objects that are only in the base instead of deleting them.
    #[arg(long)]
    pub no_prune: bool,
}

impl BaseArgs {
    /// Whether a base was given.
    pub fn wanted(&self) -> bool {
        !self.base.is_empty() || self.base_git.is_some()
    }
}

/// Colours when stdout is a terminal, unless `--no-color` or `NO_COLOR` is set.
pub fn use_color(no_color: bool) -> bool {
    use std::io::IsTerminal;
    !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Output formats of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Tables and diffs for a person.
    Text,
    /// The trace document (the `simulate` schema plus `formatVersion`).
    Json,
    /// The same document as YAML.
    Yaml,
    /// Markdown for a pull-request comment (tables and fenced diffs).
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DnsBehaviour {
    Resolvable,
    Unresolvable,
}

/// What the in-memory reconcile assumes about the world that no cluster read shows: the
/// clock, the plan-id stream, per-host DNS answers and the operator's platform settings.
/// Shared by `plan`, `apply` and `explain` (whose `--dns` defaults differ: [`DnsArgs`]).
#[derive(Debug, Clone, Args)]
pub struct WorldArgs {
    /// The fixed wall clock (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Seed of the plan-id stream; the same seed gives the same ids.
    #[arg(long, default_value = "0")]
    pub seed: String,
    /// Per-host DNS override, `HOST=true|false` (repeatable).
    #[arg(long = "dns-host", value_name = "HOST=BOOL")]
    pub dns_hosts: Vec<String>,
    /// Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`).
    #[arg(long = "platform", value_name = "NAME=VALUE")]
    pub platform: Vec<String>,
    /// Read platform settings from the operator's environment variables (`SEI_NODEPOOL_NAME`,
    /// `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides.
    #[arg(long)]
    pub platform_env: bool,
}

/// [`WorldArgs`], parsed.
pub struct World {
    pub clock: Clock,
    pub dns_hosts: BTreeMap<String, bool>,
    pub platform: Platform,
}

impl WorldArgs {
    /// Parses the flags; the error names the flag's bad value.
    pub fn parse(&self) -> Result<World, String> {
        Ok(World {
            clock: world_flags::clock(self.now.as_deref())?,
            dns_hosts: world_flags::dns_hosts(&self.dns_hosts)?,
            platform: world_flags::platform(&self.platform, self.platform_env)?,
        })
    }
}

/// How route host names resolve in a plan. Shared by `plan` and `apply`.
#[derive(Debug, Clone, Copy, Args)]
pub struct DnsArgs {
    /// How route host names resolve for the deployment DNS gate.
    #[arg(long, value_enum, default_value_t = DnsBehaviour::Resolvable)]
    pub dns: DnsBehaviour,
}

/// How a plan is shown. Shared by `plan` and `apply` (which shows the plan before sending it).
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,
    /// Lines of context around diff hunks.
    #[arg(
        short = 'C',
        long = "diff-context",
        default_value_t = 3,
        value_name = "N"
    )]
    pub context: usize,
    /// A path-level change list instead of unified diffs.
    #[arg(long)]
    pub compact: bool,
    /// Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable).
    #[arg(long = "ignore-path", value_name = "PATH")]
    pub ignore_paths: Vec<String>,
    /// No ANSI colours (also off with NO_COLOR or when stdout is not a terminal).
    #[arg(long)]
    pub no_color: bool,
}

impl ViewArgs {
    /// The `--ignore-path` values, parsed.
    pub fn ignore(&self) -> Result<Vec<IgnorePath>, String> {
        self.ignore_paths
            .iter()
            .map(|t| IgnorePath::parse(t))
            .collect()
    }

    /// The options of the text and markdown renderers.
    pub fn view(&self, style: Style, ignore: &[IgnorePath], applying: bool) -> ViewOptions {
        ViewOptions {
            style,
            context: self.context,
            color: use_color(self.no_color),
            compact: self.compact,
            ignore: ignore.to_vec(),
            applying,
        }
    }
}

/// The confirmation flag of every command that sends writes (`apply`, `plan --apply`).
#[derive(Debug, Clone, Copy, Args, Default)]
pub struct ConfirmArgs {
    /// Apply without asking for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
}
