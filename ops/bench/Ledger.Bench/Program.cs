using Ledger.Bench;

// Entry point: `marten-appends` and `http-load` (issue 11), `rebuild-readmodels` and `asof` (issue 4). See Cli.Usage.
return await Cli.RunAsync(args);
