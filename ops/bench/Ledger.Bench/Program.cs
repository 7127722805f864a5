using Ledger.Bench;

// Entry point: `appends` (issue 2) and `rebuild` (issue 4). See Cli.Usage.
return await Cli.RunAsync(args);
