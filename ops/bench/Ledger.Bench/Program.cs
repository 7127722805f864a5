using Ledger.Bench;

// Entry point: `marten-appends`, `http-load` and `verify-derived` (issue 11), `rebuild-readmodels` and `asof` (issue 4), `national-scale` (issue 13). See Cli.Usage.
return await Cli.RunAsync(args);
