using Ledger.Bench;

// Entry point: `appends` is the only benchmark so far (issue 2). See Cli.Usage.
return await Cli.RunAsync(args);
