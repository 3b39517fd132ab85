# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nodectl_global_optspecs
    string join \n v/verbose h/help V/version
end

function __fish_nodectl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nodectl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nodectl_using_subcommand
    set -l cmd (__fish_nodectl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nodectl -n "__fish_nodectl_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_needs_command" -s h -l help -d 'Print help'
complete -c nodectl -n "__fish_nodectl_needs_command" -s V -l version -d 'Print version'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "plan" -d 'Show what the operator would do with these manifests (a dry run; writes nothing)'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "apply" -d 'Reconcile once against a live cluster and send the writes (plan, then apply)'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "explain" -d 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "simulate" -d 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "validate" -d 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "man" -d 'Print the man page (roff), or write every page with --dir'
complete -c nodectl -n "__fish_nodectl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s f -l filename -d 'Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l validate -d 'How the input is checked before planning, as `nodectl validate` checks it (kubectl\'s names): `strict` stops on any error with exit 2, `warn` prints the diagnostics and plans anyway, `ignore` skips the checks' -r -f -a "strict\t'Invalid input stops the plan: the diagnostics, then exit 2 (kubectl\'s default)'
warn\t'Print the diagnostics and plan anyway (unknown fields are dropped, as the API server\'s default field validation does)'
ignore\t'Plan without validating; only unreadable input stops it'"
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l target -d 'Only reconcile these objects (the same as the positional KIND/NAME arguments)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and diffs for a person'
json\t'The trace document (the `simulate` schema plus `formatVersion`)'
yaml\t'The same document as YAML'
markdown\t'Markdown for a pull-request comment (tables and fenced diffs)'"
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s C -l diff-context -d 'Lines of context around diff hunks' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l ignore-path -d 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l now -d 'The fixed wall clock (RFC 3339); default: now' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l seed -d 'Seed of the plan-id stream; the same seed gives the same ids' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l dns-host -d 'Per-host DNS override, `HOST=true|false` (repeatable)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l platform -d 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l dns -d 'How route host names resolve for the deployment DNS gate' -r -f -a "resolvable\t''
unresolvable\t''"
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l sidecar -d 'How node sidecars answer task polls (default: `running`; on a cluster: `live`)' -r -f -a "running\t'Tasks are accepted and still running (what one real reconcile sees)'
completed\t'Every task completes (and Jobs the plan creates run to completion)'
failed\t'Every task fails'
model\t'The scripted model with its defaults (tasks keep running); live mode only'
live\t'Ask the real sidecars, read-only (the default in live mode)'"
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l sidecar-script -d 'A sidecar script (the `sidecar` section format of the parity fixtures; YAML or JSON)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l reconciles -d 'Number of reconciles of each target, one after the other' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l served-kind -d 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l missing-kind -d 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l max-reconciles -d 'The reconcile limit for --until-settled' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l out -d 'Save the plan (writes, sidecar submissions, and the resourceVersion of every object read) to FILE' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l request-timeout -d 'Time allowed for one request (Go duration, e.g. 30s)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l retries -d 'Retries after a 5xx answer or a timeout' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l retry-backoff -d 'Delay before the first retry, doubled for each further one' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s n -l namespace -d 'Namespace to read and plan (default: the context\'s namespace)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s l -l selector -d 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l sidecar-url -d 'Send sidecar requests to this base URL instead of through the API server\'s pod proxy' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l base -d 'Plan only what the -f manifests change against these (files, directories with -R, repeatable), settled first: the fleet as it runs today' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l base-git -d 'Like --base, with the -f paths as they are at git revision REV (e.g. origin/main)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s R -l recursive -d 'Recurse into directories'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l compact -d 'A path-level change list instead of unified diffs'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l no-color -d 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l platform-env -d 'Read platform settings from the operator\'s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l detailed-exitcode -d 'Exit 0 when nothing would change and 3 when changes are pending'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l cascade -d 'Also plan every SeiNode a SeiNodeDeployment creates: the whole tree a manifest turns into'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l until-settled -d 'Keep reconciling until each target settles (no writes, steady requeue), stalls or loops'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s A -l all-namespaces -d 'Read and plan every namespace'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l server-dry-run -d 'Verify owned objects with a server-side dry run (needs the write verbs; nothing is stored)'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l apply -d 'Send the writes after planning (same as `nodectl apply`)'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s y -l yes -d 'Apply without asking for confirmation'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -l no-prune -d 'With --base/--base-git: keep objects that are only in the base instead of deleting them'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s f -l filename -d 'Refused: apply takes no manifests (apply them with kubectl first)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l request-timeout -d 'Time allowed for one request (Go duration, e.g. 30s)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l retries -d 'Retries after a 5xx answer or a timeout' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l retry-backoff -d 'Delay before the first retry, doubled for each further one' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s n -l namespace -d 'Namespace to read and plan (default: the context\'s namespace)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s l -l selector -d 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l sidecar-url -d 'Send sidecar requests to this base URL instead of through the API server\'s pod proxy' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s o -l output -d 'Output format' -r -f -a "text\t'Tables and diffs for a person'
json\t'The trace document (the `simulate` schema plus `formatVersion`)'
yaml\t'The same document as YAML'
markdown\t'Markdown for a pull-request comment (tables and fenced diffs)'"
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s C -l diff-context -d 'Lines of context around diff hunks' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l ignore-path -d 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l now -d 'The fixed wall clock (RFC 3339); default: now' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l seed -d 'Seed of the plan-id stream; the same seed gives the same ids' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l dns-host -d 'Per-host DNS override, `HOST=true|false` (repeatable)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l platform -d 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l dns -d 'How route host names resolve for the deployment DNS gate' -r -f -a "resolvable\t''
unresolvable\t''"
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s A -l all-namespaces -d 'Read and plan every namespace'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s y -l yes -d 'Apply without asking for confirmation'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l compact -d 'A path-level change list instead of unified diffs'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l no-color -d 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -l platform-env -d 'Read platform settings from the operator\'s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand apply" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s f -l filename -d 'Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l target -d 'The object to explain when the input holds several (same as the positional argument)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s o -l output -d 'Output format' -r -f -a "text\t'A readable report'
json\t'The report as JSON (`formatVersion: 1`)'
markdown\t'Tables and lists for an incident ticket or a pull-request comment'"
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l now -d 'The fixed wall clock (RFC 3339); default: now' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l seed -d 'Seed of the plan-id stream; the same seed gives the same ids' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l dns-host -d 'Per-host DNS override, `HOST=true|false` (repeatable)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l platform -d 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l sidecar -d 'How node sidecars answer in the next reconcile (default: `running`; on a cluster: `live`, the current task\'s real answer). The eventual run assumes completed' -r -f -a "running\t'Tasks are accepted and still running (what one real reconcile sees)'
completed\t'Every task completes (and Jobs the plan creates run to completion)'
failed\t'Every task fails'
model\t'The scripted model with its defaults (tasks keep running); live mode only'
live\t'Ask the real sidecars, read-only (the default in live mode)'"
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l sidecar-script -d 'A sidecar script for the next reconcile (the `sidecar` section format of the parity fixtures)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l dns -d 'How route host names resolve in memory' -r -f -a "observed\t'Route hosts resolve unless the target\'s RouteReady condition says DNSPending'
resolvable\t''
unresolvable\t''"
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l served-kind -d 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l missing-kind -d 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l max-reconciles -d 'The reconcile limit of the run to the eventual state' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l request-timeout -d 'Time allowed for one request (Go duration, e.g. 30s)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l retries -d 'Retries after a 5xx answer or a timeout' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l retry-backoff -d 'Delay before the first retry, doubled for each further one' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s n -l namespace -d 'Namespace to read and plan (default: the context\'s namespace)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s l -l selector -d 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l sidecar-url -d 'Send sidecar requests to this base URL instead of through the API server\'s pod proxy' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s R -l recursive -d 'Recurse into directories'
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -l platform-env -d 'Read platform settings from the operator\'s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s A -l all-namespaces -d 'Read and plan every namespace'
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -s o -l output -d 'Output format' -r -f -a "text\t'A readable account of each reconcile'
json\t'The trace document of PARITY.md §3'"
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -l bench -d 'Run the fixture N times in-process on fresh copies of the world and print timing as JSON' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -l reconciles -d 'Override the scenario\'s number of reconciles' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -l max-reconciles -d 'The reconcile limit for --until-settled' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -l until-settled -d 'Keep reconciling until the target settles, stalls or loops (exit 1 unless it settles)'
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -s f -l filename -d 'File, directory or `-` (stdin) to validate; repeatable' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''
junit\t''
sarif\t''
github\t''"
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l against -d 'Old objects (FILE|DIR) for transition rules (`oldSelf`), matched by kind/namespace/name' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l context -d 'The kubeconfig context to use (default: the current context)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l request-timeout -d 'Time allowed for one request (Go duration, e.g. 30s)' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l retries -d 'Retries after a 5xx answer or a timeout' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l retry-backoff -d 'Delay before the first retry, doubled for each further one' -r
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -s R -l recursive -d 'Recurse into subdirectories of directory arguments'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l allow-unknown-fields -d 'Accept fields the CRD schema does not define (the API server would drop them)'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l strict-kinds -d 'Fail on documents that are not SeiNode / SeiNodeDeployment instead of skipping them'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l against-cluster -d 'Read the old objects from the cluster instead: one GET per SeiNode / SeiNodeDeployment of the input (documents without a namespace are looked up in the context\'s namespace)'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -l no-color -d 'No ANSI colours in the text report (also off with NO_COLOR or when stdout is not a terminal)'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand validate" -s h -l help -d 'Print help'
complete -c nodectl -n "__fish_nodectl_using_subcommand completions" -l dir -d 'Write the scripts for every shell into DIR instead of printing one' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand completions" -s h -l help -d 'Print help'
complete -c nodectl -n "__fish_nodectl_using_subcommand man" -l dir -d 'Write a page for the command and each subcommand into DIR instead of printing nodectl(1)' -r -F
complete -c nodectl -n "__fish_nodectl_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c nodectl -n "__fish_nodectl_using_subcommand man" -s h -l help -d 'Print help'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "plan" -d 'Show what the operator would do with these manifests (a dry run; writes nothing)'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "apply" -d 'Reconcile once against a live cluster and send the writes (plan, then apply)'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "explain" -d 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "simulate" -d 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "validate" -d 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "completions" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "man" -d 'Print the man page (roff), or write every page with --dir'
complete -c nodectl -n "__fish_nodectl_using_subcommand help; and not __fish_seen_subcommand_from plan apply explain simulate validate completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
