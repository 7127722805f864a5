using System.Text.Json;
using Ledger.Api.Tests.Writes;
using Alba;
using Npgsql;

namespace Ledger.Api.Tests.ReadModels;

/// <summary>Writes the Surakarta 2023 story over HTTP and waits for the daemon; SQL helpers over schema readmodel.</summary>
internal static class ReadModelStory
{
    public static readonly object Scale = new
    {
        name = "Surakarta LKjIP (55 made explicit)", effectiveFromYear = 2023, bands = new object[]
        {
            new { label = "Sangat Berhasil", min = 85, minInclusive = false, max = (decimal?)null, maxInclusive = false },
            new { label = "Berhasil", min = 70, minInclusive = false, max = 85, maxInclusive = true },
            new { label = "Cukup Berhasil", min = 55, minInclusive = false, max = 70, maxInclusive = true },
            new { label = "Kurang Berhasil", min = 0, minInclusive = true, max = 55, maxInclusive = true },
        },
    };

    public static async Task<Surakarta> WriteAsync(LedgerApiFactory f)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await f.Scenario(x => { x.WithBearerToken(s.Staff); x.Put.Json(Scale).ToUrl($"/api/agencies/{s.Agency}/rating-scale"); x.StatusCodeShouldBe(200); });
        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        await s.PostAsync(s.Approver, "pk/2023/revisions", Surakarta.PkPerubahan);
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75, claimedCapaian = 100 });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 5_000 });
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I8", year = 2023, period = "Y", value = 5_273, reason = "Salah ketik" });
        await s.PostAsync(s.Staff, "budget/2023", Surakarta.ApbdMurni, 201);
        await s.PostAsync(s.Staff, "budget/2023/revisions", Surakarta.ApbdPerubahan);
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P1.1", amount = 150_000_000m, period = "Y" });
        await s.PostAsync(s.Staff, "budget/2023/spending", new { code = "P2", amount = 3_649_094_188m, period = "Y" });
        return s;
    }

    /// <summary>The indicators whose history the workflow story writes (I10 is added without yearly targets).</summary>
    public static readonly string[] WorkflowIndicators = ["I2", "I6", "I7", "I8", "I9", "I10"];

    /// <summary>
    /// Every kind of indicator history entry, through the workflow: an indicator added without targets; a Renstra revision
    /// proposed by staff and approved, another rejected; PK murni; a PK perubahan proposed and approved, another proposed
    /// and rejected; a second table's targets declared; realizations and a correction; the year close (I6 and I7 without realization); a correction after it.
    /// </summary>
    public static async Task<Surakarta> WriteWorkflowAsync(LedgerApiFactory f)
    {
        var s = await Surakarta.WithRenstraAsync(f);
        await s.PostAsync(s.Staff, "renstra/2021/indicators", new { code = "I10", name = "Indeks Profesionalitas ASN", level = "sasaran", kind = "IKU",
            unit = "nilai", polarity = "higher", aggregation = "annual", targets = new Dictionary<string, decimal>() }, 201);

        var renstraApproved = await ProposalAsync(s.PostAsync(s.Staff, "renstra/2021/revisions",
            new { reason = "Penyesuaian RPJMD perubahan", legalBasis = "Perwali 12/2023", changes = new[] { new { indicator = "I2", year = 2023, target = 80m } } }, 202));
        await s.PostAsync(s.Approver, $"renstra/2021/revisions/proposals/{renstraApproved}/approve", new { });
        var renstraRejected = await ProposalAsync(s.PostAsync(s.Staff, "renstra/2021/revisions",
            new { reason = "Target SKM dinaikkan", changes = new[] { new { indicator = "I9", year = 2023, target = 70m } } }, 202));
        await s.PostAsync(s.Approver, $"renstra/2021/revisions/proposals/{renstraRejected}/reject", new { reason = "Tidak sesuai RPJMD" });
        await s.PostAsync(s.Staff, "renstra/2021/declared-targets", new { indicator = "I9", source = "LKjIP 2023 Tabel 3.3",
            targets = new Dictionary<string, decimal> { ["2023"] = 70m, ["2026"] = 75m }, note = "Tabel 3.3 beside the Renstra table" });

        await s.PostAsync(s.Approver, "pk/2023", Surakarta.PkMurni, 201);
        var pkApproved = await ProposalAsync(s.PostAsync(s.Staff, "pk/2023/revisions", Surakarta.PkPerubahan, 202));
        await s.PostAsync(s.Approver, $"pk/2023/revisions/proposals/{pkApproved}/approve", new { note = "Disetujui" });
        var pkRejected = await ProposalAsync(s.PostAsync(s.Staff, "pk/2023/revisions", new
        {
            reason = "Prioritas layanan", ground = "priority-change", signedOn = "2023-11-01", signer = Surakarta.Signer,
            targets = new object[] { new { indicator = "I9", target = 70m } },
        }, 202));
        await s.PostAsync(s.Approver, $"pk/2023/revisions/proposals/{pkRejected}/reject", new { reason = "Belum ada dasar APBD-P" });

        await s.PostAsync(s.Staff, "realizations", new { indicator = "I2", year = 2023, period = "Y", value = 75, claimedCapaian = 100 });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I8", year = 2023, period = "Y", value = 5_000 });
        await s.PostAsync(s.Staff, "realizations", new { indicator = "I9", year = 2023, period = "Y", value = 92.93m });
        await s.PostAsync(s.Staff, "years/2023/declared-claims", new { source = "LKjIP 2023 Tabel 3.5",
            claims = new object[] { new { indicator = "I6", period = "Y", claimedProgress = 100m }, new { indicator = "I9", period = "Y", claimedCapaian = 100m, note = "Kesimpulan" } } });
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I8", year = 2023, period = "Y", value = 5_273, reason = "Salah ketik" });
        await s.PostAsync(s.Approver, "years/2023/close", new { note = "LKjIP 2023" });
        await s.PostAsync(s.Staff, "realizations/corrections", new { indicator = "I2", year = 2023, period = "Y", value = 85m, reason = "Narasi L993" });
        return s;

        static async Task<Guid> ProposalAsync(Task<IScenarioResult> write) => (await write).JsonAt("proposalId").GetGuid();
    }

    public static async Task<JsonElement> ProjectionsAsync(LedgerApiFactory f) =>
        (await f.Scenario(x => { x.WithBearerToken(LedgerApiFactory.AdminToken); x.Get.Url("/api/admin/projections"); x.StatusCodeShouldBe(200); })).Json;

    /// <summary>Polls GET /api/admin/projections until every projection is running with no lag (and no rebuild runs).</summary>
    public static async Task CatchUpAsync(LedgerApiFactory f, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        JsonElement last = default;
        while (DateTime.UtcNow < until)
        {
            last = await ProjectionsAsync(f);
            var all = last.GetProperty("projections").EnumerateArray().ToList();
            var rebuilding = last.GetProperty("rebuild") is { ValueKind: JsonValueKind.Object } r && r.GetProperty("state").GetString() == "running";
            if (!rebuilding && all.Count == Ledger.ReadModels.SakipReadModels.Names.Count && all.All(p => p.GetProperty("status").GetString() == "running" && p.GetProperty("lag").GetInt64() == 0))
                return;
            await Task.Delay(100);
        }
        Assert.Fail($"Projections did not catch up: {last}");
    }

    public static async Task<T?> ScalarAsync<T>(LedgerApiFactory f, string sql, params (string Name, object Value)[] ps)
    {
        await using var cmd = f.Database.Owner.CreateCommand(sql);
        foreach (var (n, v) in ps) cmd.Parameters.AddWithValue(n, v);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default : (T)value;
    }

    /// <summary>md5 of a table's rows in key order: equal hashes, equal contents.</summary>
    public static async Task<string> HashAsync(LedgerApiFactory f, string table, string orderBy) =>
        (await ScalarAsync<string>(f, $"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {orderBy}), '')) FROM readmodel.{table} t"))!;

    public static readonly (string Table, string Key)[] Tables =
    [
        ("indicator_state", "agency, year, indicator"), ("lkjip_rows", "agency, year, indicator"), ("budget_lines", "agency, year, code"),
        ("performance_years", "agency, year"), ("indicator_history", "seq, item"), ("pk_versions", "agency, year, number"),
    ];

    public static async Task<Dictionary<string, string>> HashAllAsync(LedgerApiFactory f)
    {
        var hashes = new Dictionary<string, string>();
        foreach (var (table, key) in Tables) hashes[table] = await HashAsync(f, table, key);
        return hashes;
    }

    public static NpgsqlDataSource Owner(LedgerApiFactory f) => f.Database.Owner;
}
