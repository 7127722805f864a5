using System.Text.Json.Nodes;

namespace Ledger.Importing;

/// <summary>What a step expects when it is meant to be refused: the status and, for 422, the rule.</summary>
public sealed record ExpectedRefusal(int Status, string? Rule, string? Why);

/// <summary>
/// One HTTP write of a dataset, as read from its file (see ops/datasets/README.md). <see cref="UserKey"/> is set on the
/// user-creation steps (POST /api/users): the token returned is stored under that key and used by later steps whose
/// <see cref="As"/> names it.
/// </summary>
public sealed record DatasetStep(
    string File, int Index, string Method, string Path, string As, JsonNode? Body, ExpectedRefusal? Expect, string? UserKey, string? Note)
{
    /// <summary>Same dataset, file and index → same key, so a re-run is answered from the server's idempotency store.</summary>
    public string IdempotencyKey(string dataset) => $"ledger-import:{dataset}:{File}:{Index}";

    public string Label => $"{File}#{Index}";
}

/// <summary>A dataset folder: its name, its variables ({agency} …) and its steps in replay order.</summary>
public sealed record Dataset(string Name, string Folder, IReadOnlyDictionary<string, string> Variables, IReadOnlyList<DatasetStep> Steps);
