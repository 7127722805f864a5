using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ledger.Domain;
using Ledger.Domain.Capaian;
using Ledger.Domain.PerformanceYears;
using Ledger.Domain.Rating;
using Ledger.Domain.Reading;
using Ledger.Domain.Renstras;
using Npgsql;

namespace Ledger.ReadModels;

/// <summary>
/// Writes what a batch touched: one round trip deletes the touched keys of the four tables, then one COPY per table
/// inserts their new rows. Rows come from Ledger.Domain.Reading (IndicatorYearView, PerformanceTable), as the HTTP
/// reads compute them. <paramref name="schema"/>: readmodel (the daemon) or the verifier's temporary copies.
/// </summary>
internal sealed class SakipStateWriter(IReadOnlyDictionary<string, AgencyModel> agencies, string schema = ReadModelStatements.Schema, Action<string>? mark = null)
{
    /// <summary>The capaian policy every HTTP read uses (ReadQuery.Policy); its id is stored on every row.</summary>
    public static CapaianPolicy Policy => CapaianPolicy.Default;

    private long _compute;

    /// <summary>Each budget's spending per line (everything below a line included), computed once per write: the budget
    /// lines' rows and the year's total both read it.</summary>
    private readonly Dictionary<BudgetState, IReadOnlyDictionary<string, decimal>> _spentByLine = new(ReferenceEqualityComparer.Instance);

    private IReadOnlyDictionary<string, decimal> SpentByLine(BudgetState budget) =>
        _spentByLine.TryGetValue(budget, out var spent) ? spent : _spentByLine[budget] = budget.SpentByLine();

    /// <summary>Stopwatch ticks of the deletes; indicator_state + lkjip_rows rows written (for SakipStateTimings).</summary>
    public long DeleteTicks { get; private set; }
    public long Rows { get; private set; }


