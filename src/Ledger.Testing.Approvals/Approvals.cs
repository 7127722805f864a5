using System.Runtime.CompilerServices;
using System.Text;

namespace Ledger.Testing.Approvals;

/// <summary>The verified (approved) and received file paths of one snapshot.</summary>
public sealed record SnapshotFiles(string Verified, string Received);

/// <summary>
/// Approved-file JSON snapshots. <c>await Approvals.VerifyJson(value)</c> serializes and scrubs <c>value</c>, then compares it
/// with <c>{TestFile}.{Method}.verified.json</c> beside the calling source file.
/// </summary>
public static class Approvals
{
    /// <summary>
    /// Compares the canonical JSON of <paramref name="target"/> (an object, a JSON string, a JsonElement/JsonDocument/JsonNode)
    /// with the verified snapshot. On a match any stale <c>.received.json</c> is deleted. On a mismatch or a missing verified file,
    /// <c>.received.json</c> is written and <see cref="SnapshotMismatchException"/> is thrown — unless
    /// <c>LEDGER_ACCEPT_SNAPSHOTS=1</c> is set outside CI, in which case the verified file is (over)written and the call passes.
    /// </summary>
    public static async Task VerifyJson(
        object? target,
        VerifySettings? settings = null,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string memberName = "")
    {
        settings ??= new VerifySettings();
        var received = ToSnapshot(target, settings);
        var files = FilesFor(sourceFile, memberName, settings);
        var environment = settings.Environment ?? SnapshotEnvironment.FromProcess();

        var verified = File.Exists(files.Verified)
            ? Normalize(await File.ReadAllTextAsync(files.Verified).ConfigureAwait(false))
            : null;

        if (verified == received)
        {
            File.Delete(files.Received);
            return;
        }

        if (environment.AutoAccept)
        {
            await File.WriteAllTextAsync(files.Verified, received, Utf8NoBom).ConfigureAwait(false);
            File.Delete(files.Received);
            return;
        }

        await File.WriteAllTextAsync(files.Received, received, Utf8NoBom).ConfigureAwait(false);
        throw new SnapshotMismatchException(Explain(verified, received, files, environment), files.Verified, files.Received);
    }

    /// <summary>The exact text a snapshot of <paramref name="target"/> would contain (scrubbed, indented, LF, trailing newline).</summary>
    public static string ToSnapshot(object? target, VerifySettings? settings = null) =>
        SnapshotSerializer.Serialize(target, settings ?? new VerifySettings());

    /// <summary>
    /// Where the snapshot of test <paramref name="memberName"/> in <paramref name="sourceFile"/> lives:
    /// <c>{dir of sourceFile}/{file name without extension}.{memberName}[.{name}].verified.json</c>
    /// (the directory, class part and name can be overridden in <paramref name="settings"/>).
    /// </summary>
    public static SnapshotFiles FilesFor(string sourceFile, string memberName, VerifySettings? settings = null)
    {
        settings ??= new VerifySettings();
        ArgumentException.ThrowIfNullOrEmpty(memberName);
        string directory;
        if (settings.Directory is not null)
        {
            directory = settings.Directory;
        }
        else
        {
            if (string.IsNullOrEmpty(sourceFile))
            {
                throw new ArgumentException("No caller file path: call VerifyJson from source or use VerifySettings.UseDirectory.", nameof(sourceFile));
            }
            directory = Path.GetDirectoryName(sourceFile) ?? "";
        }
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException(
                $"Snapshot directory '{directory}' does not exist. Snapshots live beside the test source, so the build's source paths " +
                "must be real ones (no PathMap / deterministic source paths), or use VerifySettings.UseDirectory.");
        }
        var typeName = settings.TypeName ?? Path.GetFileNameWithoutExtension(sourceFile);
        var stem = settings.Name is null ? $"{typeName}.{memberName}" : $"{typeName}.{memberName}.{settings.Name}";
        var basePath = Path.Combine(directory, stem);
        return new SnapshotFiles(basePath + ".verified.json", basePath + ".received.json");
    }

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static string Normalize(string text)
    {
        var normalized = text.ReplaceLineEndings("\n").TrimStart('\uFEFF').TrimEnd('\n');
        return normalized + "\n";
    }

    private static string Explain(string? verified, string received, SnapshotFiles files, SnapshotEnvironment environment)
    {
        var sb = new StringBuilder();
        if (verified is null)
        {
            sb.Append("No verified snapshot exists yet.\n");
        }
        else
        {
            sb.Append("The received snapshot differs from the verified one.\n");
        }
        sb.Append("  verified: ").Append(files.Verified).Append(verified is null ? " (missing)" : "").Append('\n');
        sb.Append("  received: ").Append(files.Received).Append('\n');
        sb.Append('\n').Append("--- verified\n+++ received\n");
        sb.Append(LineDiff.Format(verified ?? "", received));
        sb.Append('\n');
        sb.Append(environment.IsContinuousIntegration
            ? "CI=true: snapshots are never accepted automatically. Approve locally and commit the .verified.json file."
            : $"To approve: rerun with {SnapshotEnvironment.AcceptVariable}=1 (or copy the received file over the verified one), review with git diff, commit.");
        return sb.ToString();
    }
}
