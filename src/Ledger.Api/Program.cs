using Ledger.Api.Infrastructure;

// `rebuild [name]` and `verify` run against the service's database and exit without starting the web server.
if (CommandLine.IsCommand(args))
    return await CommandLine.RunAsync(args, CommandLine.Configuration(args), Console.Out, Console.Error, !Console.IsOutputRedirected);

var builder = WebApplication.CreateBuilder(args);
await builder.AddLedgerDatabaseAsync();
builder.AddLedgerApi();
builder.AddLedgerHardening();

var app = builder.Build();
app.UseLedgerHardening();
app.UseLedgerExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapLedgerApi();
await app.RunAsync();
return 0;

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