    /// <param name="tx">the daemon's transaction; null for the verifier's recompute, whose every statement commits on its own.</param>
    /// <returns>the Stopwatch ticks spent computing rows (the rest is SQL).</returns>
    /// <param name="deletes">false when the tables were just emptied (rows written whole, or the verifier's empty temporary tables): no key to delete.</param>
    public async Task<long> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, DirtySet dirty, bool deletes, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var a in dirty.Agencies)
            foreach (var y in agencies[a].KnownYears().ToList()) dirty.WholeYear(a, y);

        var indicatorKeys = dirty.Indicators.Where(k => !dirty.IndicatorYears.Contains((k.Agency, k.Year))).ToList();
        var lkjipKeys = dirty.LkjipRows.Where(k => !dirty.LkjipYears.Contains((k.Agency, k.Year))).ToList();
        var budgetKeys = dirty.BudgetLines
            .Where(k => !dirty.BudgetYears.Contains((k.Agency, k.Year)))
            .SelectMany(k => WithAncestors(k.Agency, k.Year, k.Code))
            .Distinct().ToList();

        _compute += Stopwatch.GetTimestamp() - start;
        if (deletes)
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            AddDelete(batch, schema, "indicator_state", "indicator", dirty.IndicatorYears, indicatorKeys);
            AddDelete(batch, schema, "lkjip_rows", "indicator", dirty.LkjipYears, lkjipKeys);
            AddDelete(batch, schema, "budget_lines", "code", dirty.BudgetYears, budgetKeys);
            AddDelete(batch, schema, "performance_years", null, dirty.Years, []);
            var del = Stopwatch.GetTimestamp();
            if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
            DeleteTicks += Stopwatch.GetTimestamp() - del;
        }

        var expand = Stopwatch.GetTimestamp();
        var indicatorRows = Expand(dirty.IndicatorYears, indicatorKeys, (_, _, _) => true);
        var lkjipRows = Expand(dirty.LkjipYears, lkjipKeys, (m, y, d) => PerformanceTable.HasRow(d, Index(m, y)));
        _compute += Stopwatch.GetTimestamp() - expand;
        Rows += indicatorRows.Count + lkjipRows.Count;
        mark?.Invoke("rows expanded");
        await CopyIndicatorStateAsync(conn, indicatorRows, ct);
        mark?.Invoke("indicator_state copied");
        await CopyLkjipAsync(conn, lkjipRows, ct);
        mark?.Invoke("lkjip copied");
        await CopyBudgetAsync(conn, dirty.BudgetYears, budgetKeys, ct);
        mark?.Invoke("budget copied");
        await CopyYearsAsync(conn, dirty.Years, ct);
        mark?.Invoke("years copied");
        return _compute;
    }

    private IEnumerable<(string Agency, int Year, string Code)> WithAncestors(string a, int y, string code)
    {
        yield return (a, y, code);
        if (!agencies.TryGetValue(a, out var m) || !m.Years.TryGetValue(y, out var ym)) yield break;
        foreach (var p in ym.State.Budget.Ancestors(code)) yield return (a, y, p.Code);
    }

    private static void AddDelete(NpgsqlBatch batch, string schema, string table, string? keyColumn, IReadOnlyCollection<(string Agency, int Year)> years,
        IReadOnlyCollection<(string Agency, int Year, string Code)> keys)
    {
        if (years.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand(ReadModelStatements.DeleteYears(schema, table));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("agencies", years.Select(k => k.Agency).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<int[]>("years", years.Select(k => k.Year).ToArray()));
            batch.BatchCommands.Add(cmd);
        }
        if (keys.Count > 0 && keyColumn is not null)
        {
            var cmd = new NpgsqlBatchCommand(ReadModelStatements.DeleteKeys(schema, table, keyColumn));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("agencies", keys.Select(k => k.Agency).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<int[]>("years", keys.Select(k => k.Year).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("keys", keys.Select(k => k.Code).ToArray()));
            batch.BatchCommands.Add(cmd);
        }
    }

    private static PerformanceYearState YearState(AgencyModel m, int y) =>
        m.Years.TryGetValue(y, out var ym) ? ym.State : PerformanceYearState.Initial(m.Code, y);

    private readonly Dictionary<(string Agency, int Year), IndexedYear> _indexes = [];

    /// <summary>The year's realizations grouped by indicator, built once per batch (states do not change while writing).</summary>
    private IndexedYear Index(AgencyModel m, int y)
    {
        if (!_indexes.TryGetValue((m.Code, y), out var index)) _indexes[(m.Code, y)] = index = new IndexedYear(YearState(m, y));
        return index;
    }

    /// <summary>(model, covering plan, year, definition) for whole years and single keys; keys outside the plan only get deleted.</summary>
    private List<(AgencyModel Model, RenstraState Renstra, int Year, IndicatorDefinition Definition)> Expand(
        IEnumerable<(string Agency, int Year)> years, IEnumerable<(string Agency, int Year, string Code)> keys,
        Func<AgencyModel, int, IndicatorDefinition, bool> include)
    {
        var list = new List<(AgencyModel, RenstraState, int, IndicatorDefinition)>();
        foreach (var (a, y) in years)
        {
            if (!agencies.TryGetValue(a, out var m) || m.Covering(y) is not { } r) continue;
            foreach (var d in r.Indicators.Where(d => include(m, y, d))) list.Add((m, r, y, d));
        }
        foreach (var (a, y, code) in keys)
        {
            if (!agencies.TryGetValue(a, out var m) || m.Covering(y) is not { } r || r.Indicator(code) is not { } d) continue;
            if (include(m, y, d)) list.Add((m, r, y, d));
        }
        return list;
    }

    // Views built once per (year, definition, scale), by reference: an indicator_state row and the year's LKjIP row share
    // one, and the year after's LKjIP row uses it as its previous year when the plan and the scale are the same.
    private readonly Dictionary<(IndexedYear Year, IndicatorDefinition Definition, RatingScale? Scale), IndicatorYearView> _views =
        new(ViewKey.Comparer);

    private IndicatorYearView View(IndicatorDefinition d, IndexedYear year, RatingScale? scale)
    {
        if (!_views.TryGetValue((year, d, scale), out var view))
            _views[(year, d, scale)] = view = IndicatorYearView.Build(d, year.State.Year, year, scale, Policy);
        return view;
    }

    /// <summary>Equality of a view's inputs by reference (the states and definitions are immutable; value equality would compare them deeply).</summary>
    private sealed class ViewKey : IEqualityComparer<(IndexedYear Year, IndicatorDefinition Definition, RatingScale? Scale)>
    {
        public static readonly ViewKey Comparer = new();

        public bool Equals((IndexedYear Year, IndicatorDefinition Definition, RatingScale? Scale) x, (IndexedYear Year, IndicatorDefinition Definition, RatingScale? Scale) y) =>
            ReferenceEquals(x.Year, y.Year) && ReferenceEquals(x.Definition, y.Definition) && ReferenceEquals(x.Scale, y.Scale);

        public int GetHashCode((IndexedYear Year, IndicatorDefinition Definition, RatingScale? Scale) k) =>
            HashCode.Combine(RuntimeHelpers.GetHashCode(k.Year), RuntimeHelpers.GetHashCode(k.Definition), k.Scale is null ? 0 : RuntimeHelpers.GetHashCode(k.Scale));
    }

    // Each COPY computes its rows as it writes them, so PostgreSQL inserts the rows already sent while the next are computed.

    private async Task CopyIndicatorStateAsync(NpgsqlConnection conn,
        List<(AgencyModel Model, RenstraState Renstra, int Year, IndicatorDefinition Definition)> keys, CancellationToken ct)
    {
        mark?.Invoke("indicator_state rows: " + keys.Count);
        if (keys.Count == 0) return;
        await using var w = await conn.BeginBinaryImportAsync(ReadModelStatements.CopyIndicatorState(schema), ct);
        foreach (var (m, r, y, d) in keys)
        {
            var start = Stopwatch.GetTimestamp();
            var scale = m.Agency.ScaleFor(y);
            var v = View(d, Index(m, y), scale);
            _compute += Stopwatch.GetTimestamp() - start;
            var t = v.Targets;
            w.StartRow();
            w.Text(m.Code); w.Int(y); w.Text(d.Code); w.Text(d.Name); w.Text(d.Unit); w.Text(v.Polarity);
            w.Text(d.Polarity == Polarity.Lower ? Wire.Name(d.LowerFormula) : null); w.Text(Wire.Name(d.Aggregation));
            w.Text(Wire.Name(d.Level)); w.Text(Wire.Name(d.Kind)); w.Text(d.Parent); w.Int(r.PeriodStart);
            w.Num(t.Renstra); w.Bool(t.RenstraRevised); w.Num(t.PkMurni); w.Num(t.Pk); w.Text(t.Source); w.Num(t.InForce);
            foreach (var p in Periods) w.Num(v.Realizations.TryGetValue(p, out var x) ? x : null);
            w.Num(v.AnnualValue); w.Num(v.Capaian); w.Num(v.CapaianDisplay); w.Text(v.CapaianMethod); w.Text(v.CapaianNotComputedReason);
            w.Text(Policy.Id); w.Text(v.Predikat); w.Text(scale?.Name); w.Num(v.ClaimedCapaian);
        }
        await w.CompleteAsync(ct);
    }

    private static readonly string[] Periods = ["Q1", "Q2", "Q3", "Q4", "S1", "S2", "Y"];

    private async Task CopyLkjipAsync(NpgsqlConnection conn,
        List<(AgencyModel Model, RenstraState Renstra, int Year, IndicatorDefinition Definition)> keys, CancellationToken ct)
    {
        mark?.Invoke("lkjip rows: " + keys.Count);
        if (keys.Count == 0) return;
        await using var w = await conn.BeginBinaryImportAsync(ReadModelStatements.CopyLkjipRows(schema), ct);
        foreach (var (m, r, y, d) in keys)
        {
            var start = Stopwatch.GetTimestamp();
            // As PerformanceTable.Build (PerformanceEndpoints): previous = the year before if its stream exists, with the
            // plan that covered it (its definition of the indicator, or this one) and its own scale.
            var previous = m.Years.TryGetValue(y - 1, out var py) && py.Version > 0
                ? View((m.Covering(y - 1) ?? r).Indicator(d.Code) ?? d, Index(m, y - 1), m.Agency.ScaleFor(y - 1))
                : null;
            var row = PerformanceTable.Row(d, r, View(d, Index(m, y), m.Agency.ScaleFor(y)), previous, Policy);
            _compute += Stopwatch.GetTimestamp() - start;
            var c = row.Current;
            var p = row.Previous;
            w.StartRow();
            w.Text(m.Code); w.Int(y); w.Text(d.Code); w.Int(r.Indicators.IndexOf(d)); w.Text(row.Name); w.Text(row.Unit);
            w.Text(row.Polarity); w.Text(row.Level); w.Text(row.Kind); w.Text(row.Parent);
            w.Num(c.Target); w.Text(c.TargetSource); w.Num(c.Realization); w.Num(c.Capaian); w.Num(c.CapaianDisplay);
            w.Text(c.CapaianMethod); w.Text(c.CapaianNotComputedReason); w.Text(c.Predikat);
            w.Num(p?.Target); w.Text(p?.TargetSource); w.Num(p?.Realization); w.Num(p?.Capaian); w.Num(p?.CapaianDisplay); w.Text(p?.Predikat);
            w.Num(row.EndTarget); w.Num(row.ProgressToEndTarget); w.Text(row.ProgressMethod);
        }
        await w.CompleteAsync(ct);
    }

    private async Task CopyBudgetAsync(NpgsqlConnection conn, IEnumerable<(string Agency, int Year)> years,
        IEnumerable<(string Agency, int Year, string Code)> keys, CancellationToken ct)
    {
        // (agency, year, budget, line, its position in the budget); spent per line computed once per budget.
        var rows = new List<(string Agency, int Year, BudgetState Budget, BudgetLine Line, int Position)>();
        foreach (var (a, y) in years)
            if (agencies.TryGetValue(a, out var m) && m.Years.TryGetValue(y, out var ym))
            {
                var position = 0;
                foreach (var l in ym.State.Budget.Lines) rows.Add((a, y, ym.State.Budget, l, position++));
            }
        foreach (var (a, y, code) in keys)
            if (agencies.TryGetValue(a, out var m) && m.Years.TryGetValue(y, out var ym) && ym.State.Budget.Line(code) is { } l)
                rows.Add((a, y, ym.State.Budget, l, ym.State.Budget.Lines.IndexOf(l)));
        if (rows.Count == 0) return;

        await using var w = await conn.BeginBinaryImportAsync(ReadModelStatements.CopyBudgetLines(schema), ct);
        foreach (var (a, y, budget, l, position) in rows)
        {
            // As PerformanceTable.Build: spent includes everything below the line; absorption = spent / pagu × 100.
            var spent = SpentByLine(budget)[l.Code];
            w.StartRow();
            w.Text(a); w.Int(y); w.Text(l.Code); w.Int(position); w.Text(l.Name); w.Text(l.Parent);
            w.Num(l.PaguMurni); w.Num(l.Pagu); w.Num(l.SpentDirect); w.Num(spent); w.Int(l.SpendingEntries);
            w.Num(Absorption(spent, l.Pagu)); w.Num(l.Pagu - spent); w.Bool(spent > l.Pagu);
        }
        await w.CompleteAsync(ct);
    }

    private async Task CopyYearsAsync(NpgsqlConnection conn, IEnumerable<(string Agency, int Year)> years, CancellationToken ct)
    {
        var rows = new List<(AgencyModel Model, int Year)>();
        foreach (var (a, y) in years)
        {
            if (!agencies.TryGetValue(a, out var m)) continue;
            var hasStream = m.Years.TryGetValue(y, out var ym) && ym.Version > 0;
            if (hasStream || m.Covering(y) is not null) rows.Add((m, y));
        }
        if (rows.Count == 0) return;

        await using var w = await conn.BeginBinaryImportAsync(ReadModelStatements.CopyPerformanceYears(schema), ct);
        foreach (var (m, y) in rows)
        {
            var version = m.Years.TryGetValue(y, out var ym) ? ym.Version : 0;
            var s = YearState(m, y);
            var b = s.Budget;
            var spent = b.TotalSpentOf(SpentByLine(b));
            w.StartRow();
            w.Text(m.Code); w.Int(y); w.Long(version); w.Bool(s.Closed); w.Text(s.SnapshotHash); w.Int(m.Covering(y)?.PeriodStart);
            w.Text(m.Agency.ScaleFor(y)?.Name); w.Int(s.PkVersions.Count); w.Int(b.Revisions);
            w.Num(b.TotalPaguMurni); w.Num(b.TotalPagu); w.Num(spent); w.Num(Absorption(spent, b.TotalPagu));
            w.Num(b.TotalPagu - spent);
        }
        await w.CompleteAsync(ct);
    }

    private static decimal? Absorption(decimal spent, decimal pagu) => pagu == 0 ? null : spent / pagu * 100m;
}
