
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nodectl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nodectl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nodectl' {
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what the operator would do with these manifests (a dry run; writes nothing)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Reconcile once against a live cluster and send the writes (plan, then apply)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page with --dir')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nodectl;plan' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects')
            [CompletionResult]::new('--validate', '--validate', [CompletionResultType]::ParameterName, 'How the input is checked before planning, as `nodectl validate` checks it (kubectl''s names): `strict` stops on any error with exit 2, `warn` prints the diagnostics and plans anyway, `ignore` skips the checks')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only reconcile these objects (the same as the positional KIND/NAME arguments)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Lines of context around diff hunks')
            [CompletionResult]::new('--diff-context', '--diff-context', [CompletionResultType]::ParameterName, 'Lines of context around diff hunks')
            [CompletionResult]::new('--ignore-path', '--ignore-path', [CompletionResultType]::ParameterName, 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The fixed wall clock (RFC 3339); default: now')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the plan-id stream; the same seed gives the same ids')
            [CompletionResult]::new('--dns-host', '--dns-host', [CompletionResultType]::ParameterName, 'Per-host DNS override, `HOST=true|false` (repeatable)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'How route host names resolve for the deployment DNS gate')
            [CompletionResult]::new('--sidecar', '--sidecar', [CompletionResultType]::ParameterName, 'How node sidecars answer task polls (default: `running`; on a cluster: `live`)')
            [CompletionResult]::new('--sidecar-script', '--sidecar-script', [CompletionResultType]::ParameterName, 'A sidecar script (the `sidecar` section format of the parity fixtures; YAML or JSON)')
            [CompletionResult]::new('--reconciles', '--reconciles', [CompletionResultType]::ParameterName, 'Number of reconciles of each target, one after the other')
            [CompletionResult]::new('--served-kind', '--served-kind', [CompletionResultType]::ParameterName, 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)')
            [CompletionResult]::new('--missing-kind', '--missing-kind', [CompletionResultType]::ParameterName, 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides')
            [CompletionResult]::new('--max-reconciles', '--max-reconciles', [CompletionResultType]::ParameterName, 'The reconcile limit for --until-settled')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Save the plan (writes, sidecar submissions, and the resourceVersion of every object read) to FILE')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request (Go duration, e.g. 30s)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a 5xx answer or a timeout')
            [CompletionResult]::new('--retry-backoff', '--retry-backoff', [CompletionResultType]::ParameterName, 'Delay before the first retry, doubled for each further one')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--sidecar-url', '--sidecar-url', [CompletionResultType]::ParameterName, 'Send sidecar requests to this base URL instead of through the API server''s pod proxy')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Plan only what the -f manifests change against these (files, directories with -R, repeatable), settled first: the fleet as it runs today')
            [CompletionResult]::new('--base-git', '--base-git', [CompletionResultType]::ParameterName, 'Like --base, with the -f paths as they are at git revision REV (e.g. origin/main)')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Recurse into directories')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Recurse into directories')
            [CompletionResult]::new('--compact', '--compact', [CompletionResultType]::ParameterName, 'A path-level change list instead of unified diffs')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)')
            [CompletionResult]::new('--platform-env', '--platform-env', [CompletionResultType]::ParameterName, 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides')
            [CompletionResult]::new('--detailed-exitcode', '--detailed-exitcode', [CompletionResultType]::ParameterName, 'Exit 0 when nothing would change and 3 when changes are pending')
            [CompletionResult]::new('--cascade', '--cascade', [CompletionResultType]::ParameterName, 'Also plan every SeiNode a SeiNodeDeployment creates: the whole tree a manifest turns into')
            [CompletionResult]::new('--until-settled', '--until-settled', [CompletionResultType]::ParameterName, 'Keep reconciling until each target settles (no writes, steady requeue), stalls or loops')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('--server-dry-run', '--server-dry-run', [CompletionResultType]::ParameterName, 'Verify owned objects with a server-side dry run (needs the write verbs; nothing is stored)')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Send the writes after planning (same as `nodectl apply`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Apply without asking for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Apply without asking for confirmation')
            [CompletionResult]::new('--no-prune', '--no-prune', [CompletionResultType]::ParameterName, 'With --base/--base-git: keep objects that are only in the base instead of deleting them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nodectl;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Refused: apply takes no manifests (apply them with kubectl first)')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Refused: apply takes no manifests (apply them with kubectl first)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request (Go duration, e.g. 30s)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a 5xx answer or a timeout')
            [CompletionResult]::new('--retry-backoff', '--retry-backoff', [CompletionResultType]::ParameterName, 'Delay before the first retry, doubled for each further one')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--sidecar-url', '--sidecar-url', [CompletionResultType]::ParameterName, 'Send sidecar requests to this base URL instead of through the API server''s pod proxy')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Lines of context around diff hunks')
            [CompletionResult]::new('--diff-context', '--diff-context', [CompletionResultType]::ParameterName, 'Lines of context around diff hunks')
            [CompletionResult]::new('--ignore-path', '--ignore-path', [CompletionResultType]::ParameterName, 'Leave a path out of diffs, counts and the exit code, e.g. `metadata.annotations["a/b"]` (repeatable)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The fixed wall clock (RFC 3339); default: now')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the plan-id stream; the same seed gives the same ids')
            [CompletionResult]::new('--dns-host', '--dns-host', [CompletionResultType]::ParameterName, 'Per-host DNS override, `HOST=true|false` (repeatable)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'How route host names resolve for the deployment DNS gate')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Apply without asking for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Apply without asking for confirmation')
            [CompletionResult]::new('--compact', '--compact', [CompletionResultType]::ParameterName, 'A path-level change list instead of unified diffs')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colours (also off with NO_COLOR or when stdout is not a terminal)')
            [CompletionResult]::new('--platform-env', '--platform-env', [CompletionResultType]::ParameterName, 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nodectl;explain' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The object to explain when the input holds several (same as the positional argument)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The fixed wall clock (RFC 3339); default: now')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the plan-id stream; the same seed gives the same ids')
            [CompletionResult]::new('--dns-host', '--dns-host', [CompletionResultType]::ParameterName, 'Per-host DNS override, `HOST=true|false` (repeatable)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Override a platform setting, `Name=value` (e.g. `SnapshotBucket=my-bucket`)')
            [CompletionResult]::new('--sidecar', '--sidecar', [CompletionResultType]::ParameterName, 'How node sidecars answer in the next reconcile (default: `running`; on a cluster: `live`, the current task''s real answer). The eventual run assumes completed')
            [CompletionResult]::new('--sidecar-script', '--sidecar-script', [CompletionResultType]::ParameterName, 'A sidecar script for the next reconcile (the `sidecar` section format of the parity fixtures)')
            [CompletionResult]::new('--dns', '--dns', [CompletionResultType]::ParameterName, 'How route host names resolve in memory')
            [CompletionResult]::new('--served-kind', '--served-kind', [CompletionResultType]::ParameterName, 'Serve a kind, `group/version/Kind` (kinds present in the input are served; with files, the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind)')
            [CompletionResult]::new('--missing-kind', '--missing-kind', [CompletionResultType]::ParameterName, 'With files: model a cluster without this optional kind (its CRD not installed), e.g. `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor` (repeatable). On a cluster, discovery decides')
            [CompletionResult]::new('--max-reconciles', '--max-reconciles', [CompletionResultType]::ParameterName, 'The reconcile limit of the run to the eventual state')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request (Go duration, e.g. 30s)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a 5xx answer or a timeout')
            [CompletionResult]::new('--retry-backoff', '--retry-backoff', [CompletionResultType]::ParameterName, 'Delay before the first retry, doubled for each further one')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to read and plan (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only plan SeiNodes/SeiNodeDeployments matching this label selector (`k=v,k!=v,k,!k`)')
            [CompletionResult]::new('--sidecar-url', '--sidecar-url', [CompletionResultType]::ParameterName, 'Send sidecar requests to this base URL instead of through the API server''s pod proxy')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Recurse into directories')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Recurse into directories')
            [CompletionResult]::new('--platform-env', '--platform-env', [CompletionResultType]::ParameterName, 'Read platform settings from the operator''s environment variables (`SEI_NODEPOOL_NAME`, `SEI_SNAPSHOT_BUCKET`, …) before the `--platform` overrides')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Read and plan every namespace')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nodectl;simulate' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--bench', '--bench', [CompletionResultType]::ParameterName, 'Run the fixture N times in-process on fresh copies of the world and print timing as JSON')
            [CompletionResult]::new('--reconciles', '--reconciles', [CompletionResultType]::ParameterName, 'Override the scenario''s number of reconciles')
            [CompletionResult]::new('--max-reconciles', '--max-reconciles', [CompletionResultType]::ParameterName, 'The reconcile limit for --until-settled')
            [CompletionResult]::new('--until-settled', '--until-settled', [CompletionResultType]::ParameterName, 'Keep reconciling until the target settles, stalls or loops (exit 1 unless it settles)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nodectl;validate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'File, directory or `-` (stdin) to validate; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'File, directory or `-` (stdin) to validate; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'Old objects (FILE|DIR) for transition rules (`oldSelf`), matched by kind/namespace/name')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: the current context)')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Time allowed for one request (Go duration, e.g. 30s)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a 5xx answer or a timeout')
            [CompletionResult]::new('--retry-backoff', '--retry-backoff', [CompletionResultType]::ParameterName, 'Delay before the first retry, doubled for each further one')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Recurse into subdirectories of directory arguments')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Recurse into subdirectories of directory arguments')
            [CompletionResult]::new('--allow-unknown-fields', '--allow-unknown-fields', [CompletionResultType]::ParameterName, 'Accept fields the CRD schema does not define (the API server would drop them)')
            [CompletionResult]::new('--strict-kinds', '--strict-kinds', [CompletionResultType]::ParameterName, 'Fail on documents that are not SeiNode / SeiNodeDeployment instead of skipping them')
            [CompletionResult]::new('--against-cluster', '--against-cluster', [CompletionResultType]::ParameterName, 'Read the old objects from the cluster instead: one GET per SeiNode / SeiNodeDeployment of the input (documents without a namespace are looked up in the context''s namespace)')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No ANSI colours in the text report (also off with NO_COLOR or when stdout is not a terminal)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nodectl;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the scripts for every shell into DIR instead of printing one')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nodectl;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write a page for the command and each subcommand into DIR instead of printing nodectl(1)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'nodectl;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what the operator would do with these manifests (a dry run; writes nothing)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Reconcile once against a live cluster and send the writes (plan, then apply)')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write every page with --dir')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nodectl;help;plan' {
            break
        }
        'nodectl;help;apply' {
            break
        }
        'nodectl;help;explain' {
            break
        }
        'nodectl;help;simulate' {
            break
        }
        'nodectl;help;validate' {
            break
        }
        'nodectl;help;completions' {
            break
        }
        'nodectl;help;man' {
            break
        }
        'nodectl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
