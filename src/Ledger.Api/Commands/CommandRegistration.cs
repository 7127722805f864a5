using JasperFx;
using JasperFx.CodeGeneration;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Api.Commands;

/// <summary>
/// Commands are Wolverine HTTP endpoints (one static method per write, in its feature folder, its route in the attribute)
/// on the Marten session Wolverine opens and saves (<c>AutoApplyTransactions</c>), with Wolverine's deduplicated
/// responses stored in schema <c>wolverine</c> (created by the owner at start: <c>LedgerDatabase</c>). Wolverine's generated
/// code is committed under <c>Internal/Generated</c> and loaded statically: regenerate it after changing an endpoint with
/// <c>dotnet run --project src/Ledger.Api -- codegen write</c> (a test fails when it is stale).
/// </summary>
public static class CommandRegistration
{
    public const string WolverineSchema = "wolverine";

    public static void AddLedgerCommands(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CommandRunner>();
        builder.Services.AddSingleton<ICommandHooks, NoCommandHooks>();
        builder.Host.UseWolverine(opts => Configure(opts));
        builder.Services.AddWolverineHttp();
        builder.Services.DecorateWolverinesClaimLookup();
    }

    /// <summary>The Wolverine settings of the service, also used by the owner to create Wolverine's tables.</summary>
    public static void Configure(WolverineOptions opts)
    {
        opts.ApplicationAssembly = typeof(CommandRegistration).Assembly;
        opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Static;
        opts.Durability.EnableDeduplicatedResponses = true;
        // The service runs as the restricted role: it never creates or alters tables (the owner does, at start).
        opts.AutoBuildMessageStorageOnStartup = AutoCreate.None;
        opts.Policies.AutoApplyTransactions();
    }

    public static void MapLedgerCommands(this WebApplication app) => app.MapWolverineEndpoints();
}
