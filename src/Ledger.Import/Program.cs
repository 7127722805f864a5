using Ledger.Importing;

// Ledger.Import --url http://127.0.0.1:5080 --token <admin token> [--state tokens.json] [--set agency=code] DATASET_FOLDER...
// Ledger.Import import-csv --url http://127.0.0.1:5080 --token <staff token> --agency <code> --file realizations.csv
// Exit codes: 0 all fine, 1 something was refused unexpectedly, 2 bad usage or an unreadable dataset/file.
try
{
    var cli = Cli.Parse(args);
    using var http = new HttpClient { BaseAddress = new Uri(cli.Url), Timeout = TimeSpan.FromMinutes(2) };
    var progress = ConsoleProgress.Create();
    ImportReport report;
    if (cli.Command == "import-csv")
    {
        var text = await File.ReadAllTextAsync(cli.File!);
        report = await RealizationCsv.ImportAsync(http, cli.Token, cli.Agency!, cli.File!, text, progress);
    }
    else
    {
        var datasets = cli.Folders.Select(f => DatasetLoader.Load(f, cli.Variables)).ToList();
        var store = new FileTokenStore(cli.State ?? FileTokenStore.DefaultPath());
        report = await new DatasetImporter(http, cli.Token, store, progress).ImportAsync(datasets);
    }
    Console.WriteLine(report.Summary());
    return report.Ok ? 0 : 1;
}
catch (Exception e) when (e is UsageException or DatasetFormatException or IOException or HttpRequestException or UriFormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    if (e is UsageException) Console.Error.WriteLine(Cli.Usage);
    return 2;
}

internal sealed class UsageException(string message) : Exception(message);

internal sealed record Cli(string Command, string Url, string Token, string? State, Dictionary<string, string> Variables,
    List<string> Folders, string? Agency, string? File)
{
    public const string Usage = """
        usage: Ledger.Import --url URL --token ADMIN_TOKEN [--state FILE] [--set NAME=VALUE]... DATASET_FOLDER...
               Ledger.Import import-csv --url URL --token STAFF_TOKEN --agency CODE --file REALIZATIONS.csv
        """;

    public static Cli Parse(string[] args)
    {
        var command = args.Length > 0 && args[0] == "import-csv" ? "import-csv" : "import";
        string? url = null, token = null, state = null, agency = null, file = null;
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var folders = new List<string>();
        for (var i = command == "import" ? 0 : 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--url": url = Next(); break;
                case "--token": token = Next(); break;
                case "--state": state = Next(); break;
                case "--agency": agency = Next(); break;
                case "--file": file = Next(); break;
                case "--set":
                    var kv = Next().Split('=', 2);
                    if (kv.Length != 2) throw new UsageException("--set takes NAME=VALUE.");
                    variables[kv[0]] = kv[1];
                    break;
                case "-h" or "--help": throw new UsageException("help");
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unknown option {args[i]}.");
                    folders.Add(args[i]);
                    break;
            }
        }
        token ??= Environment.GetEnvironmentVariable("LEDGER_TOKEN");
        if (url is null) throw new UsageException("--url is required.");
        if (token is null) throw new UsageException("--token (or LEDGER_TOKEN) is required.");
        if (command == "import-csv" && (agency is null || file is null)) throw new UsageException("import-csv needs --agency and --file.");
        if (command == "import" && folders.Count == 0) throw new UsageException("name at least one dataset folder.");
        return new Cli(command, url, token, state, variables, folders, agency, file);
    }
}

/// <summary>A redrawn bar on a terminal; one line per finished file (or dataset) when output is redirected.</summary>
internal sealed class ConsoleProgress(bool terminal) : IImportProgress
{
    private string? _file;
    private int _fileSteps;

    public static ConsoleProgress Create() => new(!Console.IsOutputRedirected);

    public void Started(string dataset, int steps)
    {
        _file = null;
        if (!terminal) Console.WriteLine($"{dataset}: {steps} steps");
    }

    public void Step(string dataset, DatasetStep step, int done, int total, StepOutcome outcome)
    {
        if (terminal)
        {
            const int width = 30;
            var filled = total == 0 ? width : done * width / total;
            var line = $"\r{dataset} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {step.File}";
            Console.Write(line.Length > 118 ? line[..118] : line.PadRight(118));
            if (outcome == StepOutcome.RefusedUnexpectedly) Console.WriteLine($"{Environment.NewLine}  refused: {step.Label}");
            return;
        }
        if (_file is not null && _file != step.File) Flush(dataset);
        _file = step.File;
        _fileSteps++;
        if (outcome == StepOutcome.RefusedUnexpectedly) Console.WriteLine($"  refused unexpectedly: {step.Label}");
    }

    public void Finished(string dataset)
    {
        if (terminal) Console.WriteLine();
        else if (_file is not null) Flush(dataset);
    }

    private void Flush(string dataset)
    {
        Console.WriteLine($"{dataset}/{_file}: {_fileSteps} step(s)");
        _fileSteps = 0;
    }
}
