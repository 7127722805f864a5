using JasperFx;
using Ledger.Api.Infrastructure;
using Ledger.Web;

// `rebuild [name]` and `verify` run against the service's database and exit without starting the web server. JasperFx's
// own verbs (`codegen write`, `describe`, …) run through RunJasperFxCommands; `--help` prints the usage (exit 0) and an
// unknown bare word is refused with it (exit 2) instead of starting a second web server.
switch (CommandLine.Classify(args))
{
    case CommandLine.Invocation.LedgerVerb:
        return await CommandLine.RunAsync(args, CommandLine.Configuration(args), Console.Out, Console.Error, !Console.IsOutputRedirected);
    case CommandLine.Invocation.Help:
        Console.Out.WriteLine(CommandLine.UsageText);
        return CommandLine.Ok;
    case CommandLine.Invocation.Unknown:
        Console.Error.WriteLine($"Unknown command '{args[0]}'.");
        Console.Error.WriteLine(CommandLine.UsageText);
        return CommandLine.Usage;
}

var builder = WebApplication.CreateBuilder(args);
if (CommandLine.IsCodegen(args)) builder.AddLedgerDatabaseForCodegen();
else
{
    try
    {
        await builder.AddLedgerDatabaseAsync();
    }
    catch (StartupRefusedException refused)
    {
        // E.g. PgBouncer in transaction mode: serve only the reason (503 on /health and everything else) until stopped.
        return await StartupRefusal.ServeAsync(args, refused);
    }
    catch (DatabaseUnreachableException unreachable)
    {
        // The database stayed away for the whole wait: exit, so that a supervisor (systemd, compose) starts it again.
        Console.Error.WriteLine(unreachable.Message);
        return CommandLine.DatabaseUnreachable;
    }
}
builder.AddLedgerApi();
builder.AddLedgerHardening();
builder.Services.AddLedgerWeb();

var app = builder.Build();
app.UseLedgerHardening();
app.UseLedgerExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.UseLedgerWeb();
app.MapLedgerApi();
app.MapLedgerWeb();
app.UseStartupBanner();
return await app.RunJasperFxCommands(args);

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
