using JasperFx.Events;
using Ledger.Domain;
using Ledger.Domain.Agencies;
using Ledger.Domain.Capaian;
using Ledger.Domain.History;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.PerformanceYears.RevisingPk;
using Ledger.Domain.PerformanceYears.SigningPk;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Ledger.Storage;
using Marten;
using Npgsql;

namespace Ledger.ReadModels.Tests;

/// <summary>
/// The oracle: what each readmodel table must hold, computed without the projections. Every event up to a sequence is
/// read back through Marten (as the service role), each stream is folded with the domain's own Evolve, and the rows are
/// what the HTTP reads compute from those states (<see cref="IndicatorYearView"/>, <see cref="PerformanceTable"/>,
/// <see cref="IndicatorHistory.Entries"/> replayed over the whole log with one memory). No batching, no cache, no
/// dirtiness: a projection that skipped, doubled or mis-tracked an event cannot agree with it.
/// </summary>
internal static class LogFold
{
    private static readonly CapaianPolicy Policy = CapaianPolicy.Default;

    /// <param name="upTo">fold the events up to this sequence (default: the whole log).</param>
    /// <param name="stateUpTo">fold the domain states (the tables of sakip-state and the PK rows' states) only up to this
    /// sequence, history and PK rows up to <paramref name="upTo"/> (a paused sakip-state behind the other two).</param>
    /// <param name="tables">compare only these tables (default: all six).</param>
    public static async Task AssertTablesEqualFoldAsync(ReadModelDb db, long? upTo = null, long? stateUpTo = null, IReadOnlyCollection<string>? tables = null)
    {
        var expected = await ExpectedAsync(db, upTo, stateUpTo);
        foreach (var (table, rows) in expected)
        {
            if (tables is not null && !tables.Contains(table)) continue;
            var actual = await ActualAsync(db.Service, table);
            AssertSameRows(table, rows, actual);
        }
    }

    public static void AssertSameRows(string table, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        Assert.True(expected.Count > 0, $"{table}: the fold expects no rows; the test data should give some");
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
            if (expected[i] != actual[i])
                Assert.Fail($"{table}: row {i} differs\n  fold:  {expected[i]}\n  table: {actual[i]}");
        if (expected.Count != actual.Count)
            Assert.Fail($"{table}: the fold has {expected.Count} rows, the table {actual.Count}; first extra: " +
                (expected.Count > actual.Count ? "fold " + expected[actual.Count] : "table " + actual[expected.Count]));
    }

    /// <summary>The compared columns of each table, as text, in key order (what <see cref="ExpectedAsync"/> gives per table).</summary>
    private static readonly Dictionary<string, string> Selects = new()
    {
        ["indicator_state"] = """
            SELECT concat_ws('|', agency, year, indicator, renstra_period_start, target_source, target_in_force, target_pk, target_pk_murni,
                   target_renstra, realization_q1, realization_q4, realization_y, annual_value, capaian, capaian_display, predikat,
                   rating_scale, claimed_capaian)
              FROM readmodel.indicator_state ORDER BY agency COLLATE "C", year, indicator COLLATE "C"
            """,
        ["lkjip_rows"] = """
            SELECT concat_ws('|', agency, year, indicator, ordinal, target, target_source, realization, capaian, predikat, prev_target,
                   prev_realization, prev_capaian, end_target, progress_to_end_target)
              FROM readmodel.lkjip_rows ORDER BY agency COLLATE "C", year, indicator COLLATE "C"
            """,
        ["budget_lines"] = """
            SELECT concat_ws('|', agency, year, code, ordinal, parent, pagu_murni, pagu, spent, spending_entries, absorption, efficiency, exceeds_pagu)
              FROM readmodel.budget_lines ORDER BY agency COLLATE "C", year, code COLLATE "C"
            """,
        ["performance_years"] = """
            SELECT concat_ws('|', agency, year, stream_version, closed, snapshot_hash, renstra_period_start, rating_scale, pk_versions,
                   budget_revisions, pagu_murni, pagu, spent, absorption, efficiency)
              FROM readmodel.performance_years ORDER BY agency COLLATE "C", year
            """,
        ["pk_versions"] = """
            SELECT concat_ws('|', agency, year, number, kind, signed_on, reason, ground, jsonb_array_length(targets), seq, actor->>'name')
              FROM readmodel.pk_versions ORDER BY agency COLLATE "C", year, number
            """,
        ["indicator_history"] = """
            SELECT concat_ws('|', seq, item, event_type, stream_id, stream_version, agency, indicator, kind, effective, effective_year,
                   effective_period, effective_on, reason, coalesce(ground, legal_basis), before, after, note, proposal_id, proposal_status, actor->>'role')
              FROM readmodel.indicator_history ORDER BY seq, item
            """,
    };

