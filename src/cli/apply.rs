//! The flags of `nodectl apply`: only what the apply path reads. `apply` is the live plan
//! with `--apply` ([`ApplyArgs::plan`]); every plan-only flag (saving, exit-code modes,
//! sidecar models, multi-reconcile runs, file-mode kinds, bases) is left at its default,
//! so the plan that is shown is the plan that is sent.

use std::path::PathBuf;

use clap::Args;

use super::args::{ConfirmArgs, ConnectArgs, DnsArgs, ViewArgs, WorldArgs};
use super::plan::PlanArgs;

/// What `apply --help` says after the flags (the exit-code table follows).
const APPLY_HELP: &str = "\
Cluster only:
  apply reads the objects from the cluster of --kubeconfig, $KUBECONFIG or ~/.kube/config,
  reconciles them once with the real sidecars' answers, shows the plan and, after asking
  (or with --yes), sends exactly its writes. It takes no -f: apply the manifests with
  kubectl first. With PLAN.json (from `nodectl plan --out`) it sends that plan's steps,
  after checking that nothing it read has changed since.";

#[derive(Debug, Args)]
#[command(after_help = APPLY_HELP)]
pub struct ApplyArgs {
    /// Objects to reconcile and write: `seinode/NAME`, `snd/NAME`, `KIND/NS/NAME` (default:
    /// all in scope); or one PLAN.json saved by `plan --out`, sent as it was saved.
    #[arg(value_name = "KIND/NAME|PLAN.json")]
    pub names: Vec<String>,
    /// Refused: apply takes no manifests (apply them with kubectl first).
    #[arg(short = 'f', long = "filename", value_name = "FILE", hide = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
    #[command(flatten)]
    pub view: ViewArgs,
    #[command(flatten)]
    pub world: WorldArgs,
    #[command(flatten)]
    pub dns: DnsArgs,
}

impl ApplyArgs {
    /// The plan `apply` makes and sends: `plan --apply` with these flags and every
    /// plan-only flag at its default.
    pub fn plan(&self) -> PlanArgs {
        let mut plan = PlanArgs::defaults();
        plan.names = self.names.clone();
        plan.files = self.files.clone();
        plan.view = self.view.clone();
        plan.world = self.world.clone();
        plan.dns = self.dns;
        plan.live.connect = self.connect.clone();
        plan.live.confirm = self.confirm;
        plan.live.apply = true;
        plan
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Apply {
        #[command(flatten)]
        args: ApplyArgs,
    }

    #[test]
    fn apply_is_plan_apply_with_its_own_flags_and_plan_defaults() {
        let apply = Apply::parse_from([
            "apply",
            "seinode/a",
            "-n",
            "ns",
            "--yes",
            "--now",
            "2026-01-01T00:00:00Z",
            "-o",
            "json",
        ])
        .args;
        let plan = apply.plan();
        assert!(plan.live.apply && plan.live.confirm.yes);
        assert_eq!(plan.names, ["seinode/a"]);
        assert_eq!(plan.live.connect.namespace.as_deref(), Some("ns"));
        assert_eq!(plan.world.now.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(plan.view.output, crate::cli::args::PlanFormat::Json);
        assert_eq!((plan.reconciles, plan.max_reconciles), (1, 50));
        assert!(plan.sidecar.is_none() && plan.sidecar_script.is_none());
        assert!(!plan.detailed_exitcode && plan.out_file.is_none() && !plan.base.wanted());
        assert_eq!(plan.live.connect.kube.request_timeout, "30s");
    }
}
