using Ledger.Web.Api;
using Ledger.Web.Formatting;

namespace Ledger.Web.Tests;

/// <summary>Bahasa Indonesia formats and what the pages read from what people type (no browser, no database).</summary>
public sealed class FormattingTests
{
    [Theory]
    [InlineData("93.75", 2, "93,75")]
    [InlineData("1234567", 0, "1.234.567")]
    [InlineData("86.66666666666666666666666667", 2, "86,67")]
    [InlineData("0.005", 2, "0,01")] // half away from zero, as the capaian policy rounds
    [InlineData("-1500.5", 1, "−1.500,5")]
    [InlineData("24", 2, "24")]
    public void Numbers_use_a_decimal_comma_and_thousand_dots(string value, int places, string expected) =>
        Assert.Equal(expected, Id.Number(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), places));

    [Fact]
    public void Capaian_keeps_two_places_rupiah_is_whole_and_missing_is_a_dash()
    {
        Assert.Equal("100,00 %", Id.Percent(100m));
        Assert.Equal("Rp 1.234.568", Id.Rupiah(1234567.5m));
        Assert.Equal("–", Id.Number(null));
        Assert.Equal("–", Id.Percent(null));
    }

    [Fact]
    public void Dates_and_times_are_written_out_in_the_readers_zone()
    {
        Assert.Equal("3 Desember 2026", Id.Date(new DateOnly(2026, 12, 3)));
        var at = new DateTimeOffset(2024, 1, 15, 3, 5, 0, TimeSpan.Zero);
        Assert.Equal("15 Januari 2024 10.05 WIB", Id.DateTime(at, Zone.Wib));
        Assert.Equal("15 Januari 2024 12.05 WIT", Id.DateTime(at, Zone.Wit));
        Assert.Equal(Zone.Wita, Zone.Parse("wita"));
        Assert.Equal(Zone.Wib, Zone.Parse("nonsense"));
    }

    [Theory]
    [InlineData("92,5", "92.5")]
    [InlineData("1.234.567", "1234567")]
    [InlineData("1.234,56", "1234.56")]
    [InlineData(" 0,75 ", "0.75")]
    [InlineData("−3", "-3")]
    public void Typed_numbers_are_read_the_Indonesian_way(string typed, string expected)
    {
        Assert.Null(Id.ParseNumber(typed, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("", "Isi dengan angka")]
    [InlineData("sembilan", "Isi dengan angka")]
    [InlineData("9,5,1", "Isi dengan angka")]
    [InlineData("1.234", "dapat dibaca dua cara")] // 1234 to an Indonesian reader, 1.234 to anyone else: refused, as the importer does
    [InlineData("68.58", "Pakai koma sebagai tanda desimal: 68,58")] // a dot used as decimal mark (seed 001 prints "68.58")
    public void Text_that_is_not_an_unambiguous_number_is_refused_with_the_reason(string typed, string reason) =>
        Assert.Contains(reason, Id.ParseNumber(typed, out _));

    [Theory]
    [InlineData("1234")]
    [InlineData("68.58")]
    [InlineData("-0.123456789")]
    public void A_forms_prefilled_number_reads_back_unchanged(string number)
    {
        var value = decimal.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Null(Id.ParseNumber(Id.Input(value), out var back));
        Assert.Equal(value, back);
    }

    [Fact]
    public void Api_paths_escape_each_segment_so_a_code_with_a_slash_stays_one_segment()
    {
        Assert.Equal("/api/agencies/bkpsdm-paser/indicators/5.03.01%2F1", LedgerApi.Path("agencies", "bkpsdm-paser", "indicators", "5.03.01/1"));
        Assert.Equal("/api/x?year=2023&asOf=2024-01-15T00%3A00%3A00%2B07%3A00",
            LedgerApi.Query("/api/x", ("year", 2023), ("asOf", "2024-01-15T00:00:00+07:00"), ("kind", null)));
    }

    [Theory]
    [InlineData("pk-perubahan-2", "PK perubahan 2")]
    [InlineData("pk-murni", "PK murni")]
    [InlineData("renstra", "Renstra")]
    [InlineData("none", "tidak ada target")]
    public void Target_sources_are_named(string source, string expected) => Assert.Equal(expected, Labels.TargetSource(source));

    [Theory]
    [InlineData("Sangat Berhasil", "p-1")]
    [InlineData("Berhasil", "p-2")]
    [InlineData("Cukup Berhasil", "p-3")]
    [InlineData("Kurang Berhasil", "p-4")]
    [InlineData("Sangat Rendah", "p-5")]
    [InlineData("BB", "p-2")]
    [InlineData(null, "p-none")]
    public void A_predikat_gets_the_colour_of_its_words(string? predikat, string css) => Assert.Equal(css, Labels.PredikatClass(predikat));

    [Fact]
    public void Every_stored_event_type_has_an_Indonesian_name()
    {
        var names = Ledger.Domain.DomainEventTypes.All.Select(e => e.Name).ToList();
        var missing = names.Where(n => Labels.EventKinds.All(k => k.Kind != n)).ToList();
        Assert.True(missing.Count == 0, "No Indonesian name for: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_finding_rule_has_an_Indonesian_name()
    {
        var missing = Ledger.Domain.Findings.FindingRules.All.Select(r => r.Id).Where(id => !Labels.FindingRules.ContainsKey(id)).ToList();
        Assert.True(missing.Count == 0, "No Indonesian name for: " + string.Join(", ", missing));
    }

    [Fact]
    public void History_periods_read_as_words() => Assert.Equal("2023 · Triwulan II", Labels.Effective("2023-Q2"));
}