    public static IReadOnlyCollection<string> Tables => Selects.Keys;

    public static async Task<IReadOnlyList<string>> ActualAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var cmd = dataSource.CreateCommand(Selects[table]);
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        return rows;
    }

    private static string Row(params object?[] values) =>
        string.Join('|', values.Where(v => v is not null).Select(v => v switch
        {
            bool b => b ? "t" : "f",
            decimal d => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }));

    private sealed class Agency(string code)
    {
        public string Code { get; } = code;
        public AgencyState State { get; set; } = AgencyState.Initial;
        public SortedDictionary<int, RenstraState> Renstras { get; } = [];
        public SortedDictionary<int, (PerformanceYearState State, long Version)> Years { get; } = [];

        /// <summary>
        /// The plan in force, stated independently of the domain's search (Renstra.InForce walks the candidate starts):
        /// of every plan that covers the year, the newest. (The first version of this oracle copied the read model's
        /// old search, year down to year - 6, and so shared its Bug 1: a transition year before the period.)
        /// </summary>
        public RenstraState? Covering(int year) =>
            Renstras.Values.Where(r => r.Exists && r.Covers(year)).MaxBy(r => r.PeriodStart);

        public PerformanceYearState YearState(int y) => Years.TryGetValue(y, out var s) ? s.State : PerformanceYearState.Initial(Code, y);

        public IEnumerable<int> KnownYears()
        {
            var years = new SortedSet<int>(Years.Where(y => y.Value.Version > 0).Select(y => y.Key));
            foreach (var r in Renstras.Values.Where(r => r.Exists))
            {
                for (var y = r.PeriodStart; y <= r.PeriodEnd; y++) years.Add(y);
                if (r.TransitionYear is { } t) years.Add(t);
            }
            return years;
        }
    }

    private static decimal? Period(IndicatorYearView v, string period) => v.Realizations.TryGetValue(period, out var x) ? x : null;

    /// <summary>Key order as the SQL's (agency and key in the "C" collation, i.e. ordinal).</summary>
    private static List<string> Sorted(List<(string A, int Y, string K, string Row)> rows) =>
        [.. rows.OrderBy(r => r.A, StringComparer.Ordinal).ThenBy(r => r.Y).ThenBy(r => r.K, StringComparer.Ordinal).Select(r => r.Row)];

    public static async Task<Dictionary<string, IReadOnlyList<string>>> ExpectedAsync(ReadModelDb db, long? upTo, long? stateUpTo = null)
    {
        IReadOnlyList<IEvent> log;
        await using (var session = db.Store.QuerySession())
        {
            var all = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).ToListAsync();
            log = [.. all.Where(e => upTo is null || e.Sequence <= upTo)];
        }

        var agencies = new SortedDictionary<string, Agency>(StringComparer.Ordinal);
        var pk = new List<(string Agency, int Year, int Number, string Row)>();
        var history = new List<string>();
        var memory = new IndicatorHistoryMemory();
        var sources = IndicatorHistory.SourceEventTypes.ToHashSet();
        foreach (var e in log)
        {
            var key = StreamKey.Of(e.StreamKey!, e.Headers);
            if (key.Kind == StreamKind.Other || e.Data is not IDomainEvent ev) continue;
            if (!agencies.TryGetValue(key.Agency, out var a)) agencies[key.Agency] = a = new Agency(key.Agency);
            var actor = EventHeaderValues.Json(e, EventHeaders.Actor) is { } j ? j.GetProperty("name").GetString() : null;
            var reason = EventHeaderValues.Text(e, EventHeaders.Reason);
            switch (stateUpTo is { } limit && e.Sequence > limit ? StreamKind.Other : key.Kind)
            {
                case StreamKind.Agency: a.State = a.State.Evolve(ev); break;
                case StreamKind.Renstra:
                    a.Renstras[key.Number] = (a.Renstras.TryGetValue(key.Number, out var r) ? r : RenstraState.Initial).Evolve(ev);
                    break;
                case StreamKind.Year:
                    a.Years[key.Number] = (a.YearState(key.Number).Evolve(ev), e.Version);
                    break;
            }
            if (key.Kind == StreamKind.Year && ev is PkSigned s)
                pk.Add((a.Code, key.Number, 0, Row(a.Code, key.Number, 0, "murni", s.SignedOn, null, null, s.Targets.Count, e.Sequence, actor)));
            if (key.Kind == StreamKind.Year && ev is PkRevised v)
                pk.Add((a.Code, key.Number, v.Version, Row(a.Code, key.Number, v.Version, "perubahan", v.SignedOn, v.Reason, v.Ground, v.Targets.Count, e.Sequence, actor)));
            if (!sources.Contains(ev.GetType())) continue;
            var audited = new AuditedEvent(e.Sequence, e.Id, e.StreamKey!, key.Kind == StreamKind.Year ? key.Number : null, e.Timestamp, Actor.Unknown, reason, ev);
            var item = 0;
            foreach (var i in IndicatorHistory.Entries(audited, memory))
            {
                var h = i.Entry;
                history.Add(Row(e.Sequence, item++, e.EventTypeName, e.StreamKey, e.Version, key.Agency, i.Indicator, h.Kind, h.Effective, h.Year, i.Period,
                    i.On, h.Reason, h.Ground, h.Before, h.After, h.Note, i.ProposalId, i.Status is { } st ? ProposalStatusWire.Name(st) : null, "staff"));
            }
        }

        var state = new List<(string A, int Y, string K, string Row)>();
        var lkjip = new List<(string A, int Y, string K, string Row)>();
        var budget = new List<(string A, int Y, string K, string Row)>();
        var years = new List<(string A, int Y, string K, string Row)>();
        foreach (var a in agencies.Values)
        {
            foreach (var y in a.KnownYears())
            {
                var hasStream = a.Years.TryGetValue(y, out var ym) && ym.Version > 0;
                var r = a.Covering(y);
                var current = a.YearState(y);
                var scale = a.State.ScaleFor(y);
                if (r is not null)
                {
                    foreach (var d in r.Indicators)
                    {
                        var v = IndicatorYearView.Build(d, y, current, scale, Policy);
                        var t = v.Targets;
                        state.Add((a.Code, y, d.Code, Row(a.Code, y, d.Code, r.PeriodStart, t.Source, t.InForce, t.Pk, t.PkMurni, t.Renstra,
                            Period(v, "Q1"), Period(v, "Q4"), Period(v, "Y"),
                            v.AnnualValue, v.Capaian, v.CapaianDisplay, v.Predikat, scale?.Name, v.ClaimedCapaian)));
                    }
                    var previous = a.Years.TryGetValue(y - 1, out var py) && py.Version > 0 ? py.State : null;
                    var table = PerformanceTable.Build(r, current, previous, scale, a.State.ScaleFor(y - 1), Policy, a.Covering(y - 1) ?? r);
                    foreach (var row in table.Indicators)
                    {
                        var c = row.Current;
                        var p = row.Previous;
                        lkjip.Add((a.Code, y, row.Code, Row(a.Code, y, row.Code, r.Indicators.FindIndex(d => d.Code == row.Code), c.Target, c.TargetSource, c.Realization,
                            c.Capaian, c.Predikat, p?.Target, p?.Realization, p?.Capaian, row.EndTarget, row.ProgressToEndTarget)));
                    }
                }
                if (hasStream)
                {
                    var b = current.Budget;
                    foreach (var l in b.Lines)
                    {
                        var spent = b.Spent(l.Code);
                        budget.Add((a.Code, y, l.Code, Row(a.Code, y, l.Code, b.Lines.IndexOf(l), l.Parent, l.PaguMurni, l.Pagu, spent, l.SpendingEntries,
                            l.Pagu == 0 ? null : spent / l.Pagu * 100m, l.Pagu - spent, spent > l.Pagu)));
                    }
                }
                if (hasStream || r is not null)
                {
                    var b = current.Budget;
                    years.Add((a.Code, y, "", Row(a.Code, y, hasStream ? ym.Version : 0L, current.Closed, current.SnapshotHash, r?.PeriodStart, scale?.Name,
                        current.PkVersions.Count, b.Revisions, b.TotalPaguMurni, b.TotalPagu, b.TotalSpent,
                        b.TotalPagu == 0 ? null : b.TotalSpent / b.TotalPagu * 100m, b.TotalPagu - b.TotalSpent)));
                }
            }
        }
        return new()
        {
            ["indicator_state"] = Sorted(state),
            ["lkjip_rows"] = Sorted(lkjip),
            ["budget_lines"] = Sorted(budget),
            ["performance_years"] = Sorted(years),
            ["pk_versions"] = [.. pk.OrderBy(p => p.Agency, StringComparer.Ordinal).ThenBy(p => p.Year).ThenBy(p => p.Number).Select(p => p.Row)],
            ["indicator_history"] = history,
        };
    }
}
