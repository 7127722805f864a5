using JasperFx;
using Ledger.Api.Infrastructure;

// `rebuild [name]` and `verify` run against the service's database and exit without starting the web server. JasperFx's
// own verbs (`codegen write`, `describe`, …) run through RunJasperFxCommands; no verb runs the service.
if (CommandLine.IsCommand(args))
    return await CommandLine.RunAsync(args, CommandLine.Configuration(args), Console.Out, Console.Error, !Console.IsOutputRedirected);

var builder = WebApplication.CreateBuilder(args);
if (CommandLine.IsCodegen(args)) builder.AddLedgerDatabaseForCodegen();
else await builder.AddLedgerDatabaseAsync();
builder.AddLedgerApi();
builder.AddLedgerHardening();

var app = builder.Build();
app.UseLedgerHardening();
app.UseLedgerExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapLedgerApi();
return await app.RunJasperFxCommands(args);

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
