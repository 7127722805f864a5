using Ledger.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
await builder.AddLedgerDatabaseAsync();

var app = builder.Build();
app.MapHealth();
app.Run();

/// <summary>Visible to the HTTP tests (WebApplicationFactory).</summary>
public partial class Program;
