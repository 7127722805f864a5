using Ledger.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
await builder.AddLedgerDatabaseAsync();
builder.AddLedgerApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapLedgerApi();
app.Run();

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
