using Ledger.Bench;

// Entry point: `appends` (issue 2), `marten-appends` and `verify-derived` (issue 11), `rebuild-readmodels` and `asof` (issue 4). See Cli.Usage.
return await Cli.RunAsync(args);
