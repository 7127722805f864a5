using System.Text.Json;

namespace Ledger.Bench;

/// <summary>A realization event as the domain would record it; serialised it is about 300 bytes of JSON.</summary>
internal sealed record RealizationRecorded(
    string Indicator, string IndicatorName, int Year, string Period, decimal Value, decimal Target, string Unit,
    string Evidence, string SubmittedBy);

/// <summary>Per-writer generator of realistic payloads (not thread-safe: one per writer).</summary>
internal sealed class Payloads(int seed)
{
    public const string EventType = "RealizationRecorded";
    public const string Tenant = "pemkot-surakarta";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] Names =
    [
        "Persentase ASN yang memenuhi standar kompetensi jabatan",
        "Indeks profesionalitas aparatur sipil negara",
        "Persentase penyelesaian layanan kepegawaian tepat waktu",
    ];

    private readonly Random _rng = new(seed);
    private int _counter;

    public Random Random => _rng;

    public string Next()
    {
        _counter++;
        var value = Math.Round((decimal)(_rng.NextDouble() * 100), 2);
        return JsonSerializer.Serialize(new RealizationRecorded(
            Indicator: $"IKU-{_rng.Next(1, 10)}.{_rng.Next(1, 10)}.{_rng.Next(1, 20)}",
            IndicatorName: Names[_rng.Next(Names.Length)],
            Year: 2023 + _rng.Next(3),
            Period: $"Q{_rng.Next(1, 5)}",
            Value: value,
            Target: 85.00m,
            Unit: "percent",
            Evidence: $"Laporan capaian triwulan no. 800/{_counter:D5}/BKPSDM/{2023 + _rng.Next(3)}, diverifikasi Inspektorat",
            SubmittedBy: "operator-03@bkpsdm.surakarta.go.id"), Json);
    }
}
