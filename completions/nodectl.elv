
use builtin;
use str;

set edit:completion:arg-completer[nodectl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'nodectl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'nodectl'= {
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Show what the operator would do with these manifests (a dry run; writes nothing)'
            cand apply 'Reconcile once against a live cluster and send the writes (plan, then apply)'
            cand explain 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next'
            cand simulate 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace'
            cand validate 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff), or write every page with --dir'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nodectl;plan'= {
            cand -f 'Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects'
            cand --filename 'Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects'
            cand --validate 'How the input is checked before planning, as `nodectl validate` checks it (kubectl''s names): `strict` stops on any error with exit 2, `warn` prints the diagnostics and plans anyway, `ignore` skips the checks'
            cand --target 'Only reconcile these objects (the same as the positional KIND/NAME arguments)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -C 'Lines of context around diff hunks'
            cand --diff-context 'Lines of context around diff hunks'
            cand --ignore-path 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)'
            cand --now 'The fixed wall clock (RFC 3339); default: now'
            cand --seed 'Seed of the plan-id stream; the same seed gives the same ids'
            cand --dns-host 'Per-host DNS override, `HOST=true|false` (repeatable)'
            cand --platform 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)'
            cand --dns 'How route host names resolve for the deployment DNS gate'
            cand --sidecar 'How node sidecars answer task polls (default: `running`; on a cluster: `live`)'
            cand --sidecar-script 'A sidecar script (the `sidecar` section format of the parity fixtures; YAML or JSON)'
            cand --reconciles 'Number of reconciles of each target, one after the other'
            cand --served-kind 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)'
            cand --missing-kind 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides'
            cand --max-reconciles 'The reconcile limit for --until-settled'
            cand --out 'Save the plan (writes, sidecar submissions, and the resourceVersion of every object read) to FILE'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --request-timeout 'Time allowed for one request (Go duration, e.g. 30s)'
            cand --retries 'Retries after a 5xx answer or a timeout'
            cand --retry-backoff 'Delay before the first retry, doubled for each further one'
            cand -n 'Namespace to read and plan (default: the context''s namespace)'
            cand --namespace 'Namespace to read and plan (default: the context''s namespace)'
            cand -l 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --selector 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --sidecar-url 'Send sidecar requests to this base URL instead of through the API server''s pod proxy'
            cand --base 'Plan only what the -f manifests change against these (files, directories with -R, repeatable), settled first: the fleet as it runs today'
            cand --base-git 'Like --base, with the -f paths as they are at git revision REV (e.g. origin/main)'
            cand -R 'Recurse into directories'
            cand --recursive 'Recurse into directories'
            cand --compact 'A path-level change list instead of unified diffs'
            cand --no-color 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)'
            cand --platform-env 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
            cand --detailed-exitcode 'Exit 0 when nothing would change and 3 when changes are pending'
            cand --cascade 'Also plan every SeiNode a SeiNodeDeployment creates: the whole tree a manifest turns into'
            cand --until-settled 'Keep reconciling until each target settles (no writes, steady requeue), stalls or loops'
            cand -A 'Read and plan every namespace'
            cand --all-namespaces 'Read and plan every namespace'
            cand --server-dry-run 'Verify owned objects with a server-side dry run (needs the write verbs; nothing is stored)'
            cand --apply 'Send the writes after planning (same as `nodectl apply`)'
            cand -y 'Apply without asking for confirmation'
            cand --yes 'Apply without asking for confirmation'
            cand --no-prune 'With --base/--base-git: keep objects that are only in the base instead of deleting them'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nodectl;apply'= {
            cand -f 'Refused: apply takes no manifests (apply them with kubectl first)'
            cand --filename 'Refused: apply takes no manifests (apply them with kubectl first)'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --request-timeout 'Time allowed for one request (Go duration, e.g. 30s)'
            cand --retries 'Retries after a 5xx answer or a timeout'
            cand --retry-backoff 'Delay before the first retry, doubled for each further one'
            cand -n 'Namespace to read and plan (default: the context''s namespace)'
            cand --namespace 'Namespace to read and plan (default: the context''s namespace)'
            cand -l 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --selector 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --sidecar-url 'Send sidecar requests to this base URL instead of through the API server''s pod proxy'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -C 'Lines of context around diff hunks'
            cand --diff-context 'Lines of context around diff hunks'
            cand --ignore-path 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)'
            cand --now 'The fixed wall clock (RFC 3339); default: now'
            cand --seed 'Seed of the plan-id stream; the same seed gives the same ids'
            cand --dns-host 'Per-host DNS override, `HOST=true|false` (repeatable)'
            cand --platform 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)'
            cand --dns 'How route host names resolve for the deployment DNS gate'
            cand -A 'Read and plan every namespace'
            cand --all-namespaces 'Read and plan every namespace'
            cand -y 'Apply without asking for confirmation'
            cand --yes 'Apply without asking for confirmation'
            cand --compact 'A path-level change list instead of unified diffs'
            cand --no-color 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)'
            cand --platform-env 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nodectl;explain'= {
            cand -f 'Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state'
            cand --filename 'Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state'
            cand --target 'The object to explain when the input holds several (same as the positional argument)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --now 'The fixed wall clock (RFC 3339); default: now'
            cand --seed 'Seed of the plan-id stream; the same seed gives the same ids'
            cand --dns-host 'Per-host DNS override, `HOST=true|false` (repeatable)'
            cand --platform 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)'
            cand --sidecar 'How node sidecars answer in the next reconcile (default: `running`; on a cluster: `live`, the current task''s real answer). The eventual run assumes completed'
            cand --sidecar-script 'A sidecar script for the next reconcile (the `sidecar` section format of the parity fixtures)'
            cand --dns 'How route host names resolve in memory'
            cand --served-kind 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)'
            cand --missing-kind 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides'
            cand --max-reconciles 'The reconcile limit of the run to the eventual state'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --request-timeout 'Time allowed for one request (Go duration, e.g. 30s)'
            cand --retries 'Retries after a 5xx answer or a timeout'
            cand --retry-backoff 'Delay before the first retry, doubled for each further one'
            cand -n 'Namespace to read and plan (default: the context''s namespace)'
            cand --namespace 'Namespace to read and plan (default: the context''s namespace)'
            cand -l 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --selector 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)'
            cand --sidecar-url 'Send sidecar requests to this base URL instead of through the API server''s pod proxy'
            cand -R 'Recurse into directories'
            cand --recursive 'Recurse into directories'
            cand --platform-env 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
            cand -A 'Read and plan every namespace'
            cand --all-namespaces 'Read and plan every namespace'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nodectl;simulate'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --bench 'Run the fixture N times in-process on fresh copies of the world and print timing as JSON'
            cand --reconciles 'Override the scenario''s number of reconciles'
            cand --max-reconciles 'The reconcile limit for --until-settled'
            cand --until-settled 'Keep reconciling until the target settles, stalls or loops (exit 1 unless it settles)'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nodectl;validate'= {
            cand -f 'File, directory or `-` (stdin) to validate; repeatable'
            cand --filename 'File, directory or `-` (stdin) to validate; repeatable'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --against 'Old objects (FILE|DIR) for transition rules (`oldSelf`), matched by kind/namespace/name'
            cand --kubeconfig 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)'
            cand --context 'The kubeconfig context to use (default: the current context)'
            cand --request-timeout 'Time allowed for one request (Go duration, e.g. 30s)'
            cand --retries 'Retries after a 5xx answer or a timeout'
            cand --retry-backoff 'Delay before the first retry, doubled for each further one'
            cand -R 'Recurse into subdirectories of directory arguments'
            cand --recursive 'Recurse into subdirectories of directory arguments'
            cand --allow-unknown-fields 'Accept fields the CRD schema does not define (the API server would drop them)'
            cand --strict-kinds 'Fail on documents that are not SeiNode / SeiNodeDeployment instead of skipping them'
            cand --against-cluster 'Read the old objects from the cluster instead: one GET per SeiNode / SeiNodeDeployment of the input (documents without a namespace are looked up in the context''s namespace)'
            cand --no-color 'No ANSI colours in the text report (also off with NO_COLOR or when stdout is not a terminal)'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nodectl;completions'= {
            cand --dir 'Write the scripts for every shell into DIR instead of printing one'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nodectl;man'= {
            cand --dir 'Write a page for the command and each subcommand into DIR instead of printing nodectl(1)'
            cand -v 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand --verbose 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'nodectl;help'= {
            cand plan 'Show what the operator would do with these manifests (a dry run; writes nothing)'
            cand apply 'Reconcile once against a live cluster and send the writes (plan, then apply)'
            cand explain 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next'
            cand simulate 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace'
            cand validate 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would'
            cand completions 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand man 'Print the man page (roff), or write every page with --dir'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nodectl;help;plan'= {
        }
        &'nodectl;help;apply'= {
        }
        &'nodectl;help;explain'= {
        }
        &'nodectl;help;simulate'= {
        }
        &'nodectl;help;validate'= {
        }
        &'nodectl;help;completions'= {
        }
        &'nodectl;help;man'= {
        }
        &'nodectl;help;help'= {
        }
    ]
    $completions[$command]
}
